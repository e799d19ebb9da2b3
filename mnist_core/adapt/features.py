"""A model split before its last layer, and its features for the MNIST images teaching needs, computed once.

Only the last layer (the one named "logits", which turns the network's learned features into ten scores)
changes when a model is taught, so everything before it runs once per model over 18,000 MNIST images: the
replayed training digits, the held-out training images and the test set. The features are kept in memory and
in the cache folder, so every later teaching of that model, in any session or process, starts at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import npz_cache
from ..data import NUM_FIT, load_mnist
from ..errors import AdaptError
from ..models import LOGITS_LAYER
from ..paths import cache_dir
from ..inference import forward, in_batches, trunk_of

if TYPE_CHECKING:
    import keras

REPLAY_IMAGES = 3000  # MNIST training digits (from the first 55,000) replayed beside the examples
CACHE_VERSION = 1  # bump when the features a model gives could change (the replay draw, the layer cut)
MEMO_MODELS = 2  # prepared models kept in memory (features of 18,000 images each: a few MB to 60 MB)
REPLAY_SEED = 7

Progress = Callable[[float, str], None]  # (share done 0-1, what is happening, in plain words)


@dataclass
class Prepared:
    """A model's features (its last layer's inputs) for the MNIST images teaching needs, computed once."""

    key: str
    trunk: Any  # keras.Model: image -> features (everything before the last layer)
    kernel: np.ndarray  # the last layer's weights (features x 10) and bias, as trained
    bias: np.ndarray
    replay: np.ndarray  # features of REPLAY_IMAGES training digits
    replay_labels: np.ndarray
    validation: np.ndarray  # features of the held-out training images 55,000-59,999
    validation_labels: np.ndarray
    test: np.ndarray  # features of the 10,000 test images
    test_labels: np.ndarray
    seconds: float  # how long computing (or reading) the features took
    from_cache: bool

    def features(self, digits: np.ndarray) -> np.ndarray:
        """Features of (N, 28, 28) float digits in [0, 1]."""
        return _run(self.trunk, np.asarray(digits, np.float32))

    def test_accuracy(self, kernel: np.ndarray | None = None, bias: np.ndarray | None = None) -> float:
        return _accuracy(self.test, self.test_labels, self.kernel if kernel is None else kernel,
                         self.bias if bias is None else bias)


def _split(model: "keras.Model") -> tuple["keras.Model", Any]:
    """(everything before the last layer, the last layer); AdaptError for a model without a "logits" layer."""
    import keras

    try:
        last = model.get_layer(LOGITS_LAYER)
    except ValueError:
        raise AdaptError("This model has no layer named 'logits', so it cannot be taught here. Use a model "
                         "trained by MNIST Studio.") from None
    if not isinstance(last, keras.layers.Dense) or last.output.shape[-1] != 10:
        raise AdaptError("This model's last layer is not the kind MNIST Studio can teach. Use a model trained by "
                         "MNIST Studio.")
    after = model.layers[model.layers.index(last) + 1:]
    if len(after) > 1 or (after and not isinstance(after[0], keras.layers.Activation)):
        raise AdaptError("This model does more after its 'logits' layer than turn scores into chances, so it "
                         "cannot be taught here. Use a model trained by MNIST Studio.")
    return trunk_of(model), last


def _run(trunk: "keras.Model", digits: np.ndarray, progress: Callable[[float], None] | None = None) -> np.ndarray:
    """The trunk over uint8 or float digits, in bounded batches, as float32 features."""
    width = int(np.prod(trunk.output.shape[1:]))
    return in_batches(forward(trunk), digits, width, progress)


def model_key(model: "keras.Model", sha256: str | None = None) -> str:
    """Names a model's features: the file's checksum when known, else a checksum of its weights."""
    if sha256:
        return sha256
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()


_memo: "OrderedDict[str, Prepared]" = OrderedDict()
_memo_lock = threading.Lock()
_prepare_locks: dict[str, threading.Lock] = {}


def prepare(model: "keras.Model", sha256: str | None = None, progress: Progress | None = None) -> Prepared:
    """The model's features for teaching: from memory, from the disk cache, or computed (once per model).

    Computing them runs the model over 18,000 MNIST images: seconds for small models, a minute or two for the
    largest on a 2-core CPU. They are then kept in the cache folder, so every later teaching of that model, in
    any session or process, starts at once.
    """
    key = model_key(model, sha256)
    with _memo_lock:
        lock = _prepare_locks.setdefault(key, threading.Lock())
    with lock:  # two sessions teaching the same new model compute its features once
        with _memo_lock:
            if key in _memo:
                _memo.move_to_end(key)
                return _memo[key]
        prepared = _load_or_compute(model, key, progress)
        with _memo_lock:
            _memo[key] = prepared
            while len(_memo) > MEMO_MODELS:
                _memo.popitem(last=False)
        return prepared


_warming: set[str] = set()


def warm_up(model: "keras.Model", sha256: str | None = None) -> bool:
    """Prepare the model's features in a background thread, unless they are ready; True when one was started.

    The app calls it as soon as a visitor adds a first example: collecting ten takes them longer than the
    preparation, so Teach then starts at once. A Teach that comes earlier waits for it (see `prepare`).
    """
    key = model_key(model, sha256)
    with _memo_lock:
        if key in _memo or key in _warming or _cache_path(key).exists():
            return False
        _warming.add(key)

    def run() -> None:
        try:
            prepare(model, key)
        except Exception:  # noqa: BLE001 - a failed warm-up is retried, and reported, by the Teach that needs it
            pass
        finally:
            with _memo_lock:
                _warming.discard(key)

    threading.Thread(target=run, name=f"adapt-warm-up-{key[:8]}", daemon=True).start()
    return True


def _cache_path(key: str) -> Path:
    return cache_dir() / "adapt" / f"{key[:32]}-v{CACHE_VERSION}.npz"


def _replay_indices() -> np.ndarray:
    """A fixed draw of training digits from the first 55,000 (the last 5,000 are for calibration)."""
    return np.sort(np.random.default_rng(REPLAY_SEED).choice(NUM_FIT, REPLAY_IMAGES, replace=False))


def _load_or_compute(model: "keras.Model", key: str, progress: Progress | None) -> Prepared:
    started = time.perf_counter()
    trunk, last = _split(model)
    kernel, bias = (np.asarray(w, np.float32) for w in last.get_weights())
    mnist = load_mnist()
    replay_at = _replay_indices()
    labels = {"replay": mnist.y_train[replay_at], "validation": mnist.y_validation, "test": mnist.y_test}
    path = _cache_path(key)
    features = _read_cache(path, kernel.shape[0], labels)
    from_cache = features is not None
    if features is None:
        images = {"replay": mnist.x_train[replay_at], "validation": mnist.x_validation, "test": mnist.x_test}
        total, done, features = sum(len(x) for x in images.values()), 0, {}
        for part, x in images.items():
            def tick(share: float, done: int = done, size: int = len(x)) -> None:
                if progress is not None:
                    progress((done + share * size) / total, "Getting the model ready to learn (once per model): "
                                                            "it looks at 18,000 MNIST digits")
            features[part] = _run(trunk, x, tick)
            done += len(x)
        # Half precision on disk: features need no more. A failed write only costs computing them next time.
        npz_cache.write(path, {part: f.astype(np.float16) for part, f in features.items()})
    return Prepared(key=key, trunk=trunk, kernel=kernel, bias=bias,
                    replay=features["replay"], replay_labels=labels["replay"].astype(np.int64),
                    validation=features["validation"], validation_labels=labels["validation"].astype(np.int64),
                    test=features["test"], test_labels=labels["test"].astype(np.int64),
                    seconds=time.perf_counter() - started, from_cache=from_cache)


def _read_cache(path: Path, width: int, labels: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
    """Cached features when they are whole and fit the model; None otherwise (they are then recomputed)."""
    stored = npz_cache.read(path, labels, "features for teaching")
    if stored is None:
        return None
    features = {part: stored[part].astype(np.float32) for part in labels}
    if any(f.shape != (len(labels[part]), width) or not np.isfinite(f).all() for part, f in features.items()):
        return None
    return features


def _accuracy(features: np.ndarray, labels: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> float:
    return float(((features @ kernel + bias).argmax(axis=1) == labels).mean())
