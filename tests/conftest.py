"""Shared test set-up: every test starts in a clean world, whatever ran before it.

Each test gets its own MNIST_STUDIO_HOME (no trained models in it) and its own
training registry (no jobs). Jobs a test leaves queued or running are stopped
when it ends, and the in-process caches of data slices and loaded model files
are emptied after a test that added to them. Only the decoded MNIST copy is
shared by every home: it never changes, and decoding it again costs seconds.

The suite runs in a random order (pytest-randomly prints the seed; repeat an
order with `--randomly-seed=N`), and backwards with `-p no:randomly --reverse`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mnist_core import fitting, inference, training
from mnist_core.paths import HOME_ENV

JOB_STOP_SECONDS = 120  # a job stops at its next batch; on a busy 2-core machine that can take a while
# In-process caches that would carry one test's data or model file into the next.
LEAKY_CACHES = (fitting.prepared_data, inference._load_cached)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--reverse", action="store_true",
                     help="run the tests in reverse order (with -p no:randomly: the collected order, backwards)")


@pytest.hookimpl(trylast=True)  # after any other reordering, pytest-randomly's included
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reverse"):
        items.reverse()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """The seed again at the end, where failures are read (-q hides the header that shows it)."""
    if config.pluginmanager.hasplugin("randomly"):
        terminalreporter.write_line(f"Random order: repeat it with --randomly-seed={config.getoption('randomly_seed')}")


@pytest.fixture(scope="session", autouse=True)
def studio_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's home folder: it keeps the decoded MNIST copy, and the browser tests' shared server runs in it.

    Set in os.environ for the whole session, so nothing, not even a session-scoped fixture, touches ~/.
    """
    home = tmp_path_factory.mktemp("studio-home")
    (home / "cache").mkdir()
    previous = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(home)
    yield home
    if previous is None:
        os.environ.pop(HOME_ENV, None)
    else:
        os.environ[HOME_ENV] = previous


@pytest.fixture(scope="session")
def new_home(studio_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """Makes empty home folders that share the session's decoded MNIST copy (their cache folder)."""
    def make() -> Path:
        home = tmp_path_factory.mktemp("home")
        (home / "cache").symlink_to(studio_home / "cache", target_is_directory=True)
        return home

    return make


@pytest.fixture(autouse=True)
def fresh_home(new_home: Callable[[], Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's own home folder and training registry; what it starts or caches ends with it."""
    home = new_home()
    monkeypatch.setenv(HOME_ENV, str(home))  # subprocesses (the CLI, a server) inherit it
    misses = [cache.cache_info().misses for cache in LEAKY_CACHES]
    previous = training.reset_registry()
    try:
        yield home
    finally:
        left_running = training.active_jobs()
        for job in left_running:
            job.stop()
        unfinished = [job for job in left_running if not job.wait(timeout=JOB_STOP_SECONDS).finished]
        training.reset_registry(previous)
        for cache, before in zip(LEAKY_CACHES, misses):
            if cache.cache_info().misses != before:
                cache.cache_clear()
        assert not unfinished, f"{len(unfinished)} training job(s) of this test did not stop"
