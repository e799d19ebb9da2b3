"""The pictures the app shows for each step: `Step`, whether a step changed anything, the boxes and the mosaic.

Every stage leaves a picture behind; a viewer only needs the ones that
changed something, so each step notes whether it looks different from the
last one shown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from .marks import Part
from .mnist_format import SIDE
from .pixels import to_u8

# A step "changed the picture" when this share of its pixels moved by this many grey levels (colour counts).
CHANGED_SHARE, CHANGED_LEVELS = 0.02, 24


@dataclass(frozen=True)
class Step:
    """One intermediate image of the pipeline, for display."""

    caption: str  # short plain words a teacher would say, e.g. "Shadows and uneven light evened out"
    image: np.ndarray  # uint8, HxW or HxWx3
    changed: bool = True  # False when the picture looks (nearly) as it did one step before: worth skipping


def add_step(steps: list[Step], caption: str, image: np.ndarray, before: np.ndarray | None = None) -> None:
    """Append a step, noting whether it visibly changed the picture.

    Compared with `before` when given (the same picture just before this step),
    else with the last step that changed something (the last one a viewer saw).
    """
    if before is None:
        before = next((step.image for step in reversed(steps) if step.changed), None)
    steps.append(Step(caption, image, True if before is None else _looks_changed(before, image)))


def _looks_changed(before: np.ndarray, after: np.ndarray) -> bool:
    """More than CHANGED_SHARE of the pixels moved by more than CHANGED_LEVELS grey levels (or the size changed)."""
    if before.shape[:2] != after.shape[:2]:
        return True
    (grey_before, spread_before), (grey_after, spread_after) = _grey_and_spread(before), _grey_and_spread(after)
    moved = (np.abs(grey_before - grey_after) > CHANGED_LEVELS) | (np.abs(spread_before - spread_after)
                                                                   > CHANGED_LEVELS)
    return bool(moved.mean() > CHANGED_SHARE)


def _grey_and_spread(image: np.ndarray) -> tuple[np.ndarray, np.ndarray | float]:
    """Each pixel's mean and standard deviation over its colours (0 for a grey picture).

    The same float32 sums as numpy's mean/std over the colour axis, bit for bit, written per channel: numpy
    reduces a 3-long axis many times slower, and this check ran on every step of every drawing (classroom bench).
    """
    if image.ndim != 3:
        return image.astype(np.float32), 0.0
    red, green, blue = (image[..., channel].astype(np.float32) for channel in range(3))
    grey = (red + green + blue) / 3
    return grey, np.sqrt(((red - grey) ** 2 + (green - grey) ** 2 + (blue - grey) ** 2) / 3)


def input_box(part: Part, scale: float, width: int, height: int, offset: int = 0) -> tuple[int, int, int, int]:
    """The part's box in the coordinates of the decoded input image (less the margin added around it)."""
    x0, y0 = max(0, int((part.x - offset) / scale)), max(0, int((part.y - offset) / scale))
    x1 = min(width, int(np.ceil((part.x - offset + part.w) / scale)))
    y1 = min(height, int(np.ceil((part.y - offset + part.h) / scale)))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def draw_boxes(shown: np.ndarray, parts: list[Part], offset: int = 0) -> np.ndarray:
    """The picture with each digit found framed and numbered, in reading order."""
    image = np.ascontiguousarray(shown.copy())
    thickness = max(3, max(image.shape[:2]) // 100)  # bold: shown at ~280 px on a projector
    for number, part in enumerate(parts, start=1):
        p = Part(part.x - offset, part.y - offset, part.w, part.h, part.mask)  # back in the picture's frame
        cv2.rectangle(image, (p.x, p.y), (p.x + p.w - 1, p.y + p.h - 1), (230, 40, 40), thickness)
        scale = 0.4 * thickness + 0.2
        _, _, rise = _glyphs(str(number), scale, thickness)  # pixels from the number's top to its baseline
        # Above the box where there is room; else inside its top-left corner (at the picture's top edge the
        # number was cut in half).
        origin = (p.x, p.y - 4) if p.y - 4 >= rise else (p.x + thickness + 2, p.y + thickness + rise)
        _stamp(image, str(number), origin, scale, (230, 40, 40), thickness)
    return image


@functools.lru_cache(maxsize=64)
def _glyphs(text: str, scale: float, thickness: int) -> tuple[np.ndarray, int, int]:
    """`text` as cv2.putText writes it, as a mask, with the text's origin in that mask (x, y).

    OpenCV sets up its fonts once per thread (50-100 ms), and the app runs every page in a new thread: a quarter
    of a drawing's server time went there (bench --suite classroom). So each number is written once per process.
    """
    (width, height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = 2 * thickness  # thick strokes reach past the measured box
    mask = np.zeros((height + baseline + 2 * pad, width + 2 * pad), np.uint8)
    cv2.putText(mask, text, (pad, height + pad), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness)
    return mask, pad, height + pad


def _stamp(image: np.ndarray, text: str, origin: tuple[int, int], scale: float, colour: tuple[int, int, int],
           thickness: int) -> None:
    """cv2.putText(image, text, origin, FONT_HERSHEY_SIMPLEX, scale, colour, thickness), its smooth edges blended
    as OpenCV blends them (to within a grey level or two)."""
    mask, origin_x, origin_y = _glyphs(text, scale, thickness)
    x0, y0 = origin[0] - origin_x, origin[1] - origin_y
    top, left = max(0, y0), max(0, x0)
    bottom, right = min(image.shape[0], y0 + mask.shape[0]), min(image.shape[1], x0 + mask.shape[1])
    if top < bottom and left < right:
        cover = mask[top - y0:bottom - y0, left - x0:right - x0].astype(np.float32) / 255
        region = image[top:bottom, left:right].astype(np.float32)
        ink = np.asarray(colour if image.ndim == 3 else colour[0], np.float32)
        if image.ndim == 3:
            cover = cover[..., None]
        image[top:bottom, left:right] = np.rint(region + (ink - region) * cover).astype(image.dtype)


def mosaic(digits: list[np.ndarray]) -> np.ndarray:
    """The 28x28 digits side by side with a grey gap, as uint8."""
    gap = np.full((SIDE, 2), 96, np.uint8)
    tiles = [tile for d in digits for tile in (to_u8(d * 255), gap)][:-1]
    return np.hstack(tiles)
