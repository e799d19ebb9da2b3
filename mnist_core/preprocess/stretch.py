"""A 1 stretched to fill its frame, narrowed back.

Forms and spreadsheets stretch a digit to fill its box in both directions. Most digits survive that (a wide
0 is still a 0), but a 1 becomes a broad slanted bar, which a model that only saw MNIST's narrow 1s reads as
an 8, a 2 or a 5. MNIST keeps each digit's own shape, so a frame-filling digit is narrowed back to a 1's
width and read again: the narrow copy is kept only when the model is all but certain it shows a 1 and was
less sure of the wide one (narrowed, a 7 or a 4 may look like a 1 too, but those were read surely).
"""

from __future__ import annotations

import cv2
import numpy as np

from .mnist_format import fit
from .segmentation import Judge

WIDE = 0.5  # a digit at least this share as wide as tall may be a stretched 1
ONE_ASPECT = 0.35  # width / height of the narrowed copy: an upright MNIST 1
SURE_ONE = 0.99  # the model reads the narrowed copy as 1 at least this surely ...
UNSURE_WIDE = 0.99  # ... and the wide one less surely than this
UPSCALE = 4  # the 28x28 digit is narrowed at this resolution, then fitted again


def narrowed(digit: np.ndarray) -> np.ndarray | None:
    """The 28x28 digit narrowed to a 1's width and fitted into 20x20 again; None when it is already narrow."""
    rows, cols = np.nonzero(digit > 0.1)
    if rows.size == 0:
        return None
    crop = digit[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    height, width = crop.shape
    if width < WIDE * height:
        return None
    size = (max(3, int(ONE_ASPECT * height * UPSCALE)), height * UPSCALE)
    return fit(cv2.resize(crop.astype(np.float32), size, interpolation=cv2.INTER_AREA))


def unstretched(digit: np.ndarray, judge: Judge) -> np.ndarray | None:
    """The narrowed copy of a frame-filling digit when the model reads it as a 1 and the wide one unsurely."""
    narrow = narrowed(digit)
    if narrow is None:
        return None
    wide, narrow_read = judge(np.stack([digit, narrow]).astype(np.float32)[..., None])
    if narrow_read.argmax() == 1 and narrow_read[1] >= SURE_ONE and wide.max() < UNSURE_WIDE:
        return narrow
    return None
