"""The Redis line without workers: what app servers and the CLI see and may do (a worker is played by hand
through line.claim and line.publish, as mnist_core.remote.work does)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from mnist_core import snapshots, training
from mnist_core.bench.server import free_port
from mnist_core.errors import TrainingError
from mnist_core.remote import QUEUE_ENV, codec, line
from mnist_core.remote.job import REFRESH_SECONDS
from mnist_core.remote.connection import LINE, RQ_QUEUE, alive_key, connect, rq_id
from mnist_core.training import BatchPoint, TrainConfig


def config(seed: int, model: str = "softmax") -> TrainConfig:
    return TrainConfig.for_model(model, epochs=1, limit=500, seed=seed)


def rq_job_ids(client) -> list[str]:
    from rq import Queue

    return Queue(RQ_QUEUE, connection=client).job_ids


def test_same_settings_asked_twice_join_one_rq_job(client) -> None:
    first = training.start_training(config(1), owner="a")
    again = training.start_training(config(1), owner="b")
    assert again is first and first.owner == "a"  # the first asker owns it
    assert training.find_job(config(1)) is first
    assert rq_job_ids(client) == [rq_id(config(1).key, 1)]  # the job id comes from the config key
    assert first.snapshot().state == "queued"


def test_first_come_first_served(client) -> None:
    asked = [training.start_training(config(seed)) for seed in (3, 1, 2)]
    assert [job.config.key for job in training.active_jobs()] == [job.config.key for job in asked]
    assert rq_job_ids(client) == [rq_id(job.config.key, 1) for job in asked]
    line.claim(connect(), asked[2].config.key, 1, "w1")
    time.sleep(REFRESH_SECONDS)  # each server reads the line at most this often
    assert [job.config.seed for job in training.active_jobs()] == [2, 3, 1]  # the one training first


def test_the_line_is_bounded_in_redis_even_when_asked_at_once(client) -> None:
    errors: list[str] = []

    def ask(seed: int) -> None:
        try:
            training.start_training(config(seed))
        except TrainingError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=ask, args=(seed,)) for seed in range(training.MAX_WAITING + 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.llen(LINE) == training.MAX_WAITING
    assert len(errors) == 4 and all("the most the training line takes at once" in error for error in errors)


def test_one_owner_has_at_most_two_in_line(client) -> None:
    for seed in range(training.MAX_PER_OWNER):
        training.start_training(config(seed), owner="me")
    with pytest.raises(TrainingError, match="You already have 2 trainings"):
        training.start_training(config(9), owner="me")
    training.start_training(config(9), owner="someone else")
    training.start_training(config(0), owner="me")  # joining is never refused


def test_cancel_while_waiting_leaves_the_line_at_once(client) -> None:
    job = training.start_training(config(1))
    job.stop()
    progress = job.wait(timeout=5)
    assert progress.state == "stopped" and progress.error == line.STOPPED_WAITING
    assert client.llen(LINE) == 0 and training.active_jobs() == []
    assert line.claim(connect(), config(1).key, 1, "w1") is None  # its RQ job finds nothing to do


def picture(step: int) -> snapshots.Snapshot:
    return snapshots.Snapshot(step=step, epoch=step / 5, elapsed=step / 10, kind="templates",
                              pictures=np.full((10, 28, 28), step, np.float32), predictions=np.arange(20) % 10)


def test_progress_pictures_and_stop_travel_through_redis(client) -> None:
    job = training.start_training(config(1))
    redis_client, key, sent = connect(), config(1).key, []
    line.claim(redis_client, key, 1, "w1")
    running = replace(line.waiting(config(1)), state="running", step=3, elapsed=0.5, device="CPU",
                      batches=(BatchPoint(3, 0.6, 1.5, 0.4),), learned=(picture(0), picture(3)))
    assert line.publish(redis_client, key, 1, "w1", running, sent)
    seen = job.wait(timeout=0.5)
    assert (seen.state, seen.step, seen.batches, job.worker) == ("running", 3, running.batches, "w1")
    assert [shot.step for shot in seen.learned] == [0, 3]
    np.testing.assert_array_equal(seen.learned[1].pictures, picture(3).pictures)
    job.stop()  # from any server: the worker reads the flag
    assert job.snapshot().stopping and client.hget(f"mnist_studio:job:{key}", "stop") == b"1"
    final = replace(running, state="stopped", learned=(picture(0), picture(5)))  # the last picture replaced
    assert line.publish(redis_client, key, 1, "w1", final, sent, final=True)
    ended = job.wait(timeout=5)
    assert ended.state == "stopped" and [shot.step for shot in ended.learned] == [0, 5]
    assert client.llen(LINE) == 0 and not client.exists(alive_key(key))


def test_a_lost_worker_runs_again_once_at_the_front_then_ends_in_words(client) -> None:
    job = training.start_training(config(1))
    training.start_training(config(2))
    redis_client, key = connect(), config(1).key
    line.claim(redis_client, key, 1, "w1")
    client.delete(alive_key(key))  # as when the heartbeat's time runs out: the worker was killed
    assert job.wait(timeout=0.5).state == "queued"  # the reader noticed, and put it back
    assert rq_job_ids(client)[0] == rq_id(key, 2)  # at the front of the line
    assert line.claim(redis_client, key, 1, "w1") is None  # the first attempt's job is stale
    line.claim(redis_client, key, 2, "w2")
    assert not line.publish(redis_client, key, 1, "w1", job.snapshot(), [])  # w1 back from the dead: not its own
    client.delete(alive_key(key))
    line.sweep(redis_client)  # a worker's sweep notices as well
    progress = job.wait(timeout=1)
    assert progress.state == "failed" and not progress.unexpected
    assert "(w2) stopped answering, as did the one before it (w1)" in progress.error
    assert "Press Start" in progress.error
    assert [job.config.seed for job in training.active_jobs()] == [2]


def handed_to_a_worker(client, key: str, attempt: int, status: str, seconds_ago: float = 0.0,
                       worker: str | None = None) -> None:
    """As RQ leaves a job its worker took: out of the queue, `status`, started `seconds_ago` by `worker`."""
    from rq import Queue
    from rq.job import Job
    from rq.serializers import JSONSerializer

    job = Job.fetch(rq_id(key, attempt), connection=client, serializer=JSONSerializer)
    Queue(RQ_QUEUE, connection=client, serializer=JSONSerializer).remove(job)
    job.set_status(status)
    job.started_at, job.worker_name = datetime.now(timezone.utc) - timedelta(seconds=seconds_ago), worker
    job.save()


def test_a_worker_lost_before_it_took_its_training_is_found_by_the_sweep(client) -> None:
    # RQ hands a training to a worker, whose work-horse is killed before it claims it: no heartbeat ever
    # started, so only the training's RQ job tells that nobody will train it.
    job = training.start_training(config(1))
    training.start_training(config(2))
    redis_client, key = connect(), config(1).key
    handed_to_a_worker(client, key, 1, "failed")  # RQ saw the work-horse die
    line.sweep(redis_client)
    assert rq_job_ids(client) == [rq_id(key, 2), rq_id(config(2).key, 1)]  # again, at the front; the other waits
    assert job.wait(timeout=0.5).state == "queued"
    handed_to_a_worker(client, key, 2, "started", seconds_ago=1, worker="w9")  # being taken: left alone
    line.sweep(redis_client)
    assert job.wait(timeout=0.5).state == "queued" and rq_id(key, 3) not in rq_job_ids(client)
    handed_to_a_worker(client, key, 2, "started", seconds_ago=line.ALIVE_SECONDS + 5, worker="w9")  # machine gone
    line.sweep(redis_client)
    progress = job.wait(timeout=1)
    assert progress.state == "failed" and "(w9) stopped answering" in progress.error and "Press Start" in progress.error
    assert [job.config.seed for job in training.active_jobs()] == [2]
    assert training.find_job(config(2)).snapshot().state == "queued"


def test_a_line_redis_forgot_ends_in_words(client) -> None:
    job = training.start_training(config(1))
    client.flushdb()
    progress = job.wait(timeout=1)
    assert progress.state == "failed" and "Press Start to train it again" in progress.error


def test_redis_unreachable_is_a_message_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv(QUEUE_ENV, url)
    with pytest.raises(TrainingError, match=f"{QUEUE_ENV}={url} cannot be reached.*unset {QUEUE_ENV}"):
        training.start_training(config(1))
    monkeypatch.delenv(QUEUE_ENV)  # the shared teardown asks the line for jobs left running


def test_pictures_from_redis_are_checked_and_paths_stay_in_the_store() -> None:
    assert codec.load_snapshot(codec.dump_snapshot(picture(2))).step == 2
    with pytest.raises(TrainingError):
        codec.load_snapshot('{"kind": "os.system", "step": 1}')
    done = replace(line.waiting(config(1)), state="done")
    text = codec.dump_progress(done).replace('"result": null', '"result": {"file": "../../etc/x.keras", "meta": {}}')
    with pytest.raises(TrainingError):
        codec.load_progress(text)


def test_without_a_queue_nothing_imports_redis_or_rq(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(QUEUE_ENV, raising=False)
    code = ("import sys, mnist_core.cli as cli, mnist_core.training as t; t.find_job(t.TrainConfig.for_model('fast'));"
            "t.active_jobs(); assert not {'redis', 'rq'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
