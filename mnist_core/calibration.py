"""Honest confidence: temperature scaling (Guo et al. 2017) and how to check it.

A network's softmax output is not a probability you can trust: a model trained
with label smoothing says "90%" when it is right 99.7% of the time, and a plain
softmax regression says "99%" when it is right 92% of the time. Dividing the
logits by one number, the temperature, fitted on images the model was not
trained on, makes "90% sure" mean "right about 9 times in 10". The temperature
is stored in the model's sidecar and applied by `inference.Reader`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .meta import ReliabilityBin

ECE_BINS = 15  # as in Guo et al.; equal-width confidence bins
TEMPERATURE_RANGE = (0.05, 20.0)  # searched on a log scale; far beyond what any zoo model needs
SEARCH_STEPS = 60  # golden-section steps: the temperature to 1e-6 relative
TINY = 1e-30  # probabilities are clipped here before the log (float32 softmax can underflow to 0)


def log_probabilities(probabilities: np.ndarray) -> np.ndarray:
    """Logits up to a per-row constant (all temperature scaling needs) from softmax outputs."""
    return np.log(np.clip(np.asarray(probabilities, np.float64), TINY, 1.0))


def soften(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / temperature), row by row, computed stably."""
    scaled = np.asarray(logits, np.float64) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean cross-entropy of the true labels after scaling: what the temperature minimises."""
    scaled = np.asarray(logits, np.float64) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scaled).sum(axis=1))
    return float(np.mean(log_norm - scaled[np.arange(len(labels)), labels]))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of `labels` (golden-section on log T).

    The likelihood is smooth and unimodal in log T, so a one-dimensional search
    is exact enough and needs nothing beyond numpy.
    """
    labels = np.asarray(labels, np.int64)
    low, high = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    ratio = (np.sqrt(5.0) - 1.0) / 2.0

    def loss(log_t: float) -> float:
        return negative_log_likelihood(logits, labels, float(np.exp(log_t)))

    a, b = low + (1 - ratio) * (high - low), low + ratio * (high - low)
    loss_a, loss_b = loss(a), loss(b)
    for _ in range(SEARCH_STEPS):
        if loss_a <= loss_b:
            high, b, loss_b = b, a, loss_a
            a = low + (1 - ratio) * (high - low)
            loss_a = loss(a)
        else:
            low, a, loss_a = a, b, loss_b
            b = low + ratio * (high - low)
            loss_b = loss(b)
    return float(np.exp((low + high) / 2))


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> list[ReliabilityBin]:
    """Stated confidence against accuracy, in equal-width bins of confidence (empty bins left out)."""
    probabilities = np.asarray(probabilities, np.float64)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bin i holds (edges[i], edges[i + 1]]; a confidence of exactly 0 cannot occur (it is at least 1/10).
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    found = []
    for i in range(bins):
        inside = index == i
        if inside.any():
            found.append(ReliabilityBin(low=float(edges[i]), high=float(edges[i + 1]), count=int(inside.sum()),
                                        confidence=float(confidence[inside].mean()),
                                        accuracy=float(correct[inside].mean())))
    return found


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE: the gap between stated confidence and accuracy, averaged over bins weighted by their size."""
    found = reliability(probabilities, labels, bins)
    total = sum(b.count for b in found)
    return float(sum(b.count * abs(b.accuracy - b.confidence) for b in found) / total) if total else 0.0


def summary(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """What the sidecar keeps about one data split: accuracy, mean confidence, ECE and the reliability bins."""
    probabilities = np.asarray(probabilities, np.float64)
    return {
        "images": int(len(labels)),
        "accuracy": float((probabilities.argmax(axis=1) == np.asarray(labels)).mean()),
        "mean_confidence": float(probabilities.max(axis=1).mean()),
        "ece": expected_calibration_error(probabilities, labels),
        "reliability": [vars(b) for b in reliability(probabilities, labels)],
    }


def before_and_after(logits: np.ndarray, labels: np.ndarray, temperature: float) -> dict[str, Any]:
    """One split's record in the sidecar: its `summary` at `temperature`, with the ECE and mean confidence of the
    raw softmax (temperature 1) beside them."""
    before = summary(soften(logits, 1.0), labels)
    return {**summary(soften(logits, temperature), labels), "ece_uncalibrated": before["ece"],
            "mean_confidence_uncalibrated": before["mean_confidence"]}
