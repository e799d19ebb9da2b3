"""The command line's part of the training line: `worker`, and `--queue` for the commands that train.

Kept apart from cli.py so that the CLI stays one readable file; nothing here imports redis, rq or TensorFlow
until a command runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from . import QUEUE_ENV


def add_queue_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue", metavar="URL",
                        help=f"the training line on Redis, redis://HOST:PORT/DB (default: {QUEUE_ENV}; without "
                             "either, this process trains)")


def use_queue(args: argparse.Namespace) -> None:
    """--queue wins over MNIST_STUDIO_QUEUE for this process."""
    if getattr(args, "queue", None):
        os.environ[QUEUE_ENV] = args.queue


def add_worker_command(commands, common: argparse.ArgumentParser) -> None:
    worker = commands.add_parser("worker", parents=[common],
                                 help="train the trainings of a Redis training line (RQ worker; its GPU if it has one)")
    worker.add_argument("--name", help="this worker's name in results and logs (default: HOST.PID)")
    worker.add_argument("--burst", action="store_true", help="exit once the line is empty")
    add_queue_option(worker)
    worker.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    from .worker import run_worker

    # The worker's log (RQ's included) on stderr: stdout carries only the summary, JSON with --json.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    done = run_worker(name=args.name, burst=args.burst)
    ended = ", ".join(f"{count} {state}" for state, count in sorted(done["trainings"].items())) or "no trainings"
    print(json.dumps(done) if args.json else f"worker {done['worker']} ({done['device']}): {ended}", flush=True)
    return 0
