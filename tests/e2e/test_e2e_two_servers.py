"""Two app servers, one Redis line, one worker, one store: a training started on server A shows its live
chart on server B, and finishes on the worker (docs/deploy.md's layout on loopback)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_steps import choose_settings, expect_no_traceback, finished, open_app
from mnist_core.bench.cluster import redis_server_path, start_redis, start_workers, stop
from mnist_core.bench.server import start_server, stop_server
from mnist_core.data import load_mnist
from mnist_core.paths import HOME_ENV
from mnist_core.remote import QUEUE_ENV

pytestmark = pytest.mark.e2e

WORKER = "e2e-worker"
SERVER_START_SECONDS = 90


@pytest.fixture
def line(tmp_path: Path, studio_home: Path) -> Iterator[dict]:
    """Redis, a shared store (MNIST decoded once, linked from the session's), the worker, servers A and B."""
    if redis_server_path() is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: install Debian's redis-server package.")
        pytest.skip("redis-server is missing: install Debian's redis-server package to run this test.")
    load_mnist()
    home = tmp_path / "shared"
    home.mkdir()
    (home / "cache").symlink_to(studio_home / "cache", target_is_directory=True)
    with ExitStack() as started:  # each stopped, last started first, however far the start came
        redis = start_redis(tmp_path / "redis")
        started.callback(stop, redis.process)
        for worker in start_workers(redis.url, [WORKER], tmp_path, env={HOME_ENV: str(home)}):
            started.callback(stop, worker.process)
        urls = []
        for name in "ab":
            server = start_server(home, {QUEUE_ENV: redis.url}, log=tmp_path / f"{name}.log",
                                  start_seconds=SERVER_START_SECONDS, reuse_mnist=False)
            started.callback(stop_server, server)
            urls.append(server.url)
        yield {"a": urls[0], "b": urls[1], "redis": redis.url, "home": home}


def test_a_training_started_on_one_server_shows_live_on_the_other_and_ends_on_a_worker(new_page, line) -> None:
    import redis

    on_a, on_b = new_page(), new_page()
    for page, url in ((on_a, line["a"]), (on_b, line["b"])):
        open_app(page, f"{url}/training")
        choose_settings(page, "20,000", epochs=3)
    on_a.get_by_role("button", name=re.compile("Start training")).click()
    expect(on_a.get_by_test_id("stProgress")).to_be_visible()
    on_b.reload()  # B was drawn before A asked; any later visit finds the training in the line
    choose_settings(on_b, "20,000", epochs=3)
    progress = on_b.get_by_test_id("stProgress")
    expect(progress).to_contain_text(re.compile(r"step [1-9][\d,]* of"), timeout=120_000)
    expect(on_b.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    first = progress.inner_text()
    expect(progress).not_to_have_text(first, timeout=30_000)  # it moves: B follows the worker live
    finished(on_b)
    finished(on_a)
    client = redis.Redis.from_url(line["redis"])
    (key,) = [name.decode() for name in client.keys("mnist_studio:job:*")]
    assert client.hget(key, "worker") == WORKER.encode() and client.hget(key, "state") == b"done"
    assert list((line["home"] / "models").glob("fast-*.keras"))
    expect_no_traceback(on_a)
    expect_no_traceback(on_b)
