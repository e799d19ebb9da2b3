"""Ink marks as the later stages handle them: `Part` (a box and its pixels) and masks' geometry.

A part is one connected mark, or a digit made of several. The helpers here
answer questions several stages ask of a binary mask: which of its marks touch
the picture's border, and how wide its strokes are.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Part:
    """A set of ink pixels: a connected component, or a digit made of several."""

    x: int
    y: int
    w: int
    h: int
    mask: np.ndarray  # bool, h x w, the pixels of this part inside its box

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.y, self.y + self.h), slice(self.x, self.x + self.w)

    @property
    def area(self) -> int:
        return int(self.mask.sum())


def inside(mask: np.ndarray) -> np.ndarray:
    """The connected parts of a mask that do not touch the image border."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    height, width = mask.shape
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    inner = (x > 0) & (y > 0) & (x + w < width) & (y + h < height)
    inner[0] = False  # the background
    return inner[labels]


def touching_border(mask: np.ndarray) -> np.ndarray:
    """The connected parts of a mask that touch the image border."""
    return mask & ~inside(mask)


def mask_stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask: 2 x area / perimeter."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * mask.sum() / perimeter if perimeter else 0.0
