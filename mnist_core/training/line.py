"""The line trainings wait in: jobs by setting, first come first served, one worker thread, and its bounds.

`start_training(config)` returns, in this order: the job already running or queued for that key (so every
browser session follows one job), a finished result from disk (never train the same thing twice), or a new
job at the end of the line. The registry keeps the jobs in line, the one training, and only the
`KEEP_FINISHED` newest finished jobs; older results stay on disk and are served from there. Nothing touches
the disk while the registry's lock is held, so a slow disk never stalls the pages that ask about jobs.

With MNIST_STUDIO_QUEUE set, the line is the one in Redis that every app server and the CLI share
(mnist_core.remote, imported only then): `start_training`, `find_job` and `active_jobs` go there, under the
same bounds, and RQ workers train; results are served from the shared store folder as here.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .. import host, snapshots, store
from ..config import TrainConfig
from ..errors import TrainingError
from ..remote import queue_url
from .job import TrainingJob
from .results import stored_result

if TYPE_CHECKING:
    from ..remote.job import RemoteJob

MAX_RUNNING = 1  # one worker trains; two TensorFlow jobs on a laptop CPU only slow each other down
MAX_WAITING = 8  # trainings in line at once, the one training included: more is refused until one ends
MAX_PER_OWNER = 2  # of those, asked by one owner (a browser session); the CLI's asks have no owner
# A public host (host.public()) caps one training at about this many seconds of this machine's time, estimated
# from config.CPU_IMAGES_PER_SECOND before it starts (a GPU is only faster): a few minutes, whatever the settings.
PUBLIC_SECONDS = 180
KEEP_FINISHED = 16  # finished jobs kept in memory (pages show and replay them); older ones are read from disk


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
            job.engine = self
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

    def forget_results(self, deleted: list[Path]) -> None:
        """Pruning deleted these models: their finished jobs go, or they would offer a result that is not there."""
        with self.lock:
            for key, job in list(self.jobs.items()):
                progress = job.snapshot()
                if progress.finished and progress.result is not None and progress.result.path in deleted:
                    del self.jobs[key]

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
    _check_work(config)


def _check_work(config: TrainConfig) -> None:
    """TrainingError in words when `config` is more work than one training may be on a public host."""
    if host.public() and config.cpu_seconds > PUBLIC_SECONDS:
        minutes = max(1, round(config.cpu_seconds / 60))
        raise TrainingError(f"On this public server one training may take about {PUBLIC_SECONDS // 60} minutes at "
                            f"most; these settings would take about {minutes} minutes. Choose fewer passes or "
                            "fewer images.")


def start_training(config: TrainConfig, owner: str | None = None) -> TrainingJob | RemoteJob:
    """Join the job for `config`, reuse its stored result, or put a new job at the end of the line.

    `owner` (default: the one of the enclosing `asked_by`) is who asks: a new job counts against their share
    of the line. Joining a job or reusing a result is never refused; a new job is refused with a TrainingError
    when the line is full, the owner has MAX_PER_OWNER jobs in it, or (public host) the work is too long.
    """
    config.validate()
    owner = owner if owner is not None else _asker.get()
    remote = _remote_line()
    if remote is not None:  # joined anywhere, or at the end of the Redis line; a result on disk as below
        found = remote.find_job(config)
        if found is not None and found.snapshot().state in ("queued", "running", "done"):
            return found
    registry = _registry
    with registry.lock:
        job = _joinable(config)
    if job is not None:
        return job
    stored = stored_result(config)  # disk work, outside the lock; checked again under it below
    with registry.lock:
        job = _joinable(config)  # someone may have started it meanwhile: follow that one
        if job is None:
            if stored is None and remote is not None:
                _check_work(config)  # the Redis line counts its own bounds, in Redis, outside this lock
            elif stored is None:
                _check_room(config, owner)
                job = TrainingJob(config, owner)
            else:
                job = TrainingJob.finished_from(stored, config)
            if job is not None:
                registry.add(job)
    if job is None:  # a new training for the Redis line, asked there outside this lock
        return remote.start_training(config, owner, MAX_WAITING, MAX_PER_OWNER)
    return job


def _remote_line() -> ModuleType | None:
    """The Redis line (mnist_core.remote.job) when MNIST_STUDIO_QUEUE is set, imported only then; else None."""
    if queue_url() is None:
        return None
    from ..remote import job

    return job


def train_afresh(job: TrainingJob) -> None:
    """Put `job` in line to train afresh, ignoring a stored result (benchmarks; the app uses start_training): it
    joins the end of the line like any other job, under the same bounds, and trains when its turn comes.

    TrainingError when the line is full, or a job for the same settings is waiting or training.
    """
    with _registry.lock:
        other = _registry.jobs.get(job.config.key)
        if other is not None and not other.snapshot().finished:
            raise TrainingError("A training with these settings is already waiting or running.")
        _check_room(job.config, job.owner)
        _registry.add(job)


def forget_result(config: TrainConfig) -> bool:
    """Forget the finished result of `config`, so that it can be trained again from scratch (live, for an audience
    that did not see the rehearsal): its model file, sidecar and learning snapshots are deleted, and the registry
    forgets its finished job. Every other setting's result stays, and so does a stopped run of these settings.

    Returns whether a result was on disk. TrainingError while a job for `config` waits in line or trains.
    """
    job = find_job(config)  # on the Redis line too, when there is one
    if job is not None and not job.snapshot().finished:
        raise TrainingError("This training is still running: stop it first, or wait for its result.")
    path = config.model_path()
    existed = store.delete_model(path)  # the pair under the store's lock; a reader never sees half of it
    snapshots.delete(path)
    with _registry.lock:
        if _registry.jobs.get(config.key) is job and job is not None:  # not one started meanwhile
            del _registry.jobs[config.key]
    return existed


def find_job(config: TrainConfig) -> TrainingJob | RemoteJob | None:
    """The job for `config` on the Redis line, or in this process, if one was started and is not yet forgotten."""
    remote = _remote_line()
    found = remote.find_job(config) if remote is not None else None
    if found is not None:
        return found
    with _registry.lock:
        return _registry.jobs.get(config.key)


def active_jobs() -> list[TrainingJob] | list[RemoteJob]:
    """Jobs training or waiting in line now: the one training first, then the line in order (on the Redis line,
    every training anywhere)."""
    remote = _remote_line()
    if remote is not None:
        return remote.active_jobs()
    with _registry.lock:
        return [job for job in _registry.waiting() if not job.snapshot().finished]


def places() -> int:
    """How many trainings can run at once: this server's MAX_RUNNING, or on the Redis line its workers (0 while
    none is listening: trainings then wait until one starts)."""
    remote = _remote_line()
    return remote.places() if remote is not None else MAX_RUNNING
