"""The ink mask cut into connected marks, minus specks and (for photos) marks at the picture's edge.

Specks of dust or sensor noise, a page edge, a shadow or a corner of the table
all leave ink in the mask; what is left are the marks that may be writing.
"""

from __future__ import annotations

import cv2
import numpy as np

from .blank_or_noise import NOISE
from .marks import Part, mask_stroke_width
from .pixels import odd
from .segmentation import MIN_HEIGHT_RATIO

SPECK_FRACTION = 0.04  # parts smaller than this share of the biggest are specks
MIN_SPECK_AREA = 3e-5  # ... and always parts under this share of the image
NOISE_SPECKS = 40  # that many specks outweighing the kept ink means noise
CUT_WRITING = 0.25  # writing cut by a tight crop's border is at least this share of the picture's height
BORDER_FILL = 0.5  # a mark cut by the border filling more of its box than this is a shadow or an edge


def clean(
    mask: np.ndarray, border: bool, frame: tuple[int, int, int, int] | None = None
) -> tuple[list[Part], str | None]:
    """Connected components minus specks (and, for photos, things touching the picture's border).

    `frame` (x, y, width, height) is where the picture lies in the mask (a margin may surround it).

    Components are found on a copy whose hairline gaps (under half a stroke
    wide) are closed, so a stroke broken by the threshold stays one part.
    """
    width_px = odd(int(round(mask_stroke_width(mask) / 2)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width_px, width_px))
    bridged = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel) | mask
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bridged, connectivity=8)
    height, width = mask.shape
    parts = []
    for label in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[label])
        parts.append(Part(x, y, w, h, (labels[y : y + h, x : x + w] == label) & mask[y : y + h, x : x + w]))
    if border:
        parts = _drop_border(parts, *(frame or (0, 0, width, height)))
    if not parts:
        return [], None
    biggest = max(p.area for p in parts)
    floor = max(SPECK_FRACTION * biggest, MIN_SPECK_AREA * height * width)
    kept = [p for p in parts if p.area >= floor]
    specks = [p for p in parts if p.area < floor]
    if len(specks) > NOISE_SPECKS and sum(p.area for p in specks) > sum(p.area for p in kept):
        return [], NOISE
    return kept, None


def _drop_border(parts: list[Part], left: int, top: int, width: int, height: int) -> list[Part]:
    """Drop page edges, table and shadows: marks touching the picture's border, unless digit-like."""

    def touches(p: Part) -> bool:
        return p.x <= left or p.y <= top or p.x + p.w >= left + width or p.y + p.h >= top + height

    inside = [p for p in parts if not touches(p) and p.area >= MIN_SPECK_AREA * width * height]
    if not inside:  # the digit itself touches the border; in a picture taken for a tight crop (a margin added
        # round it), unless nothing there is as tall as writing: the ends of a rule on a blank page
        tight = left > 0
        return [] if tight and all(p.h < CUT_WRITING * height for p in parts) else parts
    tallest = max(p.h for p in inside)
    kept = list(inside)
    for p in parts:
        if touches(p) and p.area >= MIN_SPECK_AREA * width * height:
            digit_shaped = p.w <= 1.5 * p.h
            digit_like = MIN_HEIGHT_RATIO * tallest <= p.h <= 1.5 * tallest and digit_shaped
            # A tight crop with a stray dot inside: the dot is no reference, the cut-off digit is the writing.
            # Strokes fill little of their box; shadows, table corners and page edges fill most of theirs.
            cut_digit = tallest < MIN_HEIGHT_RATIO * p.h and digit_shaped and p.area < BORDER_FILL * p.w * p.h
            if digit_like or cut_digit:
                kept.append(p)
    return kept
