"""Trainings past one machine: the training line on Redis, trained by RQ workers anywhere.

Chosen by `MNIST_STUDIO_QUEUE=redis://HOST:PORT/DB` (or the CLI's `--queue`); without it the app and the CLI
keep the in-process line and never import redis or rq (nothing to install on a laptop). The app servers and
the CLI ask for trainings and follow them (`line`, `job`); workers train them (`work`, `worker`); a finished
model goes to the one store folder every machine mounts (MNIST_STUDIO_HOME), never into Redis, so a restarted
Redis loses no result. docs/deploy.md describes the layout.
"""

from __future__ import annotations

import os

QUEUE_ENV = "MNIST_STUDIO_QUEUE"


def queue_url() -> str | None:
    """The Redis URL of the training line, or None for the in-process line (read on every call: tests change it)."""
    return os.environ.get(QUEUE_ENV, "").strip() or None


LOCAL_WORKER = "local"  # `train --json`'s "worker" for a training run in the CLI's own process


def worker_of(job: object, cached: bool) -> str | None:
    """Who trained a job's result: its RQ worker's name, LOCAL_WORKER in this process, None when read from disk."""
    return None if cached else getattr(job, "worker", None) or LOCAL_WORKER
