"""The training line's changes in Redis, each one atomic: ask, claim, publish, finish, stop, recover.

Every change that reads before it writes runs in a WATCH/MULTI transaction (redis-py runs it again when a
watched key changed meanwhile), and an RQ job it hands to the workers is enqueued inside the same
transaction: no two app servers admit the ninth training, and no training waits without its RQ job.
A worker refreshes its training's heartbeat every BEAT_SECONDS; whoever finds it gone (an app server or CLI
following the training, or any worker's sweep) puts the training back at the front of the line once, then
ends it with a plain message. A worker lost after RQ handed it a training and before it claimed it (its
work-horse killed as it started) leaves no heartbeat to miss: the sweep finds that training by its RQ job.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .. import snapshots
from ..config import TrainConfig
from ..errors import TrainingError
from ..training.progress import Progress
from . import codec
from .connection import LINE, RQ_QUEUE, alive_key, job_key, learned_key, progress_key, rq_id, text

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # a training whose worker was lost runs again once, then ends with a message
BEAT_SECONDS = 2.0  # a training worker refreshes its heartbeat this often...
ALIVE_SECONDS = 20  # ...and one not refreshed for this long was lost (a worker killed, a machine gone)
KEEP_SECONDS = 3600  # a finished training's state stays this long for whoever still follows it; results are on disk
TRAINING_TIMEOUT = 24 * 3600  # RQ's limit for one training: a day
WORK = "mnist_core.remote.work.train"  # the RQ job a worker runs, by name: the app never imports it
STOPPED_WAITING = "Stopped before it started."


def ask(client: "redis.Redis", config: TrainConfig, owner: str | None, max_waiting: int, max_per_owner: int) -> bool:
    """Put `config` at the end of the line, unless it waits or trains already (then it is joined): True when new.

    TrainingError in words when the line holds `max_waiting` trainings, or `max_per_owner` of `owner`'s.
    """
    key = config.key

    def admit(pipe) -> bool:
        if pipe.hget(job_key(key), "state") in (b"queued", b"running"):
            return False
        line = [entry.decode() for entry in pipe.lrange(LINE, 0, -1)]
        if len(line) >= max_waiting:
            raise TrainingError(f"{len(line)} trainings are already waiting their turn, the most the training line "
                                "takes at once. Try again when one of them has finished.")
        if owner is not None and sum(pipe.hget(job_key(entry), "owner") == owner.encode() for entry in line) \
                >= max_per_owner:
            raise TrainingError(f"You already have {max_per_owner} trainings waiting or running, the most one "
                                "visitor can have. Wait for one to finish, or stop one, then start this one.")
        pipe.multi()
        pipe.delete(job_key(key), progress_key(key), learned_key(key), alive_key(key))
        pipe.hset(job_key(key), mapping={"config": json.dumps(asdict(config)), "owner": owner or "",
                                         "state": "queued", "attempt": 1, "worker": "", "stop": 0,
                                         "asked": repr(time.time())})
        pipe.set(progress_key(key), codec.dump_progress(waiting(config)))
        pipe.rpush(LINE, key)
        _enqueue(client, pipe, key, attempt=1)
        return True

    return client.transaction(admit, LINE, job_key(key), value_from_callable=True)


def claim(client: "redis.Redis", key: str, attempt: int, worker: str) -> tuple[TrainConfig, str | None] | None:
    """A worker takes its training (queued -> running, heartbeat on): its config and owner, or None when it was
    stopped while it waited, or this RQ job is an earlier attempt's."""

    def take(pipe):
        fields = text(pipe.hgetall(job_key(key)))
        if fields.get("state") != "queued" or int(fields.get("attempt", 0)) != attempt:
            return None
        config = TrainConfig(**json.loads(fields["config"]))
        pipe.multi()
        pipe.hset(job_key(key), mapping={"state": "running", "worker": worker})
        pipe.set(alive_key(key), worker, ex=ALIVE_SECONDS)
        pipe.set(progress_key(key), codec.dump_progress(replace(waiting(config), state="running")))
        pipe.delete(learned_key(key))
        return config, fields["owner"] or None

    return client.transaction(take, job_key(key), value_from_callable=True)


