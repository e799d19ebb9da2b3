"""Two real workers (processes, as `python -m mnist_core worker` runs them) on one Redis line and one store.

Each training here is small (the fast network on a slice of MNIST), but long enough to be joined and killed
while it trains.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mnist_core import training
from mnist_core.bench.cluster import WorkerProcess, start_workers, stop
from mnist_core.data import load_mnist
from mnist_core.paths import HOME_ENV
from mnist_core.remote import QUEUE_ENV, line
from mnist_core.remote.connection import rq_id

NAMES = ["worker-a", "worker-b"]
NOTICED_SECONDS = 60  # a killed worker's training is running again (or ended) within this


@pytest.fixture(scope="module")
def shared(redis_server, tmp_path_factory: pytest.TempPathFactory, studio_home: Path) -> Iterator[dict]:
    """One store folder for the workers and this process (as a shared mount would be), and the two workers."""
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()
    load_mnist()  # decoded once into the session's cache, which the shared home links to
    home = tmp_path_factory.mktemp("shared-home")
    (home / "cache").symlink_to(studio_home / "cache", target_is_directory=True)
    state = {"url": redis_server.url, "home": home, "logs": tmp_path_factory.mktemp("worker-logs"), "workers": {}}
    yield state
    for worker in state["workers"].values():
        stop(worker.process)


@pytest.fixture
def workers(shared: dict, monkeypatch: pytest.MonkeyPatch) -> dict[str, WorkerProcess]:
    """Both workers alive (one a test killed is started again), this process on their line and store."""
    monkeypatch.setenv(QUEUE_ENV, shared["url"])
    monkeypatch.setenv(HOME_ENV, str(shared["home"]))
    dead = [name for name in NAMES if name not in shared["workers"] or shared["workers"][name].process.poll() is not None]
    if dead:
        for worker in start_workers(shared["url"], dead, shared["logs"]):
            shared["workers"][worker.name] = worker
    return shared["workers"]


def until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"not within {seconds} s: {what}")


def test_the_cli_and_two_app_asks_follow_one_training_on_a_worker(workers: dict, shared: dict) -> None:
    config = training.TrainConfig.for_model("fast", epochs=1, limit=8000, seed=51)
    # Pages say how many can train at once: both workers (one killed by another test may linger in RQ's list).
    assert training.places() >= len(NAMES) > training.MAX_RUNNING
    cli = subprocess.Popen([sys.executable, "-m", "mnist_core", "train", "--model", "fast", "--epochs", "1",
                            "--limit", "8000", "--seed", "51", "--queue", shared["url"], "--json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ)
    job = until(lambda: training.find_job(config), 120, "the CLI's training in the line")
    assert job.snapshot().state in ("queued", "running")
    assert training.start_training(config, owner="a") is job is training.start_training(config, owner="b")
    progress = job.wait(timeout=300)
    out, err = cli.communicate(timeout=120)
    assert cli.returncode == 0, err
    said = json.loads(out.strip().splitlines()[-1])
    assert progress.state == "done" and said["worker"] == job.worker in NAMES and not said["cached"]
    assert Path(said["path"]) == progress.result.path and progress.result.path.exists()
    import redis

    client = redis.Redis.from_url(shared["url"])
    assert client.exists(f"rq:job:{rq_id(config.key, 1)}") and not client.exists(f"rq:job:{rq_id(config.key, 2)}")


def test_a_worker_killed_mid_training_is_noticed_and_its_training_runs_again_on_the_other(workers: dict) -> None:
    config = training.TrainConfig.for_model("fast", epochs=3, limit=8000, seed=52)
    job = training.start_training(config)
    until(lambda: job.snapshot().step > 0, 180, "the training under way")
    victim = job.worker
    os.kill(workers[victim].process.pid, signal.SIGKILL)
    killed = time.monotonic()
    survivor = next(name for name in NAMES if name != victim)
    until(lambda: job.snapshot().state in ("running", "done") and job.worker == survivor, NOTICED_SECONDS,
          "the training running again on the other worker")
    noticed = time.monotonic() - killed
    progress = job.wait(timeout=300)
    assert progress.state == "done" and job.worker == survivor and progress.result.path.exists(), progress.error
    assert noticed < NOTICED_SECONDS and line.ALIVE_SECONDS < NOTICED_SECONDS
