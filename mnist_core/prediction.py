"""From any image to an answer: preprocessing, the model, and "no digit here".

`predict()` never raises for a bad image: the reason goes into
`Prediction.error`, so one unreadable file never stops a batch of others.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import batching
from .digit_check import not_a_digit
from .errors import ImageError
from .inference import Reader, load_reader, traced
from .preprocess import Preprocessed, preprocess

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


def predict(source: Any, reader: Reader | str | Path | None = None, *, name: str | None = None,
            multi: bool = True) -> Prediction:
    """Read the digit(s) in `source` (path, bytes, PIL image or array) with `reader` or the model file it names
    (default: the bundled model)."""
    label = name or (str(source) if isinstance(source, (str, Path)) else None)
    if not isinstance(reader, (Reader, str, Path, type(None))):
        raise TypeError(f"predict reads with a Reader or a model file's path, not a {type(reader).__name__}: "
                        "wrap a Keras model as inference.Reader(model, temperature).")

    def network() -> Reader:  # on first use: unreadable files never wait for TensorFlow
        return reader if isinstance(reader, Reader) else load_reader(reader)  # each file once per process

    try:
        # The model settles whether a wide mark is one digit or several (see preprocess.segmentation.judged).
        prepared = preprocess(source, name=label, multi=multi, judge=lambda batch: network().classify(batch))
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


def _classify_once(prepared: Preprocessed, reader: Reader) -> np.ndarray:
    """`classify` of one preprocessed input with one reader, once: the Draw page reads the drawing with the
    session's model, then its comparison reads it with every model, that one again (bench --suite classroom)."""
    scores: dict[int, tuple["weakref.ref[Reader]", np.ndarray]] = _remembered(prepared).setdefault("scores", {})
    entry = scores.get(id(reader))
    if entry is None or entry[0]() is not reader:  # a reader's id is reused too, once it is gone
        entry = scores[id(reader)] = (weakref.ref(reader), reader.classify(prepared.input_batch))
    return entry[1]


def read_prepared(prepared: Preprocessed, reader: Reader, *, name: str | None = None) -> Prediction:
    """Read digits that preprocessing has already found, with `reader`.

    One preprocessing serves every model: this is how the app shows several
    networks reading the same drawing.
    """
    if prepared.reason is not None or not prepared.digits:
        return Prediction(file=name, error=prepared.reason or "No digit found.", preprocessed=prepared)
    probabilities = _classify_once(prepared, reader)
    readings = [
        DigitReading(digit=int(row.argmax()), confidence=float(row.max()), probabilities=[float(p) for p in row],
                     box=tuple(int(v) for v in box))
        for row, box in zip(probabilities, prepared.boxes)
    ]
    unsure = min(reading.confidence for reading in readings)
    # Letters, shapes, scribbles: "not a digit", whichever model reads; the readings keep its forced choice.
    error = _not_a_digit_once(prepared)
    if error is not None and reader.knows(prepared.input_batch):
        error = None  # like the digits this model was taught: a hand the check had never met
    if error is None and unsure < MIN_CONFIDENCE:
        guess = "".join(str(reading.digit) for reading in readings)
        error = (f"The network is not sure what this is: its best guess, {guess}, is only {unsure:.0%} likely. "
                 "A clearer, larger digit helps.")
    return Prediction(file=name, readings=readings, error=error, preprocessed=prepared)


@lru_cache(maxsize=2)
def _together(readers: tuple[Reader, ...]):
    """Several readers' calibrated probabilities traced into one graph: (N, 28, 28, 1) -> (N, readers, 10)."""
    import tensorflow as tf

    functions = [reader.probabilities_function() for reader in readers]
    return traced(lambda x: tf.stack([function(x) for function in functions], axis=1))


def read_prepared_each(prepared: Preprocessed, readers: list[Reader], names: list[str]) -> list[Prediction]:
    """`read_prepared` with each of `readers`, their forward passes in one call.

    The Draw page's comparison row reads every drawing with five or more networks: one call instead of one
    per network halves the time it takes (the Python and TensorFlow work around each small pass). The
    probabilities are those each model gives alone.
    """
    scores: dict = _remembered(prepared).setdefault("scores", {})
    missing = [reader for reader in dict.fromkeys(readers)
               if scores.get(id(reader)) is None or scores[id(reader)][0]() is not reader]
    if prepared.reason is None and prepared.digits and len(missing) > 1:
        together = _together(tuple(missing))
        inputs = np.asarray(prepared.input_batch, dtype=np.float32)
        # Concurrent pages asking the same models share the pass too (mnist_core.batching).
        rows = np.asarray(batching.merged(together, lambda x: np.asarray(together(x)), inputs), dtype=np.float64)
        for index, reader in enumerate(missing):
            scores[id(reader)] = (weakref.ref(reader), rows[:, index])
    return [read_prepared(prepared, reader, name=name) for reader, name in zip(readers, names)]
