"""A training line on this machine: a private redis-server and `python -m mnist_core worker` processes.

The workers benchmark and the tests (tests/remote, the two-server browser test) start them the one way
written here: Redis on a free port of 127.0.0.1 that keeps nothing on disk, each worker a process of its own
with its output in a log file, ready once it has registered with RQ (TensorFlow imported, waiting for work).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .inputs import REPO
from .server import free_port

REDIS_SERVER = "redis-server"
START_SECONDS = 120.0  # a worker imports TensorFlow before it registers: slow on a busy 2-core machine
STOP_SECONDS = 15.0  # after SIGTERM (a worker finishes its batch's bookkeeping), before SIGKILL


class DidNotStart(RuntimeError):
    """redis-server or a worker exited, or was not ready in time; the message ends with its log's tail."""


@dataclass
class RedisServer:
    process: subprocess.Popen
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    name: str
    log: Path


def redis_server_path() -> str | None:
    """Debian's redis-server, if installed."""
    return shutil.which(REDIS_SERVER) or next((p for p in ("/usr/bin/redis-server",) if Path(p).exists()), None)


def start_redis(folder: Path, port: int | None = None) -> RedisServer:
    """A redis-server of its own on 127.0.0.1 (`port`: the same one again, after stop_redis), keeping nothing."""
    import redis

    binary = redis_server_path()
    if binary is None:
        raise DidNotStart("redis-server is not installed: apt-get install redis-server")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = folder / f"redis-{port}.log"
    with open(log, "ab") as output:
        process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", str(folder)], stdout=output,
                                   stderr=subprocess.STDOUT)
    server = RedisServer(process, port, folder)
    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            client.ping()
            return server
        except redis.RedisError:
            time.sleep(0.1)
    stop(process)
    raise DidNotStart(f"redis-server did not start on port {port}: {log.read_text()[-2000:]}")


def start_workers(url: str, names: list[str], logs: Path, env: dict[str, str] | None = None) -> list[WorkerProcess]:
    """`python -m mnist_core worker --name NAME --queue URL` for each name, started together; returns once each
    has registered with RQ (its TensorFlow imported)."""
    import redis

    logs.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    workers = []
    for name in names:
        log = logs / f"worker-{name}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen([sys.executable, "-m", "mnist_core", "worker", "--name", name, "--queue", url],
                                       cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT)
        workers.append(WorkerProcess(process, name, log))
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + START_SECONDS
    for worker in workers:
        while not client.exists(f"rq:worker:{worker.name}"):
            if worker.process.poll() is not None or time.monotonic() > deadline:
                for each in workers:
                    stop(each.process)
                raise DidNotStart(f"worker {worker.name} did not start: {worker.log.read_text()[-2000:]}")
            time.sleep(0.2)
    return workers


def stop(process: subprocess.Popen, wait_seconds: float = STOP_SECONDS) -> None:
    """SIGTERM, then SIGKILL; a warm RQ shutdown would wait for a whole training."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=wait_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