def publish(client: "redis.Redis", key: str, attempt: int, worker: str, progress: Progress,
            sent: list[snapshots.Snapshot], final: bool = False) -> bool:
    """Write a worker's progress (the pictures it has not sent yet, into `sent`) and refresh its heartbeat; with
    `final`, end the training and leave the line. False when the training is no longer this worker's (it was
    taken for lost and given to another): nothing is written then."""
    learned = list(progress.learned)
    first = next((i for i, (new, old) in enumerate(zip(learned, sent)) if new is not old), min(len(learned), len(sent)))

    def write(pipe) -> bool:
        fields = text(pipe.hgetall(job_key(key)))
        if fields.get("state") != "running" or fields.get("worker") != worker or fields.get("attempt") != str(attempt):
            return False
        pipe.multi()
        pipe.set(progress_key(key), codec.dump_progress(progress))
        for index in range(first, len(learned)):
            if index < len(sent):
                pipe.lset(learned_key(key), index, codec.dump_snapshot(learned[index]))
            else:
                pipe.rpush(learned_key(key), codec.dump_snapshot(learned[index]))
        if final:
            pipe.hset(job_key(key), mapping={"state": progress.state, "error": progress.error or ""})
            _leave(pipe, key)
        else:
            pipe.set(alive_key(key), worker, ex=ALIVE_SECONDS)
        return True

    written = client.transaction(write, job_key(key), value_from_callable=True)
    if written:
        sent[:] = learned
    return written


def stop(client: "redis.Redis", key: str) -> None:
    """Stop a training: one waiting leaves the line at once; one training is told through its stop flag."""

    def ask_to_stop(pipe) -> None:
        fields = text(pipe.hgetall(job_key(key)))
        state = fields.get("state")
        if state not in ("queued", "running"):
            return
        pipe.multi()
        if state == "queued":
            config = TrainConfig(**json.loads(fields["config"]))
            _end(pipe, key, replace(waiting(config), state="stopped", error=STOPPED_WAITING))
        else:
            pipe.hset(job_key(key), "stop", 1)

    client.transaction(ask_to_stop, job_key(key))


def sweep(client: "redis.Redis") -> None:
    """Recover every training in line whose worker was lost (any worker runs this every few seconds)."""
    keys = [entry.decode() for entry in client.lrange(LINE, 0, -1)]
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.hmget(job_key(key), "state", "attempt")
            pipe.exists(alive_key(key))
        answers = pipe.execute()
    for key, (state, attempt), alive in zip(keys, answers[::2], answers[1::2]):
        if state is None:
            client.lrem(LINE, 0, key)  # its state expired or was deleted: nothing waits for it
        elif state == b"running" and not alive:
            recover(client, key)
        elif state == b"queued" and (lost := unclaimed(client, key, int(attempt))) is not None:
            recover_unclaimed(client, key, int(attempt), lost)


