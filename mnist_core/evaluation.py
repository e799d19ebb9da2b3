"""How a model does on the 10,000 MNIST test images, beyond one accuracy number, and how sure it should be.

The confusion matrix shows which digits get mixed up with which; the list of
mistakes shows the actual images, so people can judge whether the model or the
handwriting is to blame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import calibration
from .inference import Reader

if TYPE_CHECKING:
    import keras

NUM_CLASSES = 10
MAX_MISTAKES = 40  # enough to browse, few enough to draw quickly


@dataclass(frozen=True)
class Mistake:
    """One test image and how the model read it (a mistake, or, from the diagonal, a right answer)."""

    index: int  # position in the MNIST test set
    image: np.ndarray  # 28x28 uint8, white digit on black
    true: int
    predicted: int
    confidence: float  # the model's probability for its answer


@dataclass(frozen=True)
class Evaluation:
    confusion: np.ndarray  # (10, 10) counts: row = true digit, column = predicted digit
    mistakes: list[Mistake]  # the most confident mistakes first
    total: int
    # Every image's reading, so any cell of the confusion matrix can be opened: the images (as given, not
    # copied), their labels, the model's answers and how sure it was of each.
    images: np.ndarray = field(default_factory=lambda: np.zeros((0, 28, 28), np.uint8), repr=False)
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    predictions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    confidences: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def cell(self, true: int, predicted: int, limit: int = MAX_MISTAKES) -> list[Mistake]:
        """The test digits behind one cell: a mix-up's images surest first; the diagonal's (read right) least
        sure first, the right answers that came closest to being wrong."""
        chosen = np.flatnonzero((self.labels == true) & (self.predictions == predicted))
        order = np.argsort(self.confidences[chosen] if true == predicted else -self.confidences[chosen],
                           kind="stable")
        return [Mistake(index=int(i), image=np.asarray(self.images[i], dtype=np.uint8), true=true,
                        predicted=predicted, confidence=float(self.confidences[i])) for i in chosen[order][:limit]]

    def worst_mix_up(self) -> tuple[int, int] | None:
        """(true, predicted) of the commonest mistake; None for a model that read every digit right."""
        wrong = self.confusion - np.diag(np.diag(self.confusion))
        if not wrong.any():
            return None
        true, predicted = np.unravel_index(int(wrong.argmax()), wrong.shape)
        return int(true), int(predicted)

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / self.total) if self.total else 0.0

    @property
    def error_count(self) -> int:
        return self.total - int(np.trace(self.confusion))


def confusion_matrix(true: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Counts of (true, predicted) label pairs as a 10x10 integer matrix."""
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def evaluate_model(reader: Reader, images: np.ndarray | None = None, labels: np.ndarray | None = None,
                   max_mistakes: int = MAX_MISTAKES) -> Evaluation:
    """Classify the test set (or the uint8 `images` with integer `labels`) and collect the mistakes.

    The one evaluator of test accuracy and mistakes (the benchmark and the app use it; the CLI's `evaluate`
    scores with the same `Reader.scores` to report calibration too). Only the test set is
    loaded, and images go through the model in bounded chunks; mistakes carry calibrated confidences.
    """
    if images is None or labels is None:
        from .data import load_mnist

        mnist = load_mnist()
        images, labels = mnist.x_test, mnist.y_test
    labels = np.asarray(labels, dtype=np.int64)
    scores = reader.scores(images)
    predicted = scores.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    # Show the mistakes the model was surest about: the most surprising ones.
    wrong = wrong[np.argsort(-scores[wrong, predicted[wrong]], kind="stable")][:max_mistakes]
    mistakes = [Mistake(index=int(i), image=np.asarray(images[i], dtype=np.uint8), true=int(labels[i]),
                        predicted=int(predicted[i]), confidence=float(scores[i, predicted[i]])) for i in wrong]
    return Evaluation(confusion=confusion_matrix(labels, predicted), mistakes=mistakes, total=len(labels),
                      images=images, labels=labels, predictions=predicted,
                      confidences=scores[np.arange(len(labels)), predicted])


def calibrate(model: "keras.Model", *, trained_on_validation: bool = False) -> dict[str, Any]:
    """Fit the model's temperature on the held-out training images; report it on the test set.

    Returns the sidecar entries: "temperature" and "calibration" (what it was fitted on, and accuracy,
    confidence and ECE before and after, on the validation images and on the 10,000 test images; the
    test set is only measured, never fitted on). `trained_on_validation` marks a model (such as one
    trained before the hold-out existed) that saw those images while training.
    """
    from .data import NUM_FIT, NUM_TRAIN, load_mnist

    mnist = load_mnist()
    raw = Reader(model)  # at temperature 1: the logits are what the temperature is fitted on
    held_out = raw.logits(mnist.x_validation)
    temperature = calibration.fit_temperature(held_out, mnist.y_validation)
    test = raw.logits(mnist.x_test)
    fitted_on = f"training images {NUM_FIT:,}-{NUM_TRAIN - 1:,}"
    fitted_on += " (seen in training)" if trained_on_validation else " (held out from training)"

    def measured(raw: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
        return calibration.before_and_after(raw, labels, temperature)

    return {"temperature": temperature,
            "calibration": {"fitted_on": fitted_on, "validation": measured(held_out, mnist.y_validation),
                            "test": measured(test, mnist.y_test)}}
