"""The training engine: background jobs with live metrics, stop, and a cache.

A `TrainConfig` (model + hyperparameters + data slice + seed) has a stable
key. `start_training(config)` returns, in this order: the job already running
or queued for that key (so every browser session follows one job), a finished
result from disk (never train the same thing twice), or a new job. New jobs
wait in one line, first come first served, for the one worker thread that
trains them one after another (`MAX_RUNNING` is 1: two TensorFlow trainings on
a laptop only slow each other down). A job publishes per-batch loss/accuracy
and per-epoch test accuracy to any number of readers through immutable
`Progress` snapshots. The registry keeps the jobs in line, the one training,
and only the `KEEP_FINISHED` newest finished jobs; older results stay on disk
and are served from there. Nothing touches the disk while the registry's lock
is held, so a slow disk never stalls the pages that ask about jobs.

The line is bounded: at most `MAX_WAITING` trainings wait or train at once,
and at most `MAX_PER_OWNER` of them were asked by one owner (a browser
session: the app names it, with `owner=` or `asked_by`; the CLI asks as
nobody in particular, None). The next ask is refused with a TrainingError in
words until one ends. On a public host (`host.public()`) one training's work
is capped at about `PUBLIC_SECONDS` of this machine's time, and only its
owner may stop it. Finished results are pruned to a disk budget, oldest first.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from . import evaluation, fitting, host, snapshots, store
from .config import TrainConfig  # what a job trains; also training.TrainConfig for its callers
from .data import load_mnist
from .errors import MnistStudioError, TrainingError
from .meta import EpochPoint, ModelMeta  # EpochPoint: the sidecar keeps a training's test points
from .fitting import prepared_data  # uint8 data; here too so that tests (and the app's) can replace it
from .paths import models_dir

log = logging.getLogger(__name__)

MAX_RUNNING = 1  # one worker trains; two TensorFlow jobs on a laptop CPU only slow each other down
MAX_WAITING = 8  # trainings in line at once, the one training included: more is refused until one ends
MAX_PER_OWNER = 2  # of those, asked by one owner (a browser session); the CLI's asks have no owner
# A public host (host.public()) caps one training at about this many seconds of this machine's time, estimated
# from config.CPU_IMAGES_PER_SECOND before it starts (a GPU is only faster): a few minutes, whatever the settings.
PUBLIC_SECONDS = 180
DISK_ENV = "MNIST_STUDIO_DISK_MB"  # the trained results' disk budget, in MB (models, sidecars, recordings)
DISK_MB, PUBLIC_DISK_MB = 1000, 300  # the budget by default, and on a public host
LEFTOVER_SECONDS = 3600  # a temporary file in the models folder this old was left by a killed save
KEEP_FINISHED = 16  # finished jobs kept in memory (pages show and replay them); older ones are read from disk
MAX_CHART_POINTS = 1000  # per-batch points kept for the live chart
# No time estimate before the pace is known: the first steps include building the model's compiled step,
# so the estimate starts from step WARMUP_STEPS and needs PACE_STEPS and PACE_SECONDS after it.
WARMUP_STEPS, PACE_STEPS, PACE_SECONDS = 3, 5, 1.0
TARGET_ACCURACY = 0.99

State = Literal["queued", "running", "done", "stopped", "failed"]
FINISHED: tuple[State, ...] = ("done", "stopped", "failed")


@dataclass(frozen=True)
class BatchPoint:
    step: int
    epoch: float  # fractional, for the chart's x axis
    loss: float
    accuracy: float  # share right on the last snapshots.WINDOW_IMAGES training images (never restarts at a pass)
    # loss likewise: both from snapshots.PracticeWindow, not Keras' averages since the pass began, which jump


@dataclass(frozen=True)
class Progress:
    """An immutable snapshot of a job, safe to hand to any reader."""

    config: TrainConfig
    state: State
    step: int = 0
    total_steps: int = 0
    elapsed: float = 0.0
    device: str = ""
    batches: tuple[BatchPoint, ...] = ()
    epochs: tuple[EpochPoint, ...] = ()
    error: str | None = None
    # True when `error` is a programming or environment fault (its text is technical, for the log and
    # developers); False when it is a library error whose message is written for the user.
    unexpected: bool = False
    result: store.StoredModel | None = None
    cached: bool = False
    stopping: bool = False  # stop() was asked for; the job is finishing its batch, testing and saving
    # Every learning snapshot taken so far, in step order: a slow-motion view shows them one by one at an
    # audience's pace while the real training may already be far ahead.
    learned: tuple[snapshots.Snapshot, ...] = ()
    pace_from: tuple[int, float] | None = None  # (step, elapsed) when warm-up ended: the pace counts from here

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def testing(self) -> bool:
        """Every step is done and the job is testing and saving its model: too late for Stop to change anything."""
        return self.state == "running" and not self.stopping and 0 < self.total_steps <= self.step

    @property
    def learning(self) -> snapshots.Snapshot | None:
        """The latest learning snapshot (None before the first), for a live view that follows the real run."""
        return self.learned[-1] if self.learned else None

    @property
    def fraction(self) -> float:
        return 1.0 if self.state == "done" else (self.step / self.total_steps if self.total_steps else 0.0)

    @property
    def eta_seconds(self) -> float | None:
        """Time left at the pace measured since warm-up; None until a few steps and a second are measured."""
        if self.finished or self.stopping or self.pace_from is None:
            return None
        steps, seconds = self.step - self.pace_from[0], self.elapsed - self.pace_from[1]
        if steps < PACE_STEPS or seconds < PACE_SECONDS:
            return None
        return seconds / steps * (self.total_steps - self.step)

    @property
    def epochs_done(self) -> float:
        """Epochs trained so far, fractional (a stopped run's 0.33)."""
        return self.step / self.total_steps * self.config.epochs if self.total_steps else 0.0

    @property
    def images_per_second(self) -> float:
        return self.step * self.config.batch_size / self.elapsed if self.elapsed else 0.0

    @property
    def test_accuracy(self) -> float | None:
        if self.result is not None:
            return self.result.meta.test_accuracy
        return self.epochs[-1].test_accuracy if self.epochs else None

    @property
    def seconds_to_target(self) -> float | None:
        """Elapsed seconds at the end of the first epoch that reached 99% test accuracy."""
        return next((point.elapsed for point in self.epochs if point.test_accuracy >= TARGET_ACCURACY), None)


class TrainingJob:
    """One configuration to train: queued, then trained by the engine's worker (or by `run()` directly).

    Readers use `snapshot()`, `stop()` and `wait()`. The training loop's callback reports through
    `record_batch`, `record_epoch`, `show_learning` and `stop_requested`, and nothing else.
    """

    def __init__(self, config: TrainConfig, owner: str | None = None) -> None:
        self.config = config
        self.owner = owner  # who asked first (a browser session's id), None for the CLI or a script
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._progress = Progress(config=config, state="queued", total_steps=config.total_steps)
        self._batches: list[BatchPoint] = []
        self._engine: _Registry | None = None  # the engine whose line this job waits in, told when it stops or ends
        self.finished_at: float | None = None  # time.monotonic() when it ended: the registry forgets the oldest

    @classmethod
    def finished_from(cls, stored: store.StoredModel, config: TrainConfig) -> "TrainingJob":
        """A job that is already done: a cached result loaded from disk."""
        job = cls(config)
        job._progress = replace(job._progress, state="done", step=config.total_steps, epochs=stored.meta.epochs,
                                elapsed=stored.meta.train_seconds or 0.0, device=stored.meta.device,
                                result=stored, cached=True)
        job.finished_at = time.monotonic()
        job._done.set()
        return job

    def start(self) -> None:
        """Train this job afresh, ignoring a stored result (benchmarks; the app uses start_training): it joins the
        end of the engine's line like any other job, under the same bounds, and trains when its turn comes.

        TrainingError when the line is full, or a job for the same settings is waiting or training.
        """
        with _registry.lock:
            other = _registry.jobs.get(self.config.key)
            if other is not None and not other.snapshot().finished:
                raise TrainingError("A training with these settings is already waiting or running.")
            _check_room(self.config, self.owner)
            _registry.add(self)

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

    # --- What the training loop reports (its Keras callback, `_publisher`) ---

    @property
    def stop_requested(self) -> bool:
        """True once stop() was asked for: the loop ends after its current batch."""
        return self._stop.is_set()

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

    # --- Running ---

    def run(self) -> None:
        """Train in the calling thread, unless the job was stopped while it waited; never raises."""
        with self._lock:
            if self._progress.state != "queued":  # stopped while in line (or run twice): nothing to do
                return
            self._progress = replace(self._progress, state="running")
        try:
            stored = self._train()
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
        if self._engine is not None:
            self._engine.ended(self)
        self._done.set()

    def _update(self, **changes) -> None:
        with self._lock:
            self._progress = replace(self._progress, **changes)

    def _train(self) -> store.StoredModel:
        config = self.config
        data = prepared_data(config.limit)  # uint8: floats are made a batch at a time (fitting.py)
        device = detect_device()
        self._update(device=device)
        # Weights and order seeded by config.seed alone; the process-wide generators are never touched.
        plan = fitting.plan(config, data, device, dtype=training_precision(device))
        model, per_epoch, x_train = plan.model, plan.per_epoch, plan.x_train
        # The untrained network's snapshot (and the tracing of the snapshots' forward pass) come before the clock.
        recorder = snapshots.Recorder(config.total_steps, per_epoch)
        self.show_learning(recorder.start(model))
        started = time.perf_counter()
        # The test set is checked after every epoch but the last (by the publisher, and never after a stop),
        # whose check is the final evaluation below: training time then counts training only, as the
        # published recipes' times do.
        plan.fit(callbacks=[_publisher(self, started, per_epoch, recorder, plan.test)])
        train_seconds = time.perf_counter() - started
        # A Stop that came during the last batch changed nothing: the run is complete and filed as finished.
        stopped = self.stop_requested and self.snapshot().step < config.total_steps
        self.show_learning(recorder.finish(model, self.snapshot().step, train_seconds))
        # For the mlp, fit() has swapped in the moving-average weights by now: we evaluate those.
        # The held-out training images fit the confidence temperature; the test set is only measured.
        calibrated = evaluation.calibrate(model)
        test_accuracy = calibrated["calibration"]["test"]["accuracy"]
        # A stopped run's test point sits where it stopped (e.g. at 0.33 of an epoch).
        epochs_done = config.epochs if not stopped else round(self.snapshot().step / per_epoch, 2)
        self.record_epoch(EpochPoint(epoch=epochs_done, test_accuracy=test_accuracy,
                                     elapsed=round(train_seconds, 3)))
        snapshot = self.snapshot()
        meta = replace(
            ModelMeta.from_dict(calibrated),  # the temperature and its calibration record
            model=config.model, config=asdict(config), key=config.key, test_accuracy=test_accuracy,
            train_seconds=round(train_seconds, 3), device=device, stopped=stopped, steps=snapshot.step,
            epochs=snapshot.epochs, images_per_second=round(snapshot.step * config.batch_size / train_seconds, 1),
            seconds_to_99=snapshot.seconds_to_target, data_source=load_mnist().source, params=model.count_params(),
            precision=model.dtype_policy.name, train_images=len(x_train), epochs_done=epochs_done)
        stored = store.save_model(model, config.model_path(stopped=stopped), meta)
        recording = recorder.recording(
            config.epochs, curve=[(p.step, p.epoch, p.loss, p.accuracy) for p in snapshot.batches],
            tests=[(p.epoch, p.test_accuracy, p.elapsed) for p in snapshot.epochs])
        try:
            snapshots.save(stored.path, recording, stored.meta.sha256)
        except MnistStudioError as exc:  # the model is saved and sound; only its replay is missing
            log.warning("The learning snapshots of %s were not kept: %s", stored.path.name, exc)
        self._update(elapsed=train_seconds)
        prune_results(keep=(stored.path,))
        return stored


def _publisher(job: TrainingJob, started: float, per_epoch: int, recorder: snapshots.Recorder,
               test: tuple[np.ndarray, np.ndarray]):
    """A Keras callback that turns fit()'s progress into snapshots, tests between epochs and honours stop()."""
    import keras

    every = max(1, job.config.total_steps // MAX_CHART_POINTS)
    window = snapshots.PracticeWindow()  # the chart's line: the last few hundred images, across passes
    batch_size, images = job.config.batch_size, job.config.num_images

    class Publisher(keras.callbacks.Callback):
        epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            step = self.epoch * per_epoch + batch + 1
            window.add_pass_average(min((batch + 1) * batch_size, images), float(logs["accuracy"]),
                                   float(logs["loss"]))
            point = None
            if step % every == 0 or batch + 1 == per_epoch:
                point = BatchPoint(step=step, epoch=round(step / per_epoch, 4), loss=window.loss,
                                   accuracy=window.accuracy)
            elapsed = time.perf_counter() - started
            job.record_batch(step, elapsed, point)
            learned = recorder.at_step(self.model, step, elapsed)
            if learned is not None:
                job.show_learning(learned)
            if job.stop_requested:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            # Keras' own validation would run even after a stop mid-epoch (and be drawn at the epoch's end).
            if epoch + 1 < job.config.epochs and not job.stop_requested:
                tested = self.model.evaluate(*test, verbose=0, return_dict=True)  # batched by fitting.test_batches
                job.record_epoch(EpochPoint(epoch=epoch + 1, test_accuracy=float(tested["accuracy"]),
                                            elapsed=round(time.perf_counter() - started, 3)))

    return Publisher()


def training_precision(device: str) -> str:
    """Mixed float16 on a GPU, float32 on a CPU.

    bfloat16 gave the final `fast` preset no gain even on a CPU with native support (AVX512_BF16), and it is
    far slower on the many laptops and cloud CPUs without it (docs/benchmarks.md), so CPUs keep float32.
    """
    return "mixed_float16" if device == "GPU" else "float32"


@lru_cache(maxsize=1)
def detect_device() -> str:
    """"GPU" when TensorFlow sees one, else "CPU"."""
    import tensorflow as tf

    return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"


class _Registry:
    """The engine: jobs by configuration key, one line of jobs waiting, and the one worker that trains them.

    `lock` guards memory only (the dict, the line); no file is read or hashed while it is held.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: dict[str, TrainingJob] = {}  # in line, training, and the KEEP_FINISHED newest finished
        self._line: deque[TrainingJob] = deque()  # first come, first served
        self._current: TrainingJob | None = None  # the job the worker is training
        self._worker: threading.Thread | None = None  # alive while the line has work; started again when needed

    def add(self, job: TrainingJob) -> None:
        """Register `job` under its key (caller holds `lock`); a job not yet finished joins the end of the line."""
        self.jobs[job.config.key] = job
        if not job.snapshot().finished:
            job._engine = self
            self._line.append(job)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="training-worker", daemon=True)
                self._worker.start()
        self._forget_old()

    def ended(self, job: TrainingJob) -> None:
        """A job finished or was stopped while in line: it leaves the line, and the oldest finished jobs go."""
        with self.lock:
            if job in self._line:
                self._line.remove(job)
            self._forget_old()

    def waiting(self) -> list[TrainingJob]:
        """The job in training, then the line in order (caller holds `lock`)."""
        return ([self._current] if self._current is not None else []) + list(self._line)

    def _work(self) -> None:
        """The worker: train the first job in line, then the next, until the line is empty."""
        while True:
            with self.lock:
                if not self._line:
                    self._worker = self._current = None
                    return
                self._current = job = self._line.popleft()
            job.run()  # never raises; tells `ended` before its readers wake
            with self.lock:
                self._current = None

    def _forget_old(self) -> None:
        """Keep only the KEEP_FINISHED newest finished jobs (caller holds `lock`); their results stay on disk."""
        finished = [job for job in self.jobs.values() if job.finished_at is not None]
        finished.sort(key=lambda job: job.finished_at, reverse=True)
        for job in finished[KEEP_FINISHED:]:
            if self.jobs.get(job.config.key) is job:
                del self.jobs[job.config.key]


_registry = _Registry()


def reset_registry(registry: _Registry | None = None) -> _Registry:
    """Put `registry` (default: an empty one) in place of this process's jobs; return the one it replaces.

    For tests, and for anything that must act as after a restart: jobs of the replaced registry keep
    running (its worker finishes its line), and passing it back restores them.
    """
    global _registry
    with _registry.lock:
        previous, _registry = _registry, _Registry() if registry is None else registry
    return previous


def stored_result(config: TrainConfig) -> store.StoredModel | None:
    """The finished (not stopped) model for `config` on disk, if a valid one exists (reads and hashes the file)."""
    try:
        stored = store.verify(config.model_path())
    except MnistStudioError:
        return None
    return None if stored.meta.stopped or stored.meta.key != config.key else stored


def _joinable(config: TrainConfig) -> TrainingJob | None:
    """The job to follow for `config`: in line, training or done (caller holds the registry's lock)."""
    job = _registry.jobs.get(config.key)
    return job if job is not None and job.snapshot().state in ("queued", "running", "done") else None


_asker: contextvars.ContextVar[str | None] = contextvars.ContextVar("training_owner", default=None)


@contextmanager
def asked_by(owner: str | None) -> Iterator[None]:
    """Within this block, trainings are asked by `owner` unless a call names its own (the app wraps each page
    run of a browser session in it, so every Start on any page counts for that session)."""
    token = _asker.set(owner)
    try:
        yield
    finally:
        _asker.reset(token)


def _check_room(config: TrainConfig, owner: str | None) -> None:
    """TrainingError in words when a new job for `config` asked by `owner` would be one too many or too long
    (caller holds the registry's lock)."""
    waiting = [job for job in _registry.waiting() if not job.snapshot().finished]
    if len(waiting) >= MAX_WAITING:
        raise TrainingError(f"{len(waiting)} trainings are already waiting their turn, the most this server takes "
                            "at once. Try again when one of them has finished.")
    if owner is not None and sum(job.owner == owner for job in waiting) >= MAX_PER_OWNER:
        raise TrainingError(f"You already have {MAX_PER_OWNER} trainings waiting or running, the most one visitor "
                            "can have. Wait for one to finish, or stop one, then start this one.")
    if host.public() and config.cpu_seconds > PUBLIC_SECONDS:
        minutes = max(1, round(config.cpu_seconds / 60))
        raise TrainingError(f"On this public server one training may take about {PUBLIC_SECONDS // 60} minutes at "
                            f"most; these settings would take about {minutes} minutes. Choose fewer passes or "
                            "fewer images.")


def start_training(config: TrainConfig, owner: str | None = None) -> TrainingJob:
    """Join the job for `config`, reuse its stored result, or put a new job at the end of the line.

    `owner` (default: the one of the enclosing `asked_by`) is who asks: a new job counts against their share
    of the line. Joining a job or reusing a result is never refused; a new job is refused with a TrainingError
    when the line is full, the owner has MAX_PER_OWNER jobs in it, or (public host) the work is too long.
    """
    config.validate()
    owner = owner if owner is not None else _asker.get()
    registry = _registry
    with registry.lock:
        job = _joinable(config)
    if job is not None:
        return job
    stored = stored_result(config)  # disk work, outside the lock; checked again under it below
    with registry.lock:
        job = _joinable(config)  # someone may have started it meanwhile: follow that one
        if job is None:
            if stored is None:
                _check_room(config, owner)
                job = TrainingJob(config, owner)
            else:
                job = TrainingJob.finished_from(stored, config)
            registry.add(job)
        return job


def disk_budget() -> int:
    """Bytes the trained results may take: MNIST_STUDIO_DISK_MB, else DISK_MB (PUBLIC_DISK_MB on a public host)."""
    try:
        megabytes = float(os.environ.get(DISK_ENV, ""))
    except ValueError:
        megabytes = PUBLIC_DISK_MB if host.public() else DISK_MB
    return int(max(0.0, megabytes) * 1e6)


def prune_results(budget: int | None = None, keep: tuple[Path, ...] = ()) -> list[Path]:
    """Delete the oldest trained results (model, sidecar, recording) until the models folder fits `budget` bytes
    (default: disk_budget()); returns the model paths deleted.

    Never `keep`, never a bundled model (they live beside the code, not here). A finished job of this process
    whose file goes is forgotten, so the next ask trains again. Temporary files and lone sidecars a killed save
    left behind (older than LEFTOVER_SECONDS) go too.
    """
    budget = disk_budget() if budget is None else budget
    folder = models_dir()
    if not folder.is_dir():
        return []
    now, results = time.time(), []
    for path in folder.iterdir():
        try:
            info = path.stat()
            stale = now - info.st_mtime > LEFTOVER_SECONDS
            if path.name.startswith(".") or (path.suffix == store.SIDECAR_SUFFIX and
                                             not path.with_suffix(store.MODEL_SUFFIX).exists()):
                if stale:  # a killed save's temporary, or the sidecar of a model it never renamed into place
                    path.unlink()
            elif path.suffix == store.MODEL_SUFFIX:
                companions = (store.sidecar_path(path), snapshots.path_for(path))
                size = info.st_size + sum(c.stat().st_size for c in companions if c.exists())
                results.append((info.st_mtime, size, path))
        except OSError:
            continue  # gone meanwhile: nothing to count
    total = sum(size for _, size, _ in results)
    kept = {Path(path) for path in keep}
    deleted = []
    for _, size, path in sorted(results):
        if total <= budget:
            break
        if path in kept:
            continue
        try:
            store.delete_model(path)
            snapshots.delete(path)
        except MnistStudioError as exc:
            log.warning("Could not prune %s: %s", path.name, exc)
            continue
        total -= size
        deleted.append(path)
    if deleted:
        log.info("Pruned %d old trained result(s) to keep the models folder under %d MB.", len(deleted),
                 budget // 1_000_000)
        with _registry.lock:  # a finished job whose file is gone would offer a result that is not there
            for key, job in list(_registry.jobs.items()):
                result = job.snapshot().result
                if job.snapshot().finished and result is not None and result.path in deleted:
                    del _registry.jobs[key]
    return deleted


def forget_result(config: TrainConfig) -> bool:
    """Forget the finished result of `config`, so that it can be trained again from scratch (live, for an audience
    that did not see the rehearsal): its model file, sidecar and learning snapshots are deleted, and the registry
    forgets its finished job. Every other setting's result stays, and so does a stopped run of these settings.

    Returns whether a result was on disk. TrainingError while a job for `config` waits in line or trains.
    """
    with _registry.lock:
        job = _registry.jobs.get(config.key)
    if job is not None and not job.snapshot().finished:
        raise TrainingError("This training is still running: stop it first, or wait for its result.")
    path = config.model_path()
    existed = store.delete_model(path)  # the pair under the store's lock; a reader never sees half of it
    snapshots.delete(path)
    with _registry.lock:
        if _registry.jobs.get(config.key) is job and job is not None:  # not one started meanwhile
            del _registry.jobs[config.key]
    return existed


def find_job(config: TrainConfig) -> TrainingJob | None:
    """The job for `config` in this process, if one was started and is not yet forgotten."""
    with _registry.lock:
        return _registry.jobs.get(config.key)


def active_jobs() -> list[TrainingJob]:
    """Jobs training or waiting in line now: the one training first, then the line in order."""
    with _registry.lock:
        return [job for job in _registry.waiting() if not job.snapshot().finished]
