"""One training on a worker: take it from the line, train it here, publish as it goes, file its result.

The engine's own TrainingJob trains it (the code the in-process line runs, on this machine's GPU when it has
one), and its model goes to the shared store like any other (the pair lock, the checksums). A thread beside
it publishes its progress every PUBLISH_SECONDS, which also refreshes its heartbeat, and turns the stop flag
any app server may set into TrainingJob.stop(). RQ runs `train` by name (line.WORK).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING

from ..training.job import TrainingJob
from ..training.progress import Progress
from ..training.results import stored_result
from . import line
from .connection import connect, job_key

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

PUBLISH_SECONDS = 0.5  # app servers see a worker's progress this fresh
FINAL_TRIES, FINAL_PAUSE = 10, 3.0  # the end of a training is written through a Redis restart of up to 30 s
worker_name = socket.gethostname()  # the worker command names its worker here
ended: Counter[str] = Counter()  # how this process's trainings ended: done, stopped, failed


def train(key: str, attempt: int) -> str:
    """RQ's job: train the line's training `key` (this is its `attempt`); returns how it ended."""
    client = connect()
    claimed = line.claim(client, key, attempt, worker_name)
    if claimed is None:
        return "skipped"  # stopped while it waited, or an earlier attempt's job
    config, owner = claimed
    job = TrainingJob(config, owner)
    publisher = _Publisher(client, key, attempt, job)
    publisher.start()
    try:
        stored = stored_result(config)  # trained meanwhile (by the in-process line of some CLI, say)
        if stored is not None:
            final = TrainingJob.finished_from(stored, config).snapshot()
        else:
            job.run()  # never raises; a failure is in its progress
            final = job.snapshot()
    finally:  # a worker shut down cold (Ctrl+C twice) publishes nothing more: the training is recovered
        publisher.close()
    publisher.finish(final)
    ended[final.state] += 1
    log.info("Training %s (%s) %s on %s.", key, config.model, final.state, worker_name)
    return final.state


class _Publisher(threading.Thread):
    """Publishes a training's progress and heartbeat, and passes on Stop, until closed."""

    def __init__(self, client: "redis.Redis", key: str, attempt: int, job: TrainingJob) -> None:
        super().__init__(name=f"publish-{key}", daemon=True)
        self.client, self.key, self.attempt, self.job = client, key, attempt, job
        self.sent: list = []  # learning pictures already in Redis
        self._closed = threading.Event()
        self._failing = False

    def run(self) -> None:
        import redis

        while not self._closed.wait(PUBLISH_SECONDS):
            try:
                if not line.publish(self.client, self.key, self.attempt, worker_name, self.job.snapshot(), self.sent):
                    log.warning("Training %s was given to another worker; this one stops.", self.key)
                    self.job.stop()
                    return
                if self.client.hget(job_key(self.key), "stop") == b"1":
                    self.job.stop()
                self._failing = False
            except redis.RedisError as exc:  # training goes on; readers see the progress again once Redis is back
                if not self._failing:
                    log.warning("Cannot publish the progress of %s: %s", self.key, exc)
                self._failing = True

    def close(self) -> None:
        self._closed.set()
        self.join(timeout=10)

    def finish(self, final: Progress) -> None:
        """Write how the training ended and take it out of the line (the model is on disk already)."""
        import redis

        for _ in range(FINAL_TRIES):
            try:
                line.publish(self.client, self.key, self.attempt, worker_name, final, self.sent, final=True)
                return
            except redis.RedisError as exc:
                log.warning("Cannot write the end of %s yet: %s", self.key, exc)
                time.sleep(FINAL_PAUSE)
