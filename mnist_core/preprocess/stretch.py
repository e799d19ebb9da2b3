"""A digit stretched to fill its frame, narrowed back.

Forms and spreadsheets stretch a digit to fill its box in both directions. MNIST keeps each digit's own
shape, and a model that only saw MNIST reads a 1 widened into a broad slanted bar as an 8, a 2 or a 5, is
unsure of a 6 or a 4 as wide as it is tall, and a digit check that only saw MNIST's shapes calls such a block
"not a digit". A stretch cannot be undone in general (the digit's own width is lost), so a wide digit is read
as it is and narrowed to the widths of common MNIST digits; the reading those copies agree on wins (their mean
probabilities), and the copy that reads it most surely is kept. A digit wide by nature (a tight crop of a broad
2) mostly keeps its reading: its narrowed copies still read it.
"""

from __future__ import annotations

import cv2
import numpy as np

from .mnist_format import fit
from .segmentation import Judge

WIDE = 0.5  # a digit at least this share as wide as tall may have been stretched to fill its frame ...
NARROW_ASPECTS = (0.6, 0.5)  # ... and is read again narrowed to these widths / heights (common MNIST digits')
UPSCALE = 4  # the 28x28 digit is narrowed at this resolution, then fitted again
FILLS_HEIGHT = 0.9  # a stretched digit runs (almost) from its frame's top to its bottom; writing that touches
# only one edge of a photo (a 0 cut at the top, a 9 on a rule that reaches the sides) keeps its own shape


def narrowed(digit: np.ndarray, aspect: float) -> np.ndarray:
    """The 28x28 digit's ink squeezed to `aspect` x its height, fitted into 20x20 again."""
    rows, cols = np.nonzero(digit > 0.1)
    crop = digit[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    height = crop.shape[0]
    size = (max(3, int(aspect * height * UPSCALE)), height * UPSCALE)
    return fit(cv2.resize(crop.astype(np.float32), size, interpolation=cv2.INTER_AREA))


def fills_height(digit_height: int, frame_height: int) -> bool:
    """Whether a digit is as tall as its picture, as one stretched to fill its frame is."""
    return digit_height >= FILLS_HEIGHT * frame_height


def unstretched(digit: np.ndarray, judge: Judge) -> np.ndarray | None:
    """The narrowed copy of a wide digit that reads most surely what the digit and its narrowed copies agree on;
    None when the digit is narrow, or when it reads that most surely itself."""
    rows, cols = np.nonzero(digit > 0.1)
    if rows.size == 0:
        return None
    aspect = (np.ptp(cols) + 1) / (np.ptp(rows) + 1)
    copies = [narrowed(digit, narrow) for narrow in NARROW_ASPECTS if narrow < aspect] if aspect >= WIDE else []
    if not copies:
        return None
    readings = np.asarray(judge(np.stack([digit, *copies]).astype(np.float32)[..., None]))
    agreed = readings.mean(axis=0).argmax()
    surest = int(readings[:, agreed].argmax())
    return copies[surest - 1] if surest else None
