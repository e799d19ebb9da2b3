"""The training engine: one job per configuration, disk cache, stop, failures, live metrics."""

from __future__ import annotations

import threading
import time

import pytest

from mnist_core import training
from mnist_core.errors import MnistStudioError, TrainingError
from mnist_core.training import TrainConfig, start_training
from training_gate import Gate, gate  # noqa: F401 - gate is a fixture


def test_key_is_stable_and_changes_with_any_setting():
    config = TrainConfig.for_model("softmax", limit=1000)
    assert config.key == TrainConfig.for_model("softmax", limit=1000).key
    assert len(config.key) == 16
    assert config.key != TrainConfig.for_model("softmax", limit=1001).key
    assert config.key != TrainConfig.for_model("softmax", limit=1000, seed=1).key


@pytest.mark.parametrize("change, message", [
    ({"epochs": 0}, "epochs"), ({"limit": 5}, "limit"), ({"learning_rate": -1.0}, "learning_rate"),
])
def test_invalid_settings_are_explained(change, message):
    with pytest.raises(TrainingError, match=message):
        TrainConfig.for_model("softmax", **change)


def test_finished_result_is_served_from_disk():
    config = TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=11)
    first = start_training(config).wait(timeout=120)
    assert first.state == "done" and not first.cached
    training.reset_registry()  # as if the process had restarted
    second = start_training(config)
    assert second.snapshot().cached
    assert second.snapshot().test_accuracy == first.test_accuracy
    assert second.snapshot().result.path == first.result.path


def test_concurrent_callers_share_one_job():
    config = TrainConfig.for_model("softmax", epochs=2, limit=3000, seed=12)
    jobs: list[training.TrainingJob] = []
    threads = [threading.Thread(target=lambda: jobs.append(start_training(config))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(job) for job in jobs}) == 1
    assert jobs[0].wait(timeout=120).state == "done"


def test_stop_keeps_the_model_marked_stopped_and_is_not_cached():
    config = TrainConfig.for_model("keras_cnn", epochs=3, limit=6000, batch_size=32, seed=13)
    job = start_training(config)
    while job.snapshot().step < 5 and not job.snapshot().finished:
        job.wait(timeout=0.05)
    job.stop()
    progress = job.wait(timeout=120)
    assert progress.state == "stopped"
    assert progress.step < config.total_steps
    assert progress.result.meta.stopped is True
    # A stopped run has a path of its own: a finished run of the same settings never overwrites it.
    assert progress.result.path == config.model_path(stopped=True) != config.model_path()
    # A stopped run is not a finished result: asking again trains afresh.
    assert training.results.stored_result(config) is None
    again = start_training(config)
    assert again is not job and not again.snapshot().cached
    again.stop()
    again.wait(timeout=120)


def test_progress_reports_metrics_while_running():
    config = TrainConfig.for_model("fast", epochs=2, limit=2000, seed=14)
    job = start_training(config)
    seen_steps = set()
    while not job.snapshot().finished:
        snapshot = job.wait(timeout=0.1)
        seen_steps.add(snapshot.step)
    progress = job.snapshot()
    assert progress.state == "done", progress.error
    # Readers saw the job part-way, not only its start and end.
    assert len(seen_steps - {0, config.total_steps}) >= 1
    assert [point.epoch for point in progress.epochs] == [1, 2]
    assert all(0 <= point.accuracy <= 1 and point.loss > 0 for point in progress.batches)
    assert progress.device in ("CPU", "GPU") and progress.images_per_second > 0


def test_a_failing_job_reports_its_error(monkeypatch):
    def no_data(limit):
        raise MnistStudioError("MNIST could not be loaded.")

    monkeypatch.setattr(training.run, "prepared_data", no_data)
    progress = start_training(TrainConfig.for_model("softmax", limit=1000, seed=15)).wait(timeout=30)
    assert progress.state == "failed" and progress.error == "MNIST could not be loaded."


def test_jobs_beyond_the_limit_wait_queued():
    first = start_training(TrainConfig.for_model("keras_cnn", epochs=2, limit=6000, seed=16))
    second = start_training(TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=16))
    while first.snapshot().state == "queued":
        first.wait(timeout=0.05)
    assert second.snapshot().state == "queued"
    assert len(training.active_jobs()) == 2
    first.stop()
    assert second.wait(timeout=120).state == "done"
    first.wait(timeout=120)


# The engine: one worker, a first-come-first-served line, a bounded registry, no disk work under its lock.


def queued_config(seed: int) -> TrainConfig:
    return TrainConfig.for_model("softmax", epochs=1, limit=500, seed=seed)


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = threading.Event()
    timer = threading.Timer(timeout, deadline.set)
    timer.start()
    try:
        while not condition():
            assert not deadline.wait(0.01), "timed out"
    finally:
        timer.cancel()


def test_jobs_in_line_run_first_come_first_served(gate):
    first = start_training(queued_config(100))
    wait_until(lambda: gate.started == [100])  # the first one holds the worker
    waiting = []
    for seed in (105, 101, 104, 102, 103):  # asked for a moment apart, as people in a room press Start
        waiting.append(start_training(queued_config(seed)))
        time.sleep(0.07)
    assert [job.snapshot().state for job in waiting] == ["queued"] * 5
    assert training.active_jobs() == [first, *waiting]  # the one training, then the line in order
    gate.open.set()
    for job in [first, *waiting]:
        assert job.wait(timeout=60).state == "failed"
    assert gate.started == [100, 105, 101, 104, 102, 103]  # in the order they were asked for, not by any other


