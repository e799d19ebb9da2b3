"""Turning the library's float arrays into crisp pictures for st.image.

Tiny images (28x28, 3x3 filters) are enlarged with nearest-neighbour here,
because the browser would blur them; signed weights get a blue-white-red
scale so "looks for ink" and "looks for no ink" read at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image

DIGIT_DISPLAY = 196  # pixels a side for one 28x28 digit (x7)
TILE_DISPLAY = 72  # pixels a side for one tile in a grid
GAP = 4  # pixels between tiles
GAP_COLOUR = 128  # mid grey: separates both white-ish (weights) and black (activations) tiles


def enlarge(image: np.ndarray, size: int) -> np.ndarray:
    """Scale so the longer side is about `size` pixels, keeping hard pixel edges."""
    factor = max(1, round(size / max(image.shape[:2])))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def grey(values: np.ndarray, top: float | None = None) -> np.ndarray:
    """Non-negative floats to uint8 grey, 0 -> black and `top` (default: the maximum) -> white."""
    top = float(values.max()) if top is None else top
    return (np.clip(values / top, 0, 1) * 255 + 0.5).astype(np.uint8) if top > 0 else np.zeros(values.shape, np.uint8)


def signed(values: np.ndarray) -> np.ndarray:
    """Signed floats to RGB: negative blue, zero white, positive red, scaled by the largest magnitude."""
    scale = float(np.abs(values).max()) or 1.0
    v = np.clip(values / scale, -1, 1)[..., None]
    red, white, blue = np.array([200, 30, 45.0]), np.array([255, 255, 255.0]), np.array([25, 80, 200.0])
    rgb = np.where(v >= 0, white + v * (red - white), white - v * (blue - white))
    return rgb.astype(np.uint8)


def heat(values: np.ndarray, digit: np.ndarray) -> np.ndarray:
    """A [0, 1] heat map blended over the grey digit, as RGB."""
    coloured = cv2.applyColorMap(grey(values, 1.0), cv2.COLORMAP_INFERNO)[..., ::-1]
    base = np.repeat(grey(digit, 1.0)[..., None], 3, axis=2)
    return (0.65 * coloured + 0.35 * base).astype(np.uint8)


def tile(pictures: Sequence[np.ndarray], columns: int, size: int = TILE_DISPLAY) -> np.ndarray:
    """Lay same-sized grey or RGB pictures out in a grid with grey gaps, each enlarged to about `size`."""
    pictures = [enlarge(p, size) for p in pictures]
    height, width = pictures[0].shape[:2]
    channels = pictures[0].shape[2:]
    rows = -(-len(pictures) // columns)
    sheet = np.full((rows * (height + GAP) - GAP, columns * (width + GAP) - GAP, *channels), GAP_COLOUR, np.uint8)
    for index, picture in enumerate(pictures):
        top, left = (index // columns) * (height + GAP), (index % columns) * (width + GAP)
        sheet[top:top + height, left:left + width] = picture
    return sheet


# The browser tab's icon, drawn here: a material icon or an emoji as page_icon is fetched from Google's
# servers, and the app must not need the internet.
_ICON_SEVEN = ("#######",
               "     ##",
               "    ## ",
               "   ##  ",
               "  ##   ",
               "  ##   ",
               "  ##   ")


@lru_cache(maxsize=1)
def app_icon() -> Image.Image:
    """A white 7 on black, like an MNIST digit, 64 pixels a side (a PIL image: page_icon takes no array)."""
    glyph = np.array([[255 if cell == "#" else 0 for cell in row] for row in _ICON_SEVEN], np.uint8)
    return Image.fromarray(np.pad(enlarge(glyph, 56), 4))
