"""Ink maps, the material every generator works on: scaled, turned, trimmed, placed, redrawn with a pen.

An ink map is coverage, white on black: a 28x28 MNIST digit, or any glyph cropped to its ink (uint8 0-255 or
float in [0, 1]). The generators of `synth` and the writers of `mnist_core.writers` draw with these tools, so
a glyph is rendered one way wherever it is used.
"""

from __future__ import annotations

import cv2
import numpy as np

MNIST_BOX = 20  # MNIST digits are fitted into 20x20 inside 28x28


def render(ink: np.ndarray, digit_px: float, angle: float, pad: float = 0.15) -> np.ndarray:
    """Ink coverage in [0, 1], enlarged (or reduced) so the glyph's box is `digit_px` on its long side.

    A 28x28 input is an MNIST digit, whose box is its central 20x20; any other
    size is an ink map already cropped to its glyph.
    """
    coverage = unit(ink)
    box = MNIST_BOX if coverage.shape == (28, 28) else max(coverage.shape)
    scale = digit_px / box
    size = (max(8 if box == MNIST_BOX else 2, int(round(coverage.shape[1] * scale))),
            max(8 if box == MNIST_BOX else 2, int(round(coverage.shape[0] * scale))))
    shrink = size[0] < coverage.shape[1]
    ink = cv2.resize(coverage, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
    # Sharpen the blurry upscale into the crisp edge of a pen stroke.
    ink = np.clip((ink - 0.25) / 0.35, 0.0, 1.0)
    border = int(max(size) * pad)  # room to rotate without clipping
    ink = cv2.copyMakeBorder(ink, border, border, border, border, cv2.BORDER_CONSTANT, value=0)
    if angle == 0.0:
        return ink
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)
    return cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, angle, 1.0), ink.shape[::-1], flags=cv2.INTER_LINEAR)


def unit(ink: np.ndarray) -> np.ndarray:
    """An ink map (uint8 0-255, or float in [0, 1]) as float32 coverage in [0, 1]."""
    ink = np.asarray(ink)
    if ink.dtype == np.uint8 or float(ink.max(initial=0.0)) > 1.0:
        return ink.astype(np.float32) / 255.0
    return ink.astype(np.float32)


def trim(ink: np.ndarray, level: float = 0.05) -> np.ndarray:
    """Crop ink coverage to its bounding box (the pixels covered more than `level`)."""
    rows, cols = np.nonzero(ink > level)
    if rows.size == 0:
        return ink
    return ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def place(ink: np.ndarray, height: int, width: int, rng: np.random.Generator, jitter: float) -> np.ndarray:
    """Put trimmed ink on a height x width field, shifted up to `jitter` of the free room."""
    ink = trim(ink)[:height, :width]
    free_y, free_x = height - ink.shape[0], width - ink.shape[1]
    top = int(free_y / 2 + rng.uniform(-jitter, jitter) * free_y)
    left = int(free_x / 2 + rng.uniform(-jitter, jitter) * free_x)
    top, left = min(max(top, 0), free_y), min(max(left, 0), free_x)
    field = np.zeros((height, width), np.float32)
    field[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return field


def pen_stroke(skeleton: np.ndarray, width: float) -> np.ndarray:
    """Redraw a one-pixel skeleton with a round pen of the given width, anti-aliased."""
    distance = cv2.distanceTransform((~skeleton).astype(np.uint8), cv2.DIST_L2, 5)
    return np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)  # one pixel of soft edge


def thinned(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning: the one-pixel skeleton of a binary mask."""
    img = np.pad(mask, 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            # Neighbours P2..P9, clockwise from north.
            p = [
                img[:-2, 1:-1], img[:-2, 2:], img[1:-1, 2:], img[2:, 2:],
                img[2:, 1:-1], img[2:, :-2], img[1:-1, :-2], img[:-2, :-2],
            ]  # fmt: skip
            count = sum(p)
            transitions = sum((p[i] == 0) & (p[(i + 1) % 8] == 1) for i in range(8))
            if step == 0:
                keep = (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
            else:
                keep = (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
            remove = (img[1:-1, 1:-1] == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & keep
            if remove.any():
                img[1:-1, 1:-1][remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def lean(ink: np.ndarray, degrees: float, slant: float, aspect: float) -> np.ndarray:
    """The ink turned by `degrees`, sheared by `slant` (tops lean right when positive) and its width stretched
    `aspect` times, about its centre; the ink needs room around it (padding) to stay whole."""
    height, width = ink.shape
    centre = np.array([width / 2, height / 2])
    angle = np.radians(degrees)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotation @ np.array([[1.0, slant], [0.0, 1.0]]) @ np.diag([aspect, 1.0])
    affine = np.hstack([matrix, (centre - matrix @ centre)[:, None]]).astype(np.float32)
    return cv2.warpAffine(ink, affine, (width, height), flags=cv2.INTER_LINEAR)


def wobble(ink: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Elastic distortion: every pixel moved by a smooth random field, up to about `amount` px."""
    height, width = ink.shape
    field = [cv2.resize(rng.normal(0, 1, (4, 4)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
             for _ in range(2)]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return cv2.remap(ink, xs + amount * field[0], ys + amount * field[1], cv2.INTER_LINEAR, borderValue=0)


def as_uint8(ink: np.ndarray) -> np.ndarray:
    """Float coverage trimmed to its ink, as a uint8 ink map."""
    return (np.clip(trim(ink), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
