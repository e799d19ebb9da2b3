"""A digit stretched to fill its frame, narrowed back.

Forms and spreadsheets stretch a digit to fill its box in both directions. MNIST keeps each digit's own
shape, and a model that only saw MNIST reads a 1 widened into a broad slanted bar as an 8, a 2 or a 5, and
is unsure of a 6 or a 4 as wide as it is tall. A stretch cannot be undone in general, so a frame-filling
digit is narrowed and read again, and the narrow copy is kept only when the model reads it far more surely:
narrowed to a 1's width, a 1 it is all but certain of (a 7 or a 4 narrowed may look like a 1 too, but those
were read surely); narrowed to a common digit's width, any digit it is sure of where it was unsure.
"""

from __future__ import annotations

import cv2
import numpy as np

from .mnist_format import fit
from .segmentation import Judge

WIDE = 0.5  # a digit at least this share as wide as tall may be a stretched 1 ...
ONE_ASPECT = 0.35  # ... narrowed to this width / height: an upright MNIST 1
SURE_ONE = 0.99  # ... kept when the model reads it as 1 at least this surely and the wide one less surely
FILLED = 0.85  # a digit at least this share as wide as tall fills its frame (few digits are, unstretched) ...
COMMON_ASPECT = 0.6  # ... narrowed to this width / height, a common MNIST digit's
SURE = 0.95  # ... kept when the model reads it at least this surely and the wide one less surely
UPSCALE = 4  # the 28x28 digit is narrowed at this resolution, then fitted again


def narrowed(digit: np.ndarray, aspect: float = ONE_ASPECT) -> np.ndarray:
    """The 28x28 digit's ink squeezed to `aspect` x its height, fitted into 20x20 again."""
    rows, cols = np.nonzero(digit > 0.1)
    crop = digit[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    height = crop.shape[0]
    size = (max(3, int(aspect * height * UPSCALE)), height * UPSCALE)
    return fit(cv2.resize(crop.astype(np.float32), size, interpolation=cv2.INTER_AREA))


def unstretched(digit: np.ndarray, judge: Judge) -> np.ndarray | None:
    """A narrowed copy of a frame-filling digit that the model reads far more surely; None when there is none."""
    rows, cols = np.nonzero(digit > 0.1)
    if rows.size == 0:
        return None
    aspect = (np.ptp(cols) + 1) / (np.ptp(rows) + 1)
    if aspect < WIDE:
        return None
    copies = [narrowed(digit, ONE_ASPECT)] + ([narrowed(digit, COMMON_ASPECT)] if aspect >= FILLED else [])
    wide, one, *common = judge(np.stack([digit, *copies]).astype(np.float32)[..., None])
    if one.argmax() == 1 and one[1] >= SURE_ONE and wide.max() < SURE_ONE:
        return copies[0]
    if common and common[0].max() >= SURE and wide.max() < SURE:
        return copies[1]
    return None