def test_stopping_a_queued_job_takes_it_out_of_the_line_at_once(gate):
    first = start_training(queued_config(110))
    wait_until(lambda: gate.started == [110])
    second, third = start_training(queued_config(111)), start_training(queued_config(112))
    second.stop()
    progress = second.wait(timeout=0)  # at once: nothing waits for the worker
    assert progress.state == "stopped" and progress.error == "Stopped before it started."
    assert progress.finished and progress.result is None
    assert training.active_jobs() == [first, third]
    gate.open.set()
    assert third.wait(timeout=60).state == "failed" and first.wait(timeout=60).state == "failed"
    assert gate.started == [110, 112]  # the stopped job never trained
    # Asking for its settings again puts a new job at the end of the line.
    again = start_training(queued_config(111))
    assert again is not second and again.wait(timeout=60).state == "failed"


def test_the_registry_keeps_only_the_newest_finished_jobs(gate, monkeypatch):
    monkeypatch.setattr(training.line, "KEEP_FINISHED", 2)
    gate.open.set()
    jobs = [start_training(queued_config(seed)) for seed in range(120, 125)]
    for job in jobs:
        job.wait(timeout=60)
    assert [training.find_job(job.config) for job in jobs] == [None, None, None, jobs[3], jobs[4]]
    assert len(training.line._registry.jobs) == 2


def test_a_forgotten_finished_job_is_served_from_disk(monkeypatch):
    monkeypatch.setattr(training.line, "KEEP_FINISHED", 1)
    older, newer = (TrainConfig.for_model("softmax", epochs=1, limit=500, seed=seed) for seed in (130, 131))
    first = start_training(older).wait(timeout=120)
    assert start_training(newer).wait(timeout=120).state == "done"
    assert training.find_job(older) is None and training.find_job(newer) is not None
    again = start_training(older)  # its result is still on disk
    assert again.snapshot().cached and again.snapshot().state == "done"
    assert again.snapshot().test_accuracy == first.test_accuracy
    assert again.snapshot().epochs == first.epochs and again.snapshot().result.path == first.result.path


def test_no_disk_work_under_the_registry_lock(monkeypatch):
    """A slow disk (here: a model file that takes long to verify) never stalls pages asking about other jobs."""
    verifying, release = threading.Event(), threading.Event()

    def slow_verify(path):
        verifying.set()
        release.wait(timeout=60)
        raise MnistStudioError("no stored result")

    monkeypatch.setattr(training.results.store, "verify", slow_verify)
    monkeypatch.setattr(training.TrainingJob, "_train", lambda job: (_ for _ in ()).throw(TrainingError("quick")))
    starter = threading.Thread(target=start_training, args=(queued_config(140),))
    starter.start()
    try:
        assert verifying.wait(timeout=30), "start_training looks for a stored result first"
        answers: list = []
        asker = threading.Thread(target=lambda: answers.append((training.find_job(queued_config(141)),
                                                                training.active_jobs())))
        asker.start()
        asker.join(timeout=5)
        assert not asker.is_alive(), "find_job waited for another caller's disk work"
        assert answers == [(None, [])]
    finally:
        release.set()
        starter.join(timeout=30)
    assert training.find_job(queued_config(140)).wait(timeout=60).state == "failed"


def test_progress_keeps_every_learning_snapshot_and_the_final_state_replaces_its_step():
    """A slow-motion view shows the snapshots one by one: the job keeps them all, not only the newest."""
    import numpy as np

    from mnist_core import snapshots

    def taken(step: int, answer: int) -> snapshots.Snapshot:
        return snapshots.Snapshot(step=step, epoch=0.0, elapsed=0.0, kind="templates",
                                  pictures=np.zeros((10, 28, 28), np.float32),
                                  predictions=np.full(snapshots.STRIP_SIZE, answer, np.int64))

    job = training.TrainingJob(TrainConfig.for_model("softmax", limit=1000))
    assert job.snapshot().learning is None and job.snapshot().learned == ()
    for step in (0, 1, 2, 10):
        job.show_learning(taken(step, 0))
    final = taken(10, 7)  # the run's last state (for the mlp, its averaged weights) at the same step
    job.show_learning(final)
    progress = job.snapshot()
    assert [snapshot.step for snapshot in progress.learned] == [0, 1, 2, 10]
    assert progress.learning is final and progress.learned[-1] is final


def test_forget_result_deletes_only_that_settings_result_and_it_trains_again():
    from mnist_core import snapshots, store

    forgotten = TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=21)
    kept = TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=22)
    for config in (forgotten, kept):
        assert start_training(config).wait(timeout=120).state == "done"
    before = {path.name for path in forgotten.model_path().parent.iterdir()}
    path = forgotten.model_path()
    trio = [path, store.sidecar_path(path), snapshots.path_for(path)]
    assert all(path.is_file() for path in trio)

    assert training.forget_result(forgotten) is True
    assert not any(path.exists() for path in trio)
    assert {path.name for path in kept.model_path().parent.iterdir()} == before - {path.name for path in trio}
    assert training.results.stored_result(kept) is not None and training.find_job(kept) is not None
    assert training.find_job(forgotten) is None and training.results.stored_result(forgotten) is None
    again = start_training(forgotten)
    assert not again.snapshot().cached, "trained again from scratch, not served from disk"
    assert again.wait(timeout=120).state == "done"
    assert training.forget_result(TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=23)) is False


def test_forget_result_refuses_a_training_in_progress(gate):
    config = queued_config(24)
    job = start_training(config)
    wait_until(lambda: gate.started == [24])
    with pytest.raises(TrainingError, match="still running"):
        training.forget_result(config)
    assert training.find_job(config) is job


def test_one_training_at_a_time_in_this_process():
    assert training.places() == training.MAX_RUNNING == 1
