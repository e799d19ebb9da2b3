"""Is this a digit at all? A small network that says "not a digit" for every model.

The digit models only know ten answers, so a letter, a star or a scribble
still gets one of them, often with high confidence (a W read as 4 at 89%).
This check is a separate, small network (three, trained from different seeds,
their scores averaged in one file) that sees exactly what every model sees (the
28x28 images that preprocessing produces) and answers one question: does this
look like a handwritten digit? Because it looks at the input and not
at one model's features, it applies to whichever model the user picked.

This module is the check every `predict` runs; how the network is made and its
threshold chosen is `digit_check_training` (`python -m mnist_core train-digit-check`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelFileError
from .inference import as_batch, forward
from .paths import BUNDLED_DIR
from .store import load_model

if TYPE_CHECKING:
    import keras


log = logging.getLogger(__name__)

CHECK_MODEL = BUNDLED_DIR / "digit_check.keras"
NOT_A_DIGIT = ("This doesn't look like a digit. The network only knows the ten digits 0-9, "
               "so it can't say what this is.")
SOME_NOT_DIGITS = ("Some of these marks don't look like digits. The network only knows the ten digits 0-9, "
                   "so it can't say what they are.")
DEFAULT_THRESHOLD = 0.5  # used when a sidecar does not say
# The check reads each input and its copies moved one pixel each way, and averages: a mark right at the threshold
# by an accident of where preprocessing centred it no longer decides alone. On the tuning material, turning
# away 0.2% of held-out digits turns away 92.0% of non-digits this way, 87.9% from the input alone.
SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))  # (dx, dy) px


@dataclass
class DigitCheck:
    """The loaded check network and its threshold."""

    model: "keras.Model"
    threshold: float
    path: Path

    def digit_probability(self, batch: np.ndarray) -> np.ndarray:
        """For each (28, 28, 1) input, how sure the check is that it shows a digit."""
        return digit_scores(self.model, batch)

    def looks_like_digits(self, batch: np.ndarray) -> np.ndarray:
        """True for each input that looks like a digit."""
        return self.digit_probability(batch) >= self.threshold


def digit_scores(model: "keras.Model", batch: np.ndarray) -> np.ndarray:
    """The check network's score for each input: its mean over the input and its copies moved by SHIFTS (the
    threshold is chosen on these scores too, in `digit_check_training`)."""
    batch = as_batch(batch)
    copies = np.concatenate([shifted(batch, dx, dy) for dx, dy in SHIFTS])
    return forward(model)(copies).astype(np.float64).reshape(len(SHIFTS), len(batch)).mean(axis=0)


def shifted(batch: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """The (N, H, W, 1) images moved dx px right and dy px down, black coming in at the edges."""
    moved = np.zeros_like(batch)
    height, width = batch.shape[1:3]
    moved[:, max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        batch[:, max(-dy, 0):height + min(-dy, 0), max(-dx, 0):width + min(-dx, 0)]
    return moved


@lru_cache(maxsize=4)
def load_check(path: str | None = None) -> DigitCheck | None:
    """The check at `path` (default: the bundled one), loaded once per process; None when it cannot be used.

    Predictions still work without it (they just cannot say "not a digit"), so a missing
    or broken file is logged, not raised.
    """
    target = Path(path) if path else CHECK_MODEL
    try:
        model, stored = load_model(target, outputs=1)  # the store's one loader: checksum, lock, safe mode
    except ModelFileError as exc:
        log.warning("The digit check is off, so nothing is called \"not a digit\": %s "
                    "(make it with: python -m mnist_core train-digit-check)", exc)
        return None
    threshold = stored.meta.threshold
    return DigitCheck(model, DEFAULT_THRESHOLD if threshold is None else threshold, target)


_load_lock = threading.Lock()


def not_a_digit(batch: np.ndarray, path: str | Path | None = None) -> str | None:
    """The plain-words reason when the preprocessed inputs are not digits, else None.

    One mark that does not look like a digit is enough: "17★" is no number either.
    """
    if len(batch) == 0:
        return None
    with _load_lock:
        check = load_check(str(path) if path else None)
    if check is None:
        return None
    fine = check.looks_like_digits(batch)
    if fine.all():
        return None
    return NOT_A_DIGIT if len(fine) == 1 or not fine.any() else SOME_NOT_DIGITS
