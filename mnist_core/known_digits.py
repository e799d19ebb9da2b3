"""Digits a taught model has been shown: the "not a digit" check stops turning that hand away.

The check (`digit_check`) learned what digits look like from MNIST and fonts; a visitor's own hand can be
far from both, so their digits came back as "not a digit" however often they taught the model. Teaching now
also fits `KnownDigits`: a line, in the network's features, between the taught examples (with the shifted,
turned copies teaching learns from) and a few hundred made-up letters, shapes and scribbles. Its bound is
set on non-digits it did not fit on, so that all but NON_DIGITS_LET_THROUGH of them stay on the far side.
At reading time a drawing the check turned away is read after all when the taught model knows its hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

KNOWN_DIGITS = "known_digits"  # their entry in a taught model's sidecar, under "adapted"
NON_DIGITS_LET_THROUGH = 0.01  # at most this share of held-out made-up non-digits count as known
STEPS, LEARNING_RATE, L2 = 300, 0.5, 1e-3  # full-batch gradient descent on the logistic loss


@dataclass(frozen=True)
class KnownDigits:
    """A linear score on standardised features: taught hand above `bound`, non-digits below."""

    weights: np.ndarray  # (width,) float32
    bias: float
    center: np.ndarray  # (width,) float32: features are standardised as (f - center) / scale
    scale: np.ndarray  # (width,) float32
    bound: float

    @classmethod
    def fit(cls, examples: np.ndarray, non_digits: np.ndarray) -> KnownDigits | None:
        """From the features of the taught examples (and their copies) and of made-up non-digits: half of those
        to fit on, half to set the bound on. None when there is too little to tell them apart with."""
        examples = np.asarray(examples, np.float32).reshape(len(examples), -1)
        non_digits = np.asarray(non_digits, np.float32).reshape(len(non_digits), -1)
        if len(examples) < 2 or len(non_digits) < 4:
            return None
        fit_on, tune_on = non_digits[0::2], non_digits[1::2]
        both = np.concatenate([examples, fit_on])
        center, scale = both.mean(axis=0), both.std(axis=0) + 1e-6
        x = (both - center) / scale
        y = np.concatenate([np.ones(len(examples)), np.zeros(len(fit_on))]).astype(np.float32)
        share = np.where(y == 1, 0.5 / len(examples), 0.5 / len(fit_on)).astype(np.float32)  # classes weigh alike
        weights, bias = np.zeros(x.shape[1], np.float32), 0.0
        for _ in range(STEPS):
            error = (1.0 / (1.0 + np.exp(-(x @ weights + bias))) - y) * share
            weights -= LEARNING_RATE * (x.T @ error + L2 * weights)
            bias -= LEARNING_RATE * float(error.sum())
        tuned = ((tune_on - center) / scale) @ weights + bias
        bound = float(np.quantile(tuned, 1.0 - NON_DIGITS_LET_THROUGH))
        return cls(weights.astype(np.float32), float(bias), center.astype(np.float32), scale.astype(np.float32),
                   bound)

    def knows(self, features: np.ndarray) -> np.ndarray:
        """For each row of `features`, whether it is on the taught hand's side of the bound."""
        flat = np.asarray(features, np.float32).reshape(len(features), -1)
        return ((flat - self.center) / self.scale) @ self.weights + self.bias > self.bound

    def to_json(self) -> dict[str, Any]:
        """For the sidecar: three vectors as long as the features, and two numbers."""
        return {"weights": self.weights.tolist(), "bias": self.bias, "center": self.center.tolist(),
                "scale": self.scale.tolist(), "bound": self.bound}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KnownDigits:
        """ValueError (or KeyError, TypeError) for a sidecar entry that is not one `to_json` wrote."""
        weights, center, scale = (np.asarray(data[key], np.float32).reshape(-1)
                                  for key in ("weights", "center", "scale"))
        if not len(weights) == len(center) == len(scale) or not np.all(scale > 0):
            raise ValueError(f"vectors of {len(weights)}, {len(center)} and {len(scale)} numbers")
        return cls(weights, float(data["bias"]), center, scale, float(data["bound"]))
