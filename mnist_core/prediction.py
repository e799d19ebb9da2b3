"""From any image to an answer: preprocessing, the model, and "no digit here".

`predict()` never raises for a bad image: the reason goes into
`Prediction.error`, so one unreadable file never stops a batch of others.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import batching, calibration
from .digit_check import not_a_digit
from .errors import ImageError
from .models import LOGITS_LAYER
from .preprocess import Preprocessed, preprocess

if TYPE_CHECKING:
    import keras

# Below this calibrated probability an answer is more likely wrong than right, so it is not given as one.
# Checked with the bundled model on held-out training digits 55,000-55,599 drawn photo- and canvas-like
# (`bench --suite calibration`, docs/benchmarks.md): 0.5 holds back 1 of 13 wrong answers and
# 1 of 1,186 right ones; most wrong answers there are confident misreadings of the shape, which no threshold
# on confidence catches. Blank pages and noise are stopped earlier, by the ink checks in preprocess.
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class DigitReading:
    """One digit found in the image."""

    digit: int
    confidence: float
    probabilities: list[float]
    box: tuple[int, int, int, int]  # (x, y, w, h) in the decoded input


@dataclass(frozen=True)
class Prediction:
    """The answer for one input, in the shape the CLI contract prints."""

    file: str | None
    readings: list[DigitReading] = field(default_factory=list)
    error: str | None = None
    preprocessed: Preprocessed | None = None

    @property
    def digit(self) -> int | None:
        """The digit, or the leftmost one when the image holds several."""
        return self.readings[0].digit if self.readings and self.error is None else None

    @property
    def digits(self) -> str | None:
        """All digits read left to right, e.g. "2026"."""
        return "".join(str(reading.digit) for reading in self.readings) if self.readings and self.error is None \
            else None

    @property
    def confidence(self) -> float | None:
        """The weakest digit's probability: a string is only as sure as its least sure digit."""
        return min(reading.confidence for reading in self.readings) if self.readings and self.error is None \
            else None

    @property
    def probabilities(self) -> list[float] | None:
        return self.readings[0].probabilities if self.readings else None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "digit": self.digit, "digits": self.digits, "confidence": self.confidence,
                "probabilities": self.probabilities, "error": self.error}


_load_lock = threading.Lock()


@lru_cache(maxsize=8)
def _load_cached(path: str, version: str) -> "keras.Model":
    from .store import load_model

    return load_model(path)[0]


def load_for_inference(path: str | Path | None = None) -> "keras.Model":
    """Load (once per process and file content) the model at `path`, or the bundled default model.

    The cache is keyed by the checksum in the sidecar too, so a model file replaced at the same path
    (a retrained run, a recalibrated sidecar) is loaded afresh instead of served stale.
    """
    from .paths import BUNDLED_MODEL
    from .store import read_meta

    target = Path(path) if path else BUNDLED_MODEL
    meta = read_meta(target)
    with _load_lock:
        return _load_cached(str(target), f"{meta.sha256}:{meta.temperature}")


_compiled: "weakref.WeakKeyDictionary[keras.Model, tuple[float, Callable]]" = weakref.WeakKeyDictionary()
_compile_lock = threading.Lock()
EVAL_BATCH = 250  # images per forward pass when scoring whole data sets: bounded memory (1,000: +160 MB at calibration)


def _logits_function(model: "keras.Model") -> Callable:
    """The model up to its logits; for a foreign model without a "logits" layer, log-probabilities."""
    import keras
    import tensorflow as tf

    try:
        head = keras.Model(model.input, model.get_layer(LOGITS_LAYER).output)
        return lambda x: tf.cast(head(x, training=False), tf.float32)
    except (ValueError, AttributeError):
        return lambda x: tf.math.log(tf.maximum(tf.cast(model(x, training=False), tf.float32), 1e-30))


def _inference_function(model: "keras.Model") -> Callable:
    """softmax(logits / temperature) traced once into a graph: eager calls cost ~15 ms of Python per image.

    Retraced when the model's temperature changes (a model is calibrated after training).
    """
    temperature = calibration.temperature_of(model)
    with _compile_lock:
        known = _compiled.get(model)
        if known is None or known[0] != temperature:
            import tensorflow as tf

            signature = [tf.TensorSpec([None, 28, 28, 1], tf.float32)]
            logits = _logits_function(model)
            known = (temperature, tf.function(lambda x: tf.nn.softmax(logits(x) / temperature),
                                              input_signature=signature))
            _compiled[model] = known
        return known[1]


def classify(model: "keras.Model", batch: np.ndarray) -> np.ndarray:
    """Calibrated class probabilities for a (N, 28, 28, 1) batch, without predict()'s per-call set-up."""
    inputs = np.asarray(batch, dtype=np.float32)
    function = _inference_function(model)
    # Concurrent callers (a class drawing at once) share one forward pass (bench --suite classroom).
    return np.asarray(batching.merged(model, lambda x: np.asarray(function(x)), inputs), dtype=np.float64)


def logits(model: "keras.Model", images: np.ndarray) -> np.ndarray:
    """Raw logits (before any temperature) for uint8 28x28 images or float batches, in bounded chunks."""
    function = _logits_function(model)
    rows = []
    for start in range(0, len(images), EVAL_BATCH):
        batch = np.asarray(images[start:start + EVAL_BATCH])
        if batch.dtype == np.uint8:
            batch = batch.astype(np.float32) / 255.0
        batch = batch.reshape(-1, 28, 28, 1).astype(np.float32)
        rows.append(np.asarray(function(batch), dtype=np.float64))
    return np.concatenate(rows) if rows else np.zeros((0, 10))