def unclaimed(client: "redis.Redis", key: str, attempt: int) -> str | None:
    """The worker RQ handed this attempt to, when it will never claim it: its RQ job failed or is gone, or
    started more than ALIVE_SECONDS ago and the training still waits ("" when RQ did not record the worker).
    None while the job waits for a worker, or is being taken."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus
    from rq.serializers import JSONSerializer

    try:
        job = Job.fetch(rq_id(key, attempt), connection=client, serializer=JSONSerializer)
    except NoSuchJobError:
        return ""
    status = job.get_status(refresh=False)
    started = job.started_at.replace(tzinfo=job.started_at.tzinfo or timezone.utc) if job.started_at else None
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED) or (
            status == JobStatus.STARTED and started is not None
            and (datetime.now(timezone.utc) - started).total_seconds() > ALIVE_SECONDS):
        return job.worker_name or ""
    return None


def recover(client: "redis.Redis", key: str) -> None:
    """A training whose worker stopped refreshing its heartbeat: back to the front of the line for its next
    attempt, or, after MAX_ATTEMPTS (or when it was asked to stop), ended with a message in words."""

    def check(pipe) -> None:
        fields = text(pipe.hgetall(job_key(key)))
        if fields.get("state") != "running" or pipe.exists(alive_key(key)):
            return
        _again_or_end(client, pipe, key, fields, fields["worker"])

    client.transaction(check, job_key(key), alive_key(key))


def recover_unclaimed(client: "redis.Redis", key: str, attempt: int, worker: str) -> None:
    """As `recover`, for a training RQ handed to `worker` that was lost before it claimed it."""

    def check(pipe) -> None:
        fields = text(pipe.hgetall(job_key(key)))
        if fields.get("state") != "queued" or int(fields.get("attempt", 0)) != attempt:
            return  # claimed meanwhile, or recovered by another sweep
        _again_or_end(client, pipe, key, fields, worker)

    client.transaction(check, job_key(key))


def _again_or_end(client: "redis.Redis", pipe, key: str, fields: dict[str, str], worker: str) -> None:
    """The lost training's next attempt at the front of the line, or its end in words (inside `pipe`'s WATCH)."""
    config, attempt = TrainConfig(**json.loads(fields["config"])), int(fields["attempt"])
    pipe.multi()
    if attempt < MAX_ATTEMPTS and fields.get("stop") != "1":
        log.warning("Training %s lost its worker %s; it goes back to the front of the line.", key, worker or "?")
        pipe.hset(job_key(key), mapping={"state": "queued", "attempt": attempt + 1, "worker": "", "lost": worker})
        pipe.set(progress_key(key), codec.dump_progress(waiting(config)))
        pipe.delete(learned_key(key))
        _enqueue(client, pipe, key, attempt=attempt + 1, at_front=True)
        return
    log.warning("Training %s lost its worker %s on attempt %d; it ends.", key, worker or "?", attempt)
    before = f", as did the one before it ({fields['lost']})" if fields.get("lost") else ""
    error = (f"The computer training this{f' ({worker})' if worker else ''} stopped answering{before}. What it had "
             "learned is lost. Press Start to try again; if it happens again, ask whoever runs the training workers "
             "to check them.")
    _end(pipe, key, replace(waiting(config), state="failed", error=error))


def waiting(config: TrainConfig) -> Progress:
    """The progress of a training that has not started."""
    return Progress(config=config, state="queued", total_steps=config.total_steps)


def line_keys(client: "redis.Redis") -> Sequence[str]:
    """The keys of the trainings waiting or training, in the order they were asked for."""
    return [entry.decode() for entry in client.lrange(LINE, 0, -1)]


def _end(pipe, key: str, progress: Progress) -> None:
    """Inside a transaction: the training ends with `progress` and leaves the line."""
    pipe.set(progress_key(key), codec.dump_progress(progress))
    pipe.hset(job_key(key), mapping={"state": progress.state, "error": progress.error or ""})
    _leave(pipe, key)


def _leave(pipe, key: str) -> None:
    pipe.lrem(LINE, 0, key)
    pipe.delete(alive_key(key))
    for name in (job_key(key), progress_key(key), learned_key(key)):
        pipe.expire(name, KEEP_SECONDS)


def _enqueue(client: "redis.Redis", pipe, key: str, attempt: int, at_front: bool = False) -> None:
    """The RQ job of `key`'s `attempt`, queued inside the caller's transaction."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    Queue(RQ_QUEUE, connection=client, serializer=JSONSerializer).enqueue_call(
        WORK, args=[key, attempt], job_id=rq_id(key, attempt), timeout=TRAINING_TIMEOUT, result_ttl=KEEP_SECONDS,
        failure_ttl=KEEP_SECONDS, at_front=at_front, pipeline=pipe)
