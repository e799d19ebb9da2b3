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
HIGHLIGHT = (255, 150, 0)  # orange: stands out on black maps, white-ish weights and on a projector
HIGHLIGHT_BORDER = 4  # pixels of the frame around a highlighted tile


def enlarge(image: np.ndarray, size: int) -> np.ndarray:
    """Scale so the longer side is about `size` pixels, keeping hard pixel edges."""
    factor = max(1, round(size / max(image.shape[:2])))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def grey(values: np.ndarray, top: float | None = None) -> np.ndarray:
    """Non-negative floats to uint8 grey, 0 -> black and `top` (default: the maximum) -> white."""
    top = float(values.max()) if top is None else top
    return (np.clip(values / top, 0, 1) * 255 + 0.5).astype(np.uint8) if top > 0 else np.zeros(values.shape, np.uint8)


def signed(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Signed floats to RGB: negative blue, zero white, positive red, scaled by `scale` (default: the largest
    magnitude; pass one scale to several pictures to compare them)."""
    scale = scale or float(np.abs(values).max()) or 1.0
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


def rgb(picture: np.ndarray) -> np.ndarray:
    """A grey picture as RGB (RGB pictures unchanged), so it can take a coloured mark."""
    return np.repeat(picture[..., None], 3, axis=2) if picture.ndim == 2 else picture


def mark(picture: np.ndarray, colour: tuple[int, int, int] = HIGHLIGHT, number: int | None = None,
         border: int = HIGHLIGHT_BORDER) -> np.ndarray:
    """An RGB copy with a bold frame, and `number` in a box in its top-left corner: "look at this one"."""
    marked = np.ascontiguousarray(rgb(picture).copy())
    height, width = marked.shape[:2]
    marked[:border], marked[-border:], marked[:, :border], marked[:, -border:] = colour, colour, colour, colour
    if number is not None:
        text = str(number)
        scale = max(0.5, min(height, width) / 70)  # about a fifth of a 64-pixel tile
        thickness = max(1, round(scale * 2))
        (text_width, text_height), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        pad = max(2, thickness)
        marked[:text_height + 2 * pad, :text_width + 2 * pad] = colour
        cv2.putText(marked, text, (pad, text_height + pad), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness,
                    cv2.LINE_AA)
    return marked


def columns_with_labels(columns: Sequence[Sequence[np.ndarray]], labels: Sequence[str], gap: int = 2 * GAP
                        ) -> np.ndarray:
    """Same-sized RGB pictures in columns (each column's pictures stacked), its label written under each column.

    One picture rather than many st.image captions: it shrinks as a whole on a phone, and its labels stay
    under their columns instead of wrapping onto a second row.
    """
    height, width = columns[0][0].shape[:2]
    font, longest = cv2.FONT_HERSHEY_SIMPLEX, max(labels, key=len, default="")
    # Text about a quarter of a column's width high, and never wider than the column.
    scale = min(width / 90, 0.9 * width / max(1, cv2.getTextSize(longest, font, 1.0, 2)[0][0]))
    thickness = max(1, round(scale * 1.6))
    band = int(34 * scale) + 2 * GAP
    column_height = len(columns[0]) * (height + GAP) + band
    sheet = np.full((column_height, len(columns) * (width + gap) - gap, 3), 255, np.uint8)
    for index, (pictures, label) in enumerate(zip(columns, labels)):
        left = index * (width + gap)
        for row, picture in enumerate(pictures):
            top = row * (height + GAP)
            sheet[top:top + height, left:left + width] = rgb(picture)
        (text_width, text_height), _ = cv2.getTextSize(label, font, scale, thickness)
        x = left + max(0, (width - text_width) // 2)
        cv2.putText(sheet, label, (x, column_height - (band - text_height) // 2), font, scale, (40, 40, 40),
                    thickness, cv2.LINE_AA)
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
