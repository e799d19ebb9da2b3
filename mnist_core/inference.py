"""Running a network on digits, one way for every caller: traced forward passes and the `Reader`.

A `Reader` is a network together with its confidence temperature (fitted after training, kept in the
sidecar), so a model can never be read at the wrong temperature: whoever loads one gets both. Every forward
pass is traced once into a graph (eager calls cost ~15 ms of Python per image), whole data sets go through
in bounded batches, and concurrent single drawings share one pass (`batching`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import batching, calibration, store
from .errors import ModelFileError
from .known_digits import KNOWN_DIGITS, KnownDigits
from .models import LOGITS_LAYER
from .paths import BUNDLED_MODEL

if TYPE_CHECKING:
    import keras

EVAL_BATCH = 250  # images per forward pass when scoring whole data sets: bounded memory (docs/benchmarks.md)
DIGIT_SHAPE = (28, 28, 1)


def traced(function: Callable) -> Callable:
    """`function` of a (N, 28, 28, 1) float32 batch traced once into a graph, whatever N."""
    import tensorflow as tf

    return tf.function(function, input_signature=[tf.TensorSpec([None, *DIGIT_SHAPE], tf.float32)])


_forwards: "weakref.WeakKeyDictionary[keras.Model, Callable]" = weakref.WeakKeyDictionary()
_forward_lock = threading.Lock()


def forward(model: "keras.Model") -> Callable[[np.ndarray], np.ndarray]:
    """The model's plain inference (its own outputs, no temperature) traced once per model: NumPy in and out."""
    with _forward_lock:
        function = _forwards.get(model)
        if function is None:
            network = weakref.ref(model)  # the table's value must not keep its key alive
            graph = traced(lambda x: network()(x, training=False))
            function = _forwards[model] = lambda batch: np.asarray(graph(np.asarray(batch, dtype=np.float32)))
        return function


def trunk_of(model: "keras.Model") -> "keras.Model":
    """The network up to its "logits" layer: the features its last layer reads (what teaching fits in)."""
    import keras

    return keras.Model(model.input, model.get_layer(LOGITS_LAYER).input)


def as_batch(images: np.ndarray) -> np.ndarray:
    """uint8 28x28 images or float batches as the (N, 28, 28, 1) float32 input every network takes."""
    batch = np.asarray(images)
    if batch.dtype == np.uint8:
        batch = batch.astype(np.float32) / 255.0
    return batch.reshape(-1, *DIGIT_SHAPE).astype(np.float32)


def in_batches(function: Callable, images: np.ndarray, width: int,
               progress: Callable[[float], None] | None = None) -> np.ndarray:
    """`function` over uint8 or float images EVAL_BATCH at a time (bounded memory), as (N, width) float32 rows;
    `progress` hears the share done after each batch."""
    rows = []
    for start in range(0, len(images), EVAL_BATCH):
        batch = as_batch(images[start:start + EVAL_BATCH])
        rows.append(np.asarray(function(batch), dtype=np.float32).reshape(len(batch), width))
        if progress is not None:
            progress(min(1.0, (start + len(batch)) / len(images)))
    return np.concatenate(rows) if rows else np.zeros((0, width), np.float32)


def temperature(stored: store.StoredModel) -> float:
    """The confidence temperature fitted after training (1.0 for a model that predates calibration)."""
    value = 1.0 if stored.meta.temperature is None else stored.meta.temperature
    low, high = calibration.TEMPERATURE_RANGE
    if not low <= value <= high:
        raise ModelFileError(f"{store.sidecar_path(stored.path)} holds an invalid temperature ({value!r}). "
                             f"Recalibrate it: python -m mnist_core calibrate --model {stored.path}")
    return float(value)


def known_digits(stored: store.StoredModel) -> KnownDigits | None:
    """The digits a taught model was shown (None for a model never taught)."""
    entry = (stored.meta.adapted or {}).get(KNOWN_DIGITS)
    if entry is None:
        return None
    try:
        return KnownDigits.from_json(entry)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{store.sidecar_path(stored.path)} holds damaged taught examples ({exc}). Teach the "
                             "model again.") from exc


