"""The training line on Redis, tested for real: a redis-server of the session's own on a free port of 127.0.0.1.

Skipped when Debian's redis-server is missing, except under CI, where that is a failure (.ci/run installs it).
Each test gets the line empty, with MNIST_STUDIO_QUEUE pointing at it; workers, where a test needs them, are
processes of their own (mnist_core/bench/cluster.py starts them the way the workers benchmark does).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mnist_core.bench.cluster import RedisServer, redis_server_path, start_redis, stop
from mnist_core.remote import QUEUE_ENV


@pytest.fixture(scope="session")
def redis_installed() -> None:
    if redis_server_path() is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: install Debian's redis-server package.")
        pytest.skip("redis-server is missing: install Debian's redis-server package to run the training line's tests.")


@pytest.fixture(scope="session")
def redis_server(redis_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    stop(server.process)


@pytest.fixture
def queue(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty line on the session's Redis, chosen for this test (and the processes it starts)."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    monkeypatch.setenv(QUEUE_ENV, redis_server.url)
    yield redis_server.url
    client.flushdb()  # before the shared teardown looks for jobs left running: a worker-less line has none


@pytest.fixture
def client(queue: str):
    import redis

    return redis.Redis.from_url(queue)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path / "logs"
