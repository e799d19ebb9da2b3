"""Shadows and uneven light evened out: the paper's brightness is estimated and divided out.

The result is how much darker than its local paper each pixel is, so a digit
half in shadow has the same ink level on both sides, and a fold or a blotch
wider than a stroke disappears.
"""

from __future__ import annotations

import cv2
import numpy as np

from .ink_mask import threshold
from .marks import inside, mask_stroke_width
from .pixels import odd, resize

BACKGROUND_STROKES = 3.0  # the paper is estimated over windows this many strokes wide
MIN_BACKGROUND = 5.0  # px: the narrowest such window
BACKGROUND_CELLS = 12  # grid cells across that window (keeps the closing cheap)
WIDEST_BACKGROUND = 0.5  # share of the long side: the widest window (bold strokes filling a frame need it)


def flatten(paper: np.ndarray) -> np.ndarray:
    """Divide out the paper brightness, in two passes.

    Pass 1 removes only the broad lighting, enough to find the ink roughly and
    measure its stroke width. Pass 2 estimates the paper with a closing just
    wide enough to wipe out strokes (BACKGROUND_STROKES widths), so shadows,
    blotches and folds narrower than the page but wider than a stroke vanish.
    """
    broad = max(paper.shape) / 4
    rough, _ = threshold(1.0 - np.clip(paper / np.maximum(_background(paper, broad), 1.0), 0.0, 1.0))
    widest = WIDEST_BACKGROUND * max(paper.shape)
    size = float(np.clip(BACKGROUND_STROKES * _interior_stroke_width(rough), MIN_BACKGROUND, widest))
    return np.clip(paper / np.maximum(_background(paper, size), 1.0), 0.0, 1.0)


def _background(paper: np.ndarray, size: float) -> np.ndarray:
    """Paper brightness under the ink: a closing (removes dark marks narrower than `size` px).

    Computed on a grid where the closing disc is BACKGROUND_CELLS wide, then smoothed and enlarged.
    """
    factor = min(1.0, BACKGROUND_CELLS / size)
    grid = resize(paper.astype(np.float32), factor)
    cells = odd(int(round(size * factor)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (cells, cells))
    closed = cv2.morphologyEx(grid, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    smooth = cv2.GaussianBlur(closed, (0, 0), cells / 4)
    return cv2.resize(smooth, paper.shape[::-1], interpolation=cv2.INTER_LINEAR)


def _interior_stroke_width(mask: np.ndarray) -> float:
    """Stroke width (px) of the marks not touching the border (shadows and edges do)."""
    inner = inside(mask)
    return mask_stroke_width(inner if inner.any() else mask)
