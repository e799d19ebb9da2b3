"""One configuration to train, and everything its readers see of it: `TrainingJob`."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from .. import host, snapshots, store
from ..config import TrainConfig
from ..errors import MnistStudioError
from ..meta import EpochPoint
from . import results, run as one_run
from .progress import WARMUP_STEPS, BatchPoint, Progress

log = logging.getLogger(__name__)


class Engine(Protocol):
    """The line a job waits in (`line._Registry`): told when the job ends and which results pruning deleted."""

    def ended(self, job: TrainingJob) -> None: ...
    def forget_results(self, deleted: list[Path]) -> None: ...


class TrainingJob:
    """One configuration to train: queued, then trained by the engine's worker (or by `run()` directly).

    Readers use `snapshot()`, `stop()` and `wait()`. The training run reports through `record_device`,
    `record_batch`, `record_epoch`, `show_learning`, `record_training_time` and `stop_requested`, and nothing else.
    """

    def __init__(self, config: TrainConfig, owner: str | None = None) -> None:
        self.config = config
        self.owner = owner  # who asked first (a browser session's id), None for the CLI or a script
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._progress = Progress(config=config, state="queued", total_steps=config.total_steps)
        self._batches: list[BatchPoint] = []
        self.engine: Engine | None = None  # the engine whose line this job waits in, told when it stops or ends
        self.finished_at: float | None = None  # time.monotonic() when it ended: the registry forgets the oldest

    @classmethod
    def finished_from(cls, stored: store.StoredModel, config: TrainConfig) -> TrainingJob:
        """A job that is already done: a cached result loaded from disk."""
        job = cls(config)
        job._progress = replace(job._progress, state="done", step=config.total_steps, epochs=stored.meta.epochs,
                                elapsed=stored.meta.train_seconds or 0.0, device=stored.meta.device,
                                result=stored, cached=True)
        job.finished_at = time.monotonic()
        job._done.set()
        return job

    def stoppable_by(self, owner: str | None) -> bool:
        """Whether `owner` may stop it: anyone in a classroom; on a public host only whoever started it."""
        return not host.public() or self.owner is None or owner == self.owner

    def snapshot(self) -> Progress:
        with self._lock:
            return self._progress

    def stop(self) -> None:
        """Ask the job to stop after the current batch; the model so far is kept and marked stopped.

        Readers see `stopping` at once, while the job finishes its batch, tests and saves the model. A job
        still waiting in line leaves the line at once and says "Stopped before it started."
        """
        self._stop.set()
        with self._lock:
            if self._progress.finished:
                return
            queued = self._progress.state == "queued"
            if queued:
                self._progress = replace(self._progress, state="stopped", error="Stopped before it started.")
            else:
                self._progress = replace(self._progress, stopping=True)
        if queued:
            self._end()

    def wait(self, timeout: float | None = None) -> Progress:
        self._done.wait(timeout)
        return self.snapshot()

    # --- What the training run reports (run.train and its Keras callback) ---

    @property
    def stop_requested(self) -> bool:
        """True once stop() was asked for: the loop ends after its current batch."""
        return self._stop.is_set()

    def record_device(self, device: str) -> None:
        """The device the run trains on ("GPU" or "CPU"), known once its data is ready."""
        self._update(device=device)

    def record_batch(self, step: int, elapsed: float, point: BatchPoint | None) -> None:
        """A batch is done: `step` steps in `elapsed` seconds, and a point for the chart every so often."""
        with self._lock:
            changes = {"step": step, "elapsed": elapsed}
            if step == WARMUP_STEPS:
                changes["pace_from"] = (step, elapsed)
            if point is not None:
                self._batches.append(point)
                changes["batches"] = tuple(self._batches)
            self._progress = replace(self._progress, **changes)

    def record_epoch(self, point: EpochPoint) -> None:
        """A test accuracy measured between epochs (or where a stopped run stopped)."""
        with self._lock:
            self._progress = replace(self._progress, epochs=self._progress.epochs + (point,))

    def show_learning(self, learning: snapshots.Snapshot) -> None:
        """A new picture of what the network has learned, kept after the earlier ones for the live view; it
        replaces one taken at the same step (the final state of a run, as `Recorder.finish` does)."""
        with self._lock:
            kept = self._progress.learned
            if kept and kept[-1].step == learning.step:
                kept = kept[:-1]
            self._progress = replace(self._progress, learned=kept + (learning,))

    def record_training_time(self, seconds: float) -> None:
        """The run's training time, tests between passes excluded: the figure its result is filed with."""
        self._update(elapsed=seconds)

    # --- Running ---

    def run(self) -> None:
        """Train in the calling thread, unless the job was stopped while it waited; never raises."""
        with self._lock:
            if self._progress.state != "queued":  # stopped while in line (or run twice): nothing to do
                return
            self._progress = replace(self._progress, state="running")
        try:
            stored = self._train()
            deleted = results.prune_results(keep=(stored.path,))
            if deleted and self.engine is not None:
                self.engine.forget_results(deleted)
            self._update(state="stopped" if stored.meta.stopped else "done", result=stored)
        except MnistStudioError as exc:
            self._update(state="failed", error=str(exc))
        except Exception as exc:  # a job must never die silently: readers see the failure
            log.exception("training %s failed", self.config.key)
            self._update(state="failed", error=f"Training failed: {type(exc).__name__}: {exc}", unexpected=True)
        finally:
            self._end()

    def _end(self) -> None:
        """Finished: the engine hears it first (it may forget older jobs), then anyone waiting."""
        self.finished_at = time.monotonic()
        if self.engine is not None:
            self.engine.ended(self)
        self._done.set()

    def _update(self, **changes) -> None:
        with self._lock:
            self._progress = replace(self._progress, **changes)
    def _train(self) -> store.StoredModel:
        """The run itself (tests put a stand-in here)."""
        return one_run.train(self)
