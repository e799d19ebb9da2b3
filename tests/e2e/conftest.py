"""Browser tests: the real app under `streamlit run`, driven through Debian's Chromium by Playwright.

One server and one browser serve the whole session (starting them costs
seconds); every test gets its own browser context, i.e. its own Streamlit
session. The server runs with the session's MNIST_STUDIO_HOME, so trained
models land in a temporary folder the tests can inspect.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mnist_core.bench.server import Server, ServerDidNotStart, start_server, stop_server
from mnist_core.data import load_mnist
from mnist_core.paths import HOME_ENV

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SERVER_START_SECONDS = 90
STOP_SECONDS = 15  # after SIGTERM, before SIGKILL
EXPECT_TIMEOUT_MS = 20_000  # a first model load or a busy 2-core machine can take seconds


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the running app in a real browser (slow)")
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@contextmanager
def streamlit_server(home: Path, log: Path, **env: str) -> Iterator[Server]:
    """Start `streamlit run app.py` on a free port with MNIST_STUDIO_HOME=`home`; stop it afterwards.

    The benchmarks start it the same way (mnist_core/bench/server.py); here MNIST comes from `home` itself.
    """
    try:
        server = start_server(home, env, log=log, start_seconds=SERVER_START_SECONDS, reuse_mnist=False)
    except ServerDidNotStart as exc:
        pytest.fail(f"streamlit did not start: {exc}")
    try:
        yield server
    finally:
        stop_server(server, STOP_SECONDS)


@pytest.fixture(scope="session")
def server(studio_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app server every browser test shares, with the session's home folder."""
    # Decode MNIST into the home folder now, so the server's first training reads the decoded copy
    # instead of unpacking the dataset while the browser tests wait on it.
    load_mnist()
    with streamlit_server(studio_home, tmp_path_factory.mktemp("streamlit") / "server.log") as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_home(studio_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Not a fresh one here: browser tests share one server (a start costs seconds), so its home and its jobs.

    models_dir() in a browser test is the server's; each test trains settings that no other browser test uses.
    """
    monkeypatch.setenv(HOME_ENV, str(studio_home))
    return studio_home


@pytest.fixture(scope="session")
def app_url(server: Server) -> str:
    return server.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; the tests are skipped without it, except under CI where that is a failure."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, app_url: str):
    """A factory of pages, each in its own browser context (= its own Streamlit session)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server of its own, just started, for what only the first visit after a start shows."""
    with streamlit_server(tmp_path / "home", tmp_path / "server.log") as running:
        yield running
