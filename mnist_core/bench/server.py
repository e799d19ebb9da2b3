"""The app's own server, started the one way the benchmarks and the browser tests both use.

`streamlit run app.py` on a free port of 127.0.0.1, with its own home folder, its output in a log file; ready
once /_stcore/health answers. The classroom and memory suites, research/measure_server.py and the e2e suite's
`streamlit_server` fixture (tests/e2e/conftest.py) all start it here, so they measure and test the same thing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .inputs import REPO, process_memory_mb

START_SECONDS = 180.0  # a busy 2-core machine imports Streamlit and the app slowly
STOP_SECONDS = 10.0  # after SIGTERM, before SIGKILL


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer /_stcore/health in time; the message ends with its log's tail."""


@dataclass
class Server:
    """A running `streamlit run app.py` on 127.0.0.1 with its own home folder."""

    process: subprocess.Popen
    url: str
    home: Path
    log: Path

    def memory_mb(self) -> dict[str, int]:
        """VmRSS (resident now) and VmHWM (peak so far) of the server process, in MB."""
        return process_memory_mb(self.process.pid)

    def log_since(self, offset: int) -> str:
        """What the server has written to its log after `offset` bytes."""
        with open(self.log, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")


def free_port() -> int:
    """A TCP port of 127.0.0.1 no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reuse_decoded_mnist(environment: dict[str, str]) -> None:
    """Point MNIST_PATH at the usual home's decoded copy: an empty home would decode MNIST again first."""
    from ..paths import DEFAULT_HOME

    decoded = Path(DEFAULT_HOME).expanduser() / "cache" / "mnist-decoded.npz"
    if decoded.exists() and "MNIST_PATH" not in environment:
        environment["MNIST_PATH"] = str(decoded)


def healthy(url: str) -> bool:
    """Does the server at `url` answer its health check?"""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_server(home: Path, env: dict[str, str] | None = None, *, log: Path | None = None,
                 start_seconds: float = START_SECONDS, reuse_mnist: bool = True) -> Server:
    """Start the app's server with `home` as its home folder (log: `home`/server.log unless given) and wait
    until it answers. `reuse_mnist`: read MNIST from the usual home's decoded copy (reuse_decoded_mnist)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = log or home / "server.log"
    environment = {**os.environ, "MNIST_STUDIO_HOME": str(home), "PYTHONPATH": str(REPO), **(env or {})}
    if reuse_mnist:
        reuse_decoded_mnist(environment)
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT)
    server = Server(process, url, home, log)
    deadline = time.monotonic() + start_seconds
    while time.monotonic() < deadline and process.poll() is None:
        if healthy(url):
            return server
        time.sleep(0.5)
    stop_server(server)
    raise ServerDidNotStart(f"The app's server did not start ({log}); its log:\n{log.read_text()[-3000:]}")


def stop_server(server: Server, wait_seconds: float = STOP_SECONDS) -> None:
    """SIGTERM, then SIGKILL: a server with a training thread may not finish stopping by itself."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=wait_seconds)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=30)

