"""`python -m mnist_core worker`: an RQ worker that trains the line's trainings, one at a time.

A SimpleWorker (no fork per job): TensorFlow is imported once, before the first training, and stays warm, as
does the data, so a short training starts in a second. Beside RQ's own heartbeats it sweeps the line every
SWEEP_SECONDS for trainings whose worker was lost (line.sweep), so one is recovered even when no app server
is watching. Ctrl+C once finishes the training under way and exits; twice exits at once, and its training
goes back to the line within line.ALIVE_SECONDS.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from ..errors import TrainingError
from . import QUEUE_ENV, line, work
from .connection import RQ_QUEUE, connect, talking

log = logging.getLogger(__name__)

MONITOR_SECONDS = 10  # RQ's own heartbeats for this worker and its job
SWEEP_SECONDS = 5.0  # how often a worker looks for trainings whose worker was lost


def default_name() -> str:
    """HOST.PID: unique among the workers of one Redis, and says where a training ran."""
    return f"{socket.gethostname()}.{os.getpid()}"


def run_worker(name: str | None = None, burst: bool = False) -> dict[str, Any]:
    """Train the line's trainings until stopped (with `burst`: until the line is empty); what it did."""
    from rq import Queue, SimpleWorker
    from rq.serializers import JSONSerializer

    from ..training.run import detect_device

    client = connect()
    work.worker_name = name = name or default_name()
    device = detect_device()  # imports TensorFlow now, not in the first training
    log.info("Worker %s trains on the %s; it takes trainings from %s.", name, device, os.environ.get(QUEUE_ENV))

    class StudioWorker(SimpleWorker):
        """A SimpleWorker whose heartbeats go on while it trains (a plain SimpleWorker sends none meanwhile)."""

        def execute_job(self, job, queue):
            done = threading.Event()
            beat = threading.Thread(target=self._beat, args=(job, done), daemon=True)
            beat.start()
            try:
                super().execute_job(job, queue)
            finally:
                done.set()

        def _beat(self, job, done: threading.Event) -> None:
            while not done.wait(MONITOR_SECONDS):
                try:
                    self.maintain_heartbeats(job)
                except Exception as exc:  # a missed heartbeat is RQ's bookkeeping; the training goes on
                    log.debug("RQ heartbeat failed: %s", exc)

        def get_heartbeat_ttl(self, job) -> int:
            return MONITOR_SECONDS + 60  # kept fresh by _beat, as a forking worker's monitor does

    queue = Queue(RQ_QUEUE, connection=client, serializer=JSONSerializer)
    worker = StudioWorker([queue], connection=client, name=name, serializer=JSONSerializer,
                          job_monitoring_interval=MONITOR_SECONDS)
    stop = threading.Event()
    threading.Thread(target=_sweep, args=(client, stop), name="sweep", daemon=True).start()
    try:
        with talking():
            worker.work(burst=burst, logging_level="INFO", with_scheduler=False)
    except ValueError as exc:  # RQ: "There exists an active worker named ... already"
        raise TrainingError(f"{exc}: give this worker another --name.") from None
    finally:
        stop.set()
    return {"worker": name, "device": device, "trainings": dict(work.ended)}


def _sweep(client, stop: threading.Event) -> None:
    """Recover lost trainings every SWEEP_SECONDS, whatever this worker is doing."""
    while not stop.wait(SWEEP_SECONDS):
        try:
            line.sweep(client)
        except Exception as exc:  # Redis away for a moment: the next sweep tries again
            log.warning("Could not look for lost trainings: %s", exc)
