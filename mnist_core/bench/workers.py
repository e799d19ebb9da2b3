"""Four trainings on one worker, then on two: the Redis training line's throughput, side by side in one run.

A private redis-server and an empty home folder (MNIST read from the usual decoded copy); the workers are
started and warm (TensorFlow imported, registered with RQ) before the clock starts. Each round asks its four
trainings at once through the line, as four visitors pressing Start would, and waits for all four to end;
each round trains seeds of its own, so none is served from disk. The ratio is one worker's wall time over
two workers'. On one machine the two workers share its cores, so the ratio measures how much two TensorFlow
processes gain over one on the same CPU; on two machines each worker has its own.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from .cluster import DidNotStart, redis_server_path, start_redis, start_workers, stop
from .inputs import Say
from .server import reuse_decoded_mnist

TRAININGS = 4
MODEL, EPOCHS, IMAGES = "fast", 1, 10_000  # about 5 s of training each on a 2-core CPU: the line's cost shows
QUICK_IMAGES = 1_000
WAIT_SECONDS = 900.0


def workers(say: Say, quick: bool = False) -> dict[str, Any]:
    """Wall time of TRAININGS trainings on 1 and on 2 workers, and the ratio."""
    if redis_server_path() is None:
        say("workers: skipped, redis-server is not installed (apt-get install redis-server)")
        return {"skipped": "redis-server is not installed"}
    images = QUICK_IMAGES if quick else IMAGES
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as folder:
        redis = start_redis(Path(folder) / "redis")
        saved = {name: os.environ.get(name) for name in ("MNIST_STUDIO_QUEUE", "MNIST_STUDIO_HOME", "MNIST_PATH")}
        try:
            os.environ.update(MNIST_STUDIO_QUEUE=redis.url, MNIST_STUDIO_HOME=str(Path(folder) / "home"))
            reuse_decoded_mnist(os.environ)  # type: ignore[arg-type]  # os.environ is the mapping it fills
            rounds = {count: _round(count, images, redis.url, Path(folder), say) for count in (1, 2)}
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            stop(redis.process)
    ratio = rounds[1]["seconds"] / rounds[2]["seconds"]
    say(f"workers: {TRAININGS} trainings in {rounds[1]['seconds']:.1f} s on 1 worker, {rounds[2]['seconds']:.1f} s "
        f"on 2: {ratio:.2f}x the throughput")
    return {"trainings": TRAININGS, "model": MODEL, "epochs": EPOCHS, "images": images,
            "one_worker": rounds[1], "two_workers": rounds[2], "throughput_ratio": round(ratio, 3)}


def _round(count: int, images: int, url: str, folder: Path, say: Say) -> dict[str, Any]:
    """Start `count` workers, wait until they are warm, then time TRAININGS trainings through the line."""
    from ..training import TrainConfig, start_training

    names = [f"bench-{count}-{index}" for index in range(count)]
    try:
        started = start_workers(url, names, folder / "logs")
    except DidNotStart as exc:
        raise RuntimeError(str(exc)) from None
    try:
        configs = [TrainConfig.for_model(MODEL, epochs=EPOCHS, limit=images, seed=100 * count + index)
                   for index in range(TRAININGS)]
        clock = time.perf_counter()
        jobs = [start_training(config) for config in configs]
        ended = [job.wait(timeout=WAIT_SECONDS) for job in jobs]
        seconds = time.perf_counter() - clock
    finally:
        for worker in started:
            stop(worker.process)
    if any(progress.state != "done" for progress in ended):
        raise RuntimeError(f"a training did not finish: {[(p.state, p.error) for p in ended]}")
    say(f"workers: {count} worker(s), {TRAININGS} trainings in {seconds:.1f} s")
    return {"workers": count, "seconds": round(seconds, 2),
            "trainings_per_minute": round(TRAININGS / seconds * 60, 2),
            "trained_by": sorted({job.worker for job in jobs}),
            "train_seconds": [round(p.result.meta.train_seconds or 0.0, 2) for p in ended],
            "test_accuracy": [p.test_accuracy for p in ended]}
