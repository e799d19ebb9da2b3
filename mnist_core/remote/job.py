"""A training in the Redis line as an app server or the CLI sees it: `RemoteJob`, with the interface of the
in-process TrainingJob that the pages use (config, owner, snapshot, stop, wait, stoppable_by).

One reader per training and process (`_readers`), so every browser session's poll is served from one cache,
refreshed at most every REFRESH_SECONDS with one round trip; learning pictures are fetched once each.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import host, snapshots
from ..config import TrainConfig
from ..training.job import TrainingJob
from ..training.progress import Progress
from ..training.results import stored_result
from . import codec, line
from .connection import RQ_QUEUE, alive_key, connect, job_key, learned_key, progress_key, talking, text

if TYPE_CHECKING:
    import redis

REFRESH_SECONDS = 0.25  # a reader asks Redis at most this often, however many pages poll it
WAIT_POLL_SECONDS = 0.25
KEEP_READERS = 32  # readers kept per process, the least recently used dropped (they are made again on demand)
LOST = ("This training was lost from the training line (its Redis server was restarted or emptied) before it "
        "finished. Press Start to train it again.")


class RemoteJob:
    """A training queued in Redis and trained by an RQ worker, followed from here."""

    def __init__(self, client: "redis.Redis", config: TrainConfig, owner: str | None) -> None:
        self.config = config
        self.owner = owner  # who asked first (a browser session's id), None for the CLI or a script
        self.worker = ""  # the worker training it, or that trained it ("" before one took it)
        self._client = client
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._read_at = 0.0
        self._run: tuple[str, str] | None = None  # (asked, attempt): a new run's pictures replace the old ones
        self._learned: list[snapshots.Snapshot] = []

    def stoppable_by(self, owner: str | None) -> bool:
        """Whether `owner` may stop it: anyone in a classroom; on a public host only whoever started it."""
        return not host.public() or self.owner is None or owner == self.owner

    def snapshot(self) -> Progress:
        with self._lock:
            if self._progress is None or time.monotonic() - self._read_at >= REFRESH_SECONDS:
                self._progress = self._read()
                self._read_at = time.monotonic()
            return self._progress

    def refresh(self) -> None:
        """The next snapshot asks Redis, however fresh the last one is."""
        with self._lock:
            self._read_at = 0.0
            self._progress = None

    def stop(self) -> None:
        """Stop after the current batch (any server may ask; the worker checks between batches), or leave the line
        at once while still waiting."""
        with talking():
            line.stop(self._client, self.config.key)
        self.refresh()  # the next snapshot shows it

    def wait(self, timeout: float | None = None) -> Progress:
        """The progress once finished, or when `timeout` seconds have passed; a lost worker is noticed meanwhile."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            progress = self.snapshot()
            left = None if deadline is None else deadline - time.monotonic()
            if progress.finished or (left is not None and left <= 0):
                return progress
            time.sleep(WAIT_POLL_SECONDS if left is None else min(WAIT_POLL_SECONDS, left))

    def _read(self) -> Progress:
        with talking():
            fields, raw, count = self._fetch()
            if not fields:
                return self._forgotten()
            run = (fields.get("asked", ""), fields.get("attempt", ""))
            if run != self._run or count < len(self._learned):
                self._run, self._learned = run, []
            if count:  # the last picture again (a run's final one replaces one at the same step), then the new ones
                first = max(0, len(self._learned) - 1)
                fetched = self._client.lrange(learned_key(self.config.key), first, -1)
                self._learned[first:] = [codec.load_snapshot(item) for item in fetched]
        self.worker = fields.get("worker") or ""
        progress = codec.load_progress(raw, tuple(self._learned))
        return replace(progress, state=fields["state"],
                       stopping=progress.stopping or (fields["state"] == "running" and fields.get("stop") == "1"))

    def _fetch(self) -> tuple[dict[str, str], bytes | None, int]:
        """The training's state, progress and picture count in one round trip; a lost worker's training is
        recovered first (line.recover), so a reader never waits on a dead worker."""
        key = self.config.key
        for _ in range(2):
            with self._client.pipeline(transaction=False) as pipe:
                pipe.hgetall(job_key(key)).get(progress_key(key)).llen(learned_key(key)).exists(alive_key(key))
                fields, raw, count, alive = pipe.execute()
            fields = text(fields)
            if fields.get("state") != "running" or alive:
                break
            line.recover(self._client, key)
        return (fields, raw, count) if raw is not None else ({}, None, 0)

    def _forgotten(self) -> Progress:
        """No trace of it in Redis (restarted, emptied, or kept past line.KEEP_SECONDS): the result on disk if there
        is one, else how it ended as last seen, else a plain message."""
        stored = stored_result(self.config)
        if stored is not None:
            return TrainingJob.finished_from(stored, self.config).snapshot()
        if self._progress is not None and self._progress.finished:
            return self._progress
        return replace(line.waiting(self.config), state="failed", error=LOST)


_readers: OrderedDict[str, RemoteJob] = OrderedDict()
_readers_lock = threading.Lock()


def _reader(client: "redis.Redis", config: TrainConfig, owner: str | None) -> RemoteJob:
    with _readers_lock:
        job = _readers.get(config.key)
        if job is None or job._client is not client:
            job = _readers[config.key] = RemoteJob(client, config, owner)
        _readers.move_to_end(config.key)
        while len(_readers) > KEEP_READERS:
            _readers.popitem(last=False)
        job.owner = owner
        return job


def start_training(config: TrainConfig, owner: str | None, max_waiting: int, max_per_owner: int) -> RemoteJob:
    """Join the training of `config` waiting or training anywhere, or put it at the end of the Redis line."""
    client = connect()
    with talking():
        line.ask(client, config, owner, max_waiting, max_per_owner)
        asked = client.hget(job_key(config.key), "owner")
    job = _reader(client, config, (asked or b"").decode() or None)
    job.refresh()  # a new training for settings this process followed before: not the old one's progress
    return job


def find_job(config: TrainConfig) -> RemoteJob | None:
    """The training of `config` in the line, or ended there lately (not one whose model was deleted since)."""
    client = connect()
    with talking():
        owner = client.hget(job_key(config.key), "owner")
    if owner is None:
        return None
    job = _reader(client, config, owner.decode() or None)
    progress = job.snapshot()
    if progress.state in ("done", "stopped") and (progress.result is None or not progress.result.path.exists()):
        return None  # pruned or forgotten: the next ask trains it again
    return job


def active_jobs() -> list[RemoteJob]:
    """Trainings training anywhere, then those waiting, each group in the order they were asked for."""
    client = connect()
    with talking():
        keys = line.line_keys(client)
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hmget(job_key(key), ["config", "owner"])
            asked = pipe.execute()  # one round trip for the whole line
    jobs = [_reader(client, TrainConfig(**json.loads(config)), owner.decode() or None)
            for config, owner in asked if config is not None]
    snaps = [(job, job.snapshot()) for job in jobs]
    return ([job for job, snap in snaps if snap.state == "running"] +
            [job for job, snap in snaps if snap.state == "queued"])


def places() -> int:
    """How many trainings can run at once: the workers listening to the line now (0 when none is)."""
    from rq import Queue, Worker

    client = connect()
    with talking():
        return Worker.count(queue=Queue(RQ_QUEUE, connection=client))
