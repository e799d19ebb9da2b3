"""The training engine: one job per configuration, disk cache, stop, failures, live metrics."""

from __future__ import annotations

import threading

import pytest

from mnist_core import training
from mnist_core.errors import TrainingError
from mnist_core.training import TrainConfig, start_training


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
    assert progress.result.meta["stopped"] is True
    # A stopped run has a path of its own: a finished run of the same settings never overwrites it.
    assert progress.result.path == config.model_path(stopped=True) != config.model_path()
    # A stopped run is not a finished result: asking again trains afresh.
    assert training.stored_result(config) is None
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
        raise training.MnistStudioError("MNIST could not be loaded.")

    monkeypatch.setattr(training, "prepared_data", no_data)
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