class Reader:
    """A network and the temperature its confidences are read at; `stored` is its file, when it has one;
    `known`, the digits it was taught, which the "not a digit" check then lets through."""

    def __init__(self, model: "keras.Model", temperature: float = 1.0, stored: store.StoredModel | None = None,
                 known: KnownDigits | None = None):
        low, high = calibration.TEMPERATURE_RANGE
        if not low <= temperature <= high:
            raise ValueError(f"temperature {temperature} is outside {calibration.TEMPERATURE_RANGE}")
        self.model = model
        self.temperature = float(temperature)
        self.stored = stored
        self.known = known
        self._logits: Callable | None = None
        self._trunk: keras.Model | None = None  # everything before the last layer, for `knows`
        self._probabilities: Callable | None = None
        self._lock = threading.RLock()  # classify builds on logits_function, both under it

    @classmethod
    def of(cls, model: "keras.Model", stored: store.StoredModel) -> Reader:
        """`model` read at the temperature its sidecar gives, knowing the digits it was taught."""
        return cls(model, temperature(stored), stored, known_digits(stored))

    def knows(self, batch: np.ndarray) -> bool:
        """Whether every (28, 28, 1) input is like a digit this model was taught (never, for one not taught)."""
        if self.known is None or not len(batch):
            return False
        with self._lock:  # one trunk per reader: its traced pass is kept with it
            if self._trunk is None:
                self._trunk = trunk_of(self.model)
            trunk = self._trunk
        return bool(self.known.knows(forward(trunk)(as_batch(batch))).all())

    def logits_function(self) -> Callable:
        """The network up to its logits as a traced-graph building block; for a foreign model without a
        "logits" layer, its log-probabilities."""
        with self._lock:
            if self._logits is None:
                import keras
                import tensorflow as tf

                model = self.model
                try:
                    head = keras.Model(model.input, model.get_layer(LOGITS_LAYER).output)
                    self._logits = lambda x: tf.cast(head(x, training=False), tf.float32)
                except (ValueError, AttributeError):
                    self._logits = lambda x: tf.math.log(tf.maximum(tf.cast(model(x, training=False), tf.float32),
                                                                    calibration.TINY))
            return self._logits

    def probabilities_function(self) -> Callable:
        """softmax(logits / temperature) as a graph building block (several readers can share one graph)."""
        import tensorflow as tf

        logits, temperature = self.logits_function(), self.temperature
        return lambda x: tf.nn.softmax(logits(x) / temperature)

    def classify(self, batch: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for a small (N, 28, 28, 1) batch (drawings, a page's digits)."""
        with self._lock:
            if self._probabilities is None:
                self._probabilities = traced(self.probabilities_function())
            function = self._probabilities
        inputs = np.asarray(batch, dtype=np.float32)
        # Concurrent callers (a class drawing at once) share one forward pass (bench --suite classroom).
        return np.asarray(batching.merged(self, lambda x: np.asarray(function(x)), inputs), dtype=np.float64)

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Raw logits (before the temperature) for a whole data set, uint8 or float, in bounded batches."""
        # Eager: one call per EVAL_BATCH images costs little. The logits are float32 (cast in the graph).
        return in_batches(self.logits_function(), images, 10).astype(np.float64)

    def scores(self, images: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for a whole data set (uint8 or float images), in bounded batches."""
        return calibration.soften(self.logits(images), self.temperature)


_load_lock = threading.Lock()


@lru_cache(maxsize=8)
def _load_cached(path: str, version: str) -> Reader:
    model, stored = store.load_model(path)
    return Reader.of(model, stored)


def load_reader(path: str | Path | None = None) -> Reader:
    """The reader of the model at `path`, or of the bundled default model, loaded once per process and content.

    The cache is keyed by the checksum and temperature in the sidecar too, so a model file replaced at the same
    path (a retrained run, a recalibrated sidecar) is loaded afresh instead of served stale.
    """
    target = Path(path) if path else BUNDLED_MODEL
    meta = store.read_meta(target)
    with _load_lock:
        return _load_cached(str(target), f"{meta.sha256}:{meta.temperature}")
