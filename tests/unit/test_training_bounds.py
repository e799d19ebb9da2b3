"""A server strangers can't fill: a bounded line, a share per visitor, a public cap, a disk budget (issue 27)."""

from __future__ import annotations

import os
import time

import pytest

from mnist_core import host, snapshots, store, training
from mnist_core.errors import MnistStudioError, TrainingError
from mnist_core.paths import models_dir
from mnist_core.training import TrainConfig, start_training
from training_gate import Gate, gate  # noqa: F401 - gate is a fixture


def config(seed: int, **changes) -> TrainConfig:
    return TrainConfig.for_model("softmax", epochs=1, limit=500, seed=seed, **changes)


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_line_takes_at_most_eight_and_the_ninth_ask_is_refused_in_words(gate):
    jobs = [start_training(config(seed)) for seed in range(training.MAX_WAITING)]
    wait_until(lambda: len(gate.started) == 1)
    with pytest.raises(MnistStudioError, match="8 trainings are already waiting their turn"):
        start_training(config(99))
    # Joining a job already in line is never refused: it adds no work.
    assert start_training(config(3)) is jobs[3]
    jobs[5].stop()  # one leaves the line: there is room again
    assert start_training(config(99)).snapshot().state == "queued"
    gate.open.set()


def test_one_visitor_has_at_most_two_in_line_and_others_still_get_in(gate):
    start_training(config(200), owner="visitor-a")
    with training.asked_by("visitor-a"):  # how the app asks: every page run of a session inside this block
        start_training(config(201))
        with pytest.raises(TrainingError, match="You already have 2 trainings waiting or running"):
            start_training(config(202))
        assert start_training(config(200)).config.seed == 200, "following one of them is fine"
    assert start_training(config(202), owner="visitor-b").owner == "visitor-b"
    assert start_training(config(203)).owner is None, "the CLI asks as nobody: only the whole line bounds it"
    gate.open.set()


def test_job_start_waits_in_the_line_too(gate):
    first = start_training(config(300))
    wait_until(lambda: gate.started == [300])
    fresh = training.TrainingJob(config(301))
    training.train_afresh(fresh)
    assert fresh.snapshot().state == "queued", "not trained beside the running one"
    assert training.active_jobs() == [first, fresh]
    with pytest.raises(TrainingError, match="already waiting or running"):
        training.train_afresh(training.TrainingJob(config(301)))
    for seed in range(302, 302 + training.MAX_WAITING - 2):
        start_training(config(seed))
    with pytest.raises(TrainingError, match="already waiting their turn"):
        training.train_afresh(training.TrainingJob(config(399)))
    gate.open.set()
    assert fresh.wait(timeout=60).state == "failed" and gate.started[:2] == [300, 301]


def test_a_public_host_caps_one_training_to_a_few_minutes(gate, monkeypatch):
    long = TrainConfig.for_model("keras_cnn")  # the published recipe: 5 passes over 55,000 images, ~3 minutes a pass
    short = TrainConfig.for_model("fast")  # one pass, about 15 s
    assert long.cpu_seconds > training.PUBLIC_SECONDS > short.cpu_seconds
    monkeypatch.setenv(host.PUBLIC_ENV, "1")
    with pytest.raises(TrainingError, match="about 3 minutes at most; these settings would take about"):
        start_training(long)
    assert start_training(short).snapshot().state in ("queued", "running")
    monkeypatch.delenv(host.PUBLIC_ENV)
    assert start_training(long).snapshot().state == "queued", "a classroom trains whatever it chooses"
    gate.open.set()


def test_only_its_owner_may_stop_a_training_on_a_public_host(monkeypatch):
    job = training.TrainingJob(config(400), owner="visitor-a")
    assert job.stoppable_by("visitor-b") and job.stoppable_by(None), "a classroom: anyone"
    monkeypatch.setenv(host.PUBLIC_ENV, "1")
    assert job.stoppable_by("visitor-a") and not job.stoppable_by("visitor-b") and not job.stoppable_by(None)
    assert training.TrainingJob(config(401)).stoppable_by("visitor-b"), "a CLI's job belongs to no one"


def test_a_stop_during_the_last_batch_files_a_complete_run(monkeypatch):
    settings = TrainConfig.for_model("softmax", epochs=1, limit=500, batch_size=100, seed=410)  # 5 steps
    record = training.TrainingJob.record_batch

    def stop_in_the_last_batch(job, step, elapsed, point):
        record(job, step, elapsed, point)
        if step == job.config.total_steps:
            job.stop()

    monkeypatch.setattr(training.TrainingJob, "record_batch", stop_in_the_last_batch)
    progress = start_training(settings).wait(timeout=120)
    assert progress.state == "done" and not progress.result.meta.stopped
    assert progress.result.path == settings.model_path()
    assert training.stored_result(settings) is not None, "reused next time"


def saved_result(name: str, age_seconds: float, size: int = 1000) -> os.PathLike:
    """A fake result trio in the models folder, `age_seconds` old."""
    folder = models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.keras"
    path.write_bytes(b"m" * size)
    store.sidecar_path(path).write_text("{}")
    snapshots.path_for(path).write_bytes(b"s" * size)
    moment = time.time() - age_seconds
    for file in (path, store.sidecar_path(path), snapshots.path_for(path)):
        os.utime(file, (moment, moment))
    return path


def test_old_results_are_pruned_to_the_disk_budget_oldest_first():
    oldest, older, _ = (saved_result(name, age) for name, age in (("a", 300), ("b", 200), ("c", 100)))
    kept_anyway = saved_result("d", 400)  # the oldest of all, but just saved by the caller
    leftover = models_dir() / ".a.12345.keras"  # a temporary a killed save left an hour ago
    leftover.write_bytes(b"x")
    os.utime(leftover, (time.time() - 2 * training.LEFTOVER_SECONDS,) * 2)
    fresh_temporary = models_dir() / ".c.999.keras"  # a save under way now
    fresh_temporary.write_bytes(b"x")
    lone = models_dir() / "e.json"  # a sidecar whose model a killed save never renamed into place
    lone.write_text("{}")
    os.utime(lone, (time.time() - 2 * training.LEFTOVER_SECONDS,) * 2)
    deleted = training.prune_results(budget=4200, keep=(kept_anyway,))
    assert deleted == [oldest, older]
    assert sorted(p.name for p in models_dir().iterdir()) == [
        ".c.999.keras", "c.json", "c.keras", "c.snapshots.npz", "d.json", "d.keras", "d.snapshots.npz"]
    assert training.prune_results(budget=10**9) == []


def test_the_disk_budget_comes_from_the_host(monkeypatch):
    assert training.disk_budget() == training.DISK_MB * 10**6
    monkeypatch.setenv(host.PUBLIC_ENV, "1")
    assert training.disk_budget() == training.PUBLIC_DISK_MB * 10**6
    monkeypatch.setenv(training.DISK_ENV, "50")
    assert training.disk_budget() == 50 * 10**6


def test_a_new_result_prunes_the_oldest_and_its_job_is_forgotten(monkeypatch):
    first, second = config(500), config(501)
    assert start_training(first).wait(timeout=120).state == "done"
    size = sum(path.stat().st_size for path in models_dir().iterdir())
    monkeypatch.setenv(training.DISK_ENV, str(1.5 * size / 1e6))  # room for one result, not two
    time.sleep(0.05)
    assert start_training(second).wait(timeout=120).state == "done"
    assert training.stored_result(first) is None and training.stored_result(second) is not None
    assert training.find_job(first) is None, "its job went with its file: asking again trains again"
