"""The Redis connection and the names of everything the training line keeps there.

Per training (its TrainConfig.key): a hash of who asked, its state and its worker; its progress as JSON; its
learning pictures, one list entry each; a heartbeat key that expires when its worker stops refreshing it.
One list holds the line itself, first come first served. Nothing here is needed to serve a finished model.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import TrainingError
from . import QUEUE_ENV, queue_url

if TYPE_CHECKING:
    import redis

PREFIX = "mnist_studio"
LINE = f"{PREFIX}:line"  # the keys waiting or training, in the order they were asked for
RQ_QUEUE = "mnist_studio_training"  # the RQ queue workers listen on
CONNECT_SECONDS = 3.0  # a Redis that does not answer in this time is reported, not waited for
RETRIES = 3  # a dropped connection is tried again this often (a Redis restarting) before it is reported

_clients: dict[str, "redis.Redis"] = {}
_clients_lock = threading.Lock()


def job_key(key: str) -> str:
    return f"{PREFIX}:job:{key}"


def progress_key(key: str) -> str:
    return f"{PREFIX}:progress:{key}"


def learned_key(key: str) -> str:
    return f"{PREFIX}:learned:{key}"


def alive_key(key: str) -> str:
    return f"{PREFIX}:alive:{key}"


def rq_id(key: str, attempt: int) -> str:
    """The RQ job of a training's attempt: its config key and the attempt (a lost worker's job runs again once)."""
    return f"train-{key}-{attempt}"


def connect(url: str | None = None) -> "redis.Redis":
    """The client for `url` (default: MNIST_STUDIO_QUEUE), one per process and URL; checked with a ping once.

    TrainingError in words when the URL is wrong or nothing answers there.
    """
    url = url or queue_url()
    if url is None:
        raise TrainingError(f"No training line is set: set {QUEUE_ENV}=redis://HOST:PORT/DB (or pass --queue).")
    with _clients_lock:
        client = _clients.get(url)
    if client is not None:
        return client
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=30,
                                      retry=Retry(ExponentialBackoff(cap=1.0), RETRIES),
                                      retry_on_error=[redis.ConnectionError, redis.TimeoutError])
        client.ping()
    except ValueError as exc:
        raise TrainingError(f"{QUEUE_ENV}={url} is not a Redis URL ({exc}): give redis://HOST:PORT/DB.") from None
    except redis.RedisError as exc:
        raise unreachable(exc, url) from None
    with _clients_lock:
        return _clients.setdefault(url, client)


def unreachable(exc: Exception, url: str | None = None) -> TrainingError:
    """The words for a Redis that cannot be reached (or refused a command)."""
    return TrainingError(f"The training line at {QUEUE_ENV}={url or queue_url()} cannot be reached ({exc}). "
                         f"Check that Redis runs there, or unset {QUEUE_ENV} to train in this process.")


@contextmanager
def talking(url: str | None = None) -> Iterator[None]:
    """Redis errors inside the block become a TrainingError in words (a page or the CLI shows it as it is)."""
    import redis

    try:
        yield
    except redis.RedisError as exc:
        raise unreachable(exc, url) from None


def text(fields: dict[bytes, bytes]) -> dict[str, str]:
    """A Redis hash as text (the client keeps bytes: RQ needs it to)."""
    return {name.decode(): value.decode() for name, value in fields.items()}
