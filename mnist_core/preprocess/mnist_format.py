"""One digit in the MNIST format: cropped, stroke width normalised, fitted into 20x20, centred by mass in 28x28.

Models only ever saw MNIST: white digits on black, fitted into a 20x20 box
with soft anti-aliased edges and their centre of mass at the centre of 28x28.
This stage makes every digit found look like that.
"""

from __future__ import annotations

import cv2
import numpy as np

from .marks import Part

SIDE = 28  # output image side
BOX = 20  # the digit is fitted into BOX x BOX, keeping its aspect ratio
CENTRE = 14.0  # MNIST centre of mass, in pixel-index coordinates
INK_EDGE = (0.3, 0.7)  # ink levels mapped to 0 and 1 before anti-aliased downscaling
STROKE_TARGET = 2.2  # stroke width in 28x28 pixels (2 x ink mass / outline; MNIST median)
STROKE_RANGE = (1.5, 4.5)  # MNIST holds these; thinner is thickened, fatter thinned


def to_mnist(ink: np.ndarray, digit: Part) -> np.ndarray:
    """Crop the digit's ink, normalise its stroke width, fit it into 20x20 and centre it."""
    pad = max(2, int(0.05 * max(digit.w, digit.h)))  # keep the soft edges around the mask
    y0, x0 = max(0, digit.y - pad), max(0, digit.x - pad)
    y1, x1 = min(ink.shape[0], digit.y + digit.h + pad), min(ink.shape[1], digit.x + digit.w + pad)
    own = np.zeros((y1 - y0, x1 - x0), np.uint8)
    own[digit.y - y0 : digit.y - y0 + digit.h, digit.x - x0 : digit.x - x0 + digit.w] = digit.mask
    near = cv2.dilate(own, np.ones((2 * pad + 1, 2 * pad + 1), np.uint8)) > 0  # not the neighbours' ink
    crop = ink[y0:y1, x0:x1] * near
    level = np.percentile(crop[own > 0], 90) if own.any() else 1.0
    low, high = INK_EDGE
    # Stroke cores -> 1.0 and camera blur steepened back into a pen edge.
    crop = np.clip((crop / max(level, 1e-3) - low) / (high - low), 0.0, 1.0)
    width = _ink_width(crop, own > 0) * BOX / max(digit.w, digit.h)  # in 28x28 pixels
    if not STROKE_RANGE[0] <= width <= STROKE_RANGE[1]:
        crop = _restroke(crop, width)
    return fit(crop)


def fit(crop: np.ndarray) -> np.ndarray:
    """Scale the ink so its box is 20 px on the long side; put its centre of mass at the centre."""
    rows, cols = np.nonzero(crop > 0.1)
    if rows.size == 0:
        return np.zeros((SIDE, SIDE), np.float32)
    crop = crop[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    height, width = crop.shape
    field = int(round(max(height, width) * SIDE / BOX))  # 28x28 at the crop's resolution
    mass = crop.sum()
    cy = (crop.sum(axis=1) @ np.arange(height)) / mass
    cx = (crop.sum(axis=0) @ np.arange(width)) / mass
    # Integer offsets at crop resolution are sub-pixel at 28x28; clamp so no ink is cut.
    centre = CENTRE * field / SIDE - 0.5 * (1 - field / SIDE)
    top = int(np.clip(round(centre - cy), 0, field - height))
    left = int(np.clip(round(centre - cx), 0, field - width))
    canvas = np.zeros((field, field), np.float32)
    canvas[top : top + height, left : left + width] = crop
    interpolation = cv2.INTER_AREA if field >= SIDE else cv2.INTER_LINEAR
    return np.clip(cv2.resize(canvas, (SIDE, SIDE), interpolation=interpolation), 0.0, 1.0)


def _ink_width(ink: np.ndarray, mask: np.ndarray) -> float:
    """Mean stroke width: 2 x ink mass / outline length (independent of the threshold)."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * float(ink.sum()) / perimeter if perimeter else 0.0


def _restroke(crop: np.ndarray, width: float) -> np.ndarray:
    """Thicken thin strokes or thin thick ones by grey dilation or erosion of the crop."""
    pixels_per_unit = max(crop.shape) / BOX  # crop pixels per 28x28 pixel
    change = (STROKE_TARGET - max(width, 0.5)) * pixels_per_unit
    radius = max(1, int(round(abs(change) / 2)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    if change > 0:
        room = cv2.copyMakeBorder(crop, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0)
        return cv2.dilate(room, kernel)  # the room keeps thickened strokes from being cut
    return cv2.erode(crop, kernel)