def scores(model: "keras.Model", images: np.ndarray) -> np.ndarray:
    """Calibrated class probabilities for a whole data set (uint8 or float images), in bounded chunks."""
    return calibration.soften(logits(model, images), calibration.temperature_of(model))


def predict(source: Any, model: "keras.Model | str | Path | None" = None, *, name: str | None = None,
            multi: bool = True) -> Prediction:
    """Read the digit(s) in `source` (path, bytes, PIL image or array) with `model` (default: bundled)."""
    label = name or (str(source) if isinstance(source, (str, Path)) else None)
    given = model is not None and not isinstance(model, (str, Path))

    def network() -> "keras.Model":  # on first use: unreadable files never wait for TensorFlow
        return model if given else load_for_inference(model)  # which loads each file once per process

    try:
        # The model settles whether a wide mark is one digit or several (see preprocess.segmentation.judged).
        prepared = preprocess(source, name=label, multi=multi, judge=lambda batch: classify(network(), batch))
    except ImageError as exc:
        return Prediction(file=label, error=str(exc))
    if prepared.reason is not None or not prepared.digits:  # answered without loading a model
        return Prediction(file=label, error=prepared.reason or "No digit found.", preprocessed=prepared)
    return read_prepared(prepared, network(), name=label)


_per_input: dict[int, dict[str, Any]] = {}  # id of a live Preprocessed -> what was worked out for it once


def _remembered(prepared: Preprocessed) -> dict[str, Any]:
    """What was worked out for one preprocessed input, however many models read it; forgotten with the input
    (its id is then reused)."""
    key = id(prepared)
    memo = _per_input.get(key)
    if memo is None:
        memo = _per_input[key] = {}
        weakref.finalize(prepared, _per_input.pop, key, None)
    return memo


def _not_a_digit_once(prepared: Preprocessed) -> str | None:
    """The model-agnostic "not a digit" check, once per preprocessed input however many models read it."""
    memo = _remembered(prepared)
    if "not_a_digit" not in memo:
        memo["not_a_digit"] = not_a_digit(prepared.input_batch)
    return memo["not_a_digit"]


def _classify_once(prepared: Preprocessed, model: "keras.Model") -> np.ndarray:
    """`classify` of one preprocessed input with one model, once: the Draw page reads the drawing with the
    session's model, then its comparison reads it with every model, that one again (bench --suite classroom)."""
    scores: dict[int, tuple["weakref.ref[keras.Model]", np.ndarray]] = _remembered(prepared).setdefault("scores", {})
    entry = scores.get(id(model))
    if entry is None or entry[0]() is not model:  # a model's id is reused too, once it is gone
        entry = scores[id(model)] = (weakref.ref(model), classify(model, prepared.input_batch))
    return entry[1]


def read_prepared(prepared: Preprocessed, model: "keras.Model", *, name: str | None = None) -> Prediction:
    """Read digits that preprocessing has already found, with `model`.

    One preprocessing serves every model: this is how the app shows several
    networks reading the same drawing.
    """
    if prepared.reason is not None or not prepared.digits:
        return Prediction(file=name, error=prepared.reason or "No digit found.", preprocessed=prepared)
    probabilities = _classify_once(prepared, model)
    readings = [
        DigitReading(digit=int(row.argmax()), confidence=float(row.max()), probabilities=[float(p) for p in row],
                     box=tuple(int(v) for v in box))
        for row, box in zip(probabilities, prepared.boxes)
    ]
    unsure = min(reading.confidence for reading in readings)
    # Letters, shapes, scribbles: "not a digit", whichever model reads; the readings keep its forced choice.
    error = _not_a_digit_once(prepared)
    if error is None and unsure < MIN_CONFIDENCE:
        guess = "".join(str(reading.digit) for reading in readings)
        error = (f"The network is not sure what this is: its best guess, {guess}, is only {unsure:.0%} likely. "
                 "A clearer, larger digit helps.")
    return Prediction(file=name, readings=readings, error=error, preprocessed=prepared)


@lru_cache(maxsize=2)
def _together(functions: tuple[Callable, ...]) -> Callable:
    """Several models' calibrated probabilities traced into one graph: (N, 28, 28, 1) -> (N, models, 10)."""
    import tensorflow as tf

    signature = [tf.TensorSpec([None, 28, 28, 1], tf.float32)]
    return tf.function(lambda x: tf.stack([function(x) for function in functions], axis=1), input_signature=signature)


def read_prepared_each(prepared: Preprocessed, models: "list[keras.Model]", names: list[str]) -> list[Prediction]:
    """`read_prepared` with each of `models`, their forward passes in one call.

    The Draw page's comparison row reads every drawing with five or more networks: one call instead of one
    per network halves the time it takes (the Python and TensorFlow work around each small pass). The
    probabilities are those each model gives alone.
    """
    scores: dict = _remembered(prepared).setdefault("scores", {})
    missing = [model for model in dict.fromkeys(models)
               if scores.get(id(model)) is None or scores[id(model)][0]() is not model]
    if prepared.reason is None and prepared.digits and len(missing) > 1:
        together = _together(tuple(_inference_function(model) for model in missing))
        inputs = np.asarray(prepared.input_batch, dtype=np.float32)
        # Concurrent pages asking the same models share the pass too (mnist_core.batching).
        rows = np.asarray(batching.merged(together, lambda x: np.asarray(together(x)), inputs), dtype=np.float64)
        for index, model in enumerate(missing):
            scores[id(model)] = (weakref.ref(model), rows[:, index])
    return [read_prepared(prepared, model, name=name) for model, name in zip(models, names)]
