"""Redis keeps the line, never the models: a restarted (emptied) Redis loses no finished result."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnist_core import store, training
from mnist_core.bench.cluster import start_redis, stop
from mnist_core.remote import QUEUE_ENV, work


def test_a_restarted_redis_loses_no_finished_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    redis_installed: None) -> None:
    own = start_redis(tmp_path / "redis")  # its own: this test restarts it
    monkeypatch.setenv(QUEUE_ENV, own.url)
    config = training.TrainConfig.for_model("softmax", epochs=1, limit=500, seed=41)
    try:
        job = training.start_training(config)
        monkeypatch.setattr(work, "worker_name", "here")
        assert work.train(config.key, 1) == "done"  # this process plays the worker: the code a worker runs
        trained = job.wait(timeout=5)
        assert trained.state == "done" and not trained.cached and job.worker == "here"
        assert len(trained.learned) >= 2 and trained.batches
        stop(own.process)
        own = start_redis(tmp_path / "redis", port=own.port)  # empty: it kept nothing
        again = training.start_training(config)  # no training: the shared store has it
        served = again.wait(timeout=5)
        assert served.state == "done" and served.cached and served.result.path == trained.result.path
        store.verify(served.result.path)
        assert training.find_job(config) is again and training.active_jobs() == []
    finally:
        monkeypatch.delenv(QUEUE_ENV)  # the shared teardown looks for jobs left running: none in this process
        stop(own.process)
