"""Memory (#15 item 7): a training on the command line, and the app's server idle and under use.

- `train --model fast` in a process of its own, with an empty home folder (so it trains, not reads a cache):
  its peak resident memory (the kernel's ru_maxrss of the finished child). Target <= 1.0 GB.
- The app's server (`streamlit run app.py`, see bench/classroom.py) after its first drawing was read and
  the page left alone: resident memory. Target <= 750 MB.
- The same server while the fast preset trains (started on the Train page) and one person draws: the
  highest resident memory sampled and the peak the kernel recorded (VmHWM). Target <= 1.2 GB.

Streamlit Community Cloud gives an app between 690 MB and 2.7 GB; these targets let the app train there.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .inputs import REPO, Say

TRAIN_TARGET_MB, IDLE_TARGET_MB, BUSY_TARGET_MB = 1000, 750, 1200
DRAWING_SECONDS = 40.0  # one person drawing while the training runs
IDLE_SECONDS = 5.0  # after the first answer, before the idle reading


def train_peak(env: dict[str, str] | None = None, limit: int | None = None) -> dict[str, Any]:
    """Peak RSS of `python -m mnist_core train --model fast --json` in a fresh process with an empty home."""
    from .server import reuse_decoded_mnist

    with tempfile.TemporaryDirectory(prefix="mnist-memory-") as home:
        environment = {**os.environ, "MNIST_STUDIO_HOME": home, "PYTHONPATH": str(REPO), **(env or {})}
        reuse_decoded_mnist(environment)
        command = [sys.executable, "-m", "mnist_core", "train", "--model", "fast", "--json",
                   "--out", str(Path(home) / "fast.keras"), *(["--limit", str(limit)] if limit else [])]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)  # the child's own peak, not this process's
        process.returncode = os.waitstatus_to_exitcode(status)
    try:
        result = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {}
    return {"peak_rss_mb": usage.ru_maxrss // 1024, "target_mb": TRAIN_TARGET_MB,
            "seconds": round(time.perf_counter() - started, 1), "exit_code": process.returncode,
            "test_accuracy": result.get("test_accuracy"), "images": limit or "all (55,000)"}


async def _server_use(server: Any, seconds: float, epochs: int) -> dict[str, Any]:
    from . import classroom as room

    person = (await room.open_all(server.url, 1))[0]
    run = await person.rerun(room.canvas_state(person, room.drawing_state(7, random.Random(0))),
                             timeout=room.START_SECONDS)
    await asyncio.sleep(IDLE_SECONDS)
    idle = server.memory_mb()
    await person.close()
    projector = await room.start_training(server.url, epochs)
    try:
        phase = await room.drawing_phase(server, 1, seconds, seed=0)
    finally:
        await projector.close()
    return {"first_answer": run.answer,
            "idle_after_first_prediction_mb": idle["VmRSS"], "idle_target_mb": IDLE_TARGET_MB,
            "training_and_drawing_max_rss_mb": phase["server_rss_mb_max"],
            "training_and_drawing_peak_mb": server.memory_mb()["VmHWM"], "busy_target_mb": BUSY_TARGET_MB,
            "training_running_at_end": phase["training_running_at_end"], "drawings": phase["drawings"]}


def server_memory(env: dict[str, str] | None = None, seconds: float = DRAWING_SECONDS,
                  epochs: int = 3) -> dict[str, Any]:
    """The app's server: idle after its first answer, then while a training runs and one person draws."""
    from .server import start_server, stop_server

    with tempfile.TemporaryDirectory(prefix="mnist-memory-") as folder:
        server = start_server(Path(folder), env=env)
        try:
            return asyncio.run(_server_use(server, seconds, epochs))
        finally:
            stop_server(server)


def memory(say: Say, quick: bool = False) -> dict[str, Any]:
    """The three numbers of #15 item 7, each with its target."""
    result = {"train_fast": train_peak(limit=5000 if quick else None)}
    say(f"  memory: train --model fast peaks at {result['train_fast']['peak_rss_mb']} MB "
        f"(target {TRAIN_TARGET_MB})")
    result["server"] = server_memory(seconds=15.0 if quick else DRAWING_SECONDS, epochs=1 if quick else 3)
    server = result["server"]
    say(f"  memory: server idle after the first answer {server['idle_after_first_prediction_mb']} MB "
        f"(target {IDLE_TARGET_MB}); training + drawing {server['training_and_drawing_peak_mb']} MB peak "
        f"(target {BUSY_TARGET_MB})")
    result["meets_targets"] = (result["train_fast"]["peak_rss_mb"] <= TRAIN_TARGET_MB
                               and server["idle_after_first_prediction_mb"] <= IDLE_TARGET_MB
                               and server["training_and_drawing_peak_mb"] <= BUSY_TARGET_MB)
    return result
