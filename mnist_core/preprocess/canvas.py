"""A clean canvas drawing, told strictly apart from photos and scans, and read at its own size.

The app's canvas sends 280x280 pixels (700x280 for a number): one exact background colour and strokes of
one colour, their soft edges blends of the two (a transparent canvas's ink in the alpha channel is flattened
into the same by `greyscale`). Such a picture has no table around it, no shadows, no printed lines, and its
own pixels are fine enough to read. The full path enlarged it to 512 px and looked for all of those anyway:
about 60% of a Draw page's server time (`bench --suite classroom`). A photo or a scan has grain in its paper
and its ink, and JPEG leaves colours off the line between them, so it fails these checks and keeps the full path.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

CANVAS_SIDES = (200, 1024)  # px: a canvas's short side is at least the first, its long side at most the second
CANVAS_WORK_SIDE = 280  # px: a clean drawing is read with its short side at most this (the app's canvas: as is)
CANVAS_PAPER = 0.5  # the one background colour covers at least this share of the picture, to the exact level
CANVAS_FRAME = 0.9  # ... and of its edge (a tight crop's ink runs along its edges)
CANVAS_CORE = 0.3  # the one ink colour covers at least this share of the rest (the strokes' cores)
CANVAS_CONTRAST = 64.0  # grey levels between paper and ink, at least
CANVAS_BLEND = 2.5  # every other pixel is within this many levels of a blend of paper and ink (rounding)
CANVAS_EDGE = 2  # px: ... and lies this close to the paper: a pen's smooth edge, not an enlarged blur
CANVAS_BLURRED = 0.01  # share of the strokes allowed further in (where strokes cross; drawn: under 0.002)
CANVAS_BLUR = 0.55  # px: the decisions' smoothing on a drawing (the full path's 1 px at 512 px, at 280 px)


@dataclass(frozen=True)
class CleanCanvas:
    """A drawing with one paper and one ink: the levels of both, and the scale it is read at."""

    paper: float  # grey level of the background
    ink: float  # grey level of the strokes' cores
    scale: float  # the working resolution: 1.0 for the app's canvas

    @property
    def dark_ink(self) -> bool:
        """Polarity needs no guessing: the ink is darker than the paper, or lighter."""
        return self.ink < self.paper

    def flat(self, paper: np.ndarray) -> np.ndarray:
        """Each pixel's share of the paper's brightness (1: paper), as `lighting.flatten` gives on even light.

        `paper` is the picture with dark ink on light paper, as the pipeline turns it. The paper is one grey,
        so dividing by it is all the evening out there is to do.
        """
        level = self.paper if self.dark_ink else 255.0 - self.paper
        return np.clip(paper / max(level, 1.0), 0.0, 1.0).astype(np.float32)


def clean_canvas(shown: np.ndarray) -> CleanCanvas | None:
    """The paper and ink levels of a clean drawing, or None for anything else (photos, scans, small pictures).

    `shown` is the picture as `greyscale.grayscale` flattens it (RGB or grey uint8). Clean means: a size a
    canvas has; one exact colour covering most of the picture and of its edge; one exact ink colour at the
    core of the strokes; and every other pixel a blend of those two next to the paper, as a pen's smooth
    edge is.
    """
    height, width = shown.shape[:2]
    if min(height, width) < CANVAS_SIDES[0] or max(height, width) > CANVAS_SIDES[1]:
        return None
    rgb = shown.reshape(height, width, -1)
    packed = _packed(rgb)
    edge = np.concatenate([packed[0], packed[-1], packed[1:-1, 0], packed[1:-1, -1]])
    values, counts = np.unique(edge, return_counts=True)
    background = values[np.argmax(counts)]
    if counts.max() < CANVAS_FRAME * edge.size:
        return None
    is_paper = packed == background
    if is_paper.mean() < CANVAS_PAPER:
        return None
    rest = packed[~is_paper]
    if rest.size == 0:
        return None  # an empty canvas: the blank check says so in the usual words
    values, counts = np.unique(rest, return_counts=True)
    core = values[np.argmax(counts)]
    if counts.max() < CANVAS_CORE * rest.size:
        return None
    paper_rgb, ink_rgb = _unpacked(background, rgb.shape[2]), _unpacked(core, rgb.shape[2])
    direction = ink_rgb - paper_rgb
    grey = _grey(paper_rgb), _grey(ink_rgb)
    if abs(grey[1] - grey[0]) < CANVAS_CONTRAST:
        return None
    # The edges of the strokes: on the line from paper to ink, between the two, to within rounding.
    pixels = rgb[~is_paper].astype(np.float32) - paper_rgb
    share = np.clip(pixels @ direction / float(direction @ direction), 0.0, 1.0)
    off = np.abs(pixels - share[:, None] * direction).max()
    if off > CANVAS_BLEND:
        return None
    blend = ~is_paper & (packed != core)
    near = cv2.dilate(is_paper.astype(np.uint8), np.ones((2 * CANVAS_EDGE + 1,) * 2, np.uint8)) > 0
    if (blend & ~near).sum() > CANVAS_BLURRED * rest.size:
        return None  # an enlarged picture's blurred edges: they need the full path's care
    return CleanCanvas(grey[0], grey[1], min(1.0, CANVAS_WORK_SIDE / min(height, width)))


def _packed(rgb: np.ndarray) -> np.ndarray:
    """Each pixel's colour as one integer, so exact colours compare and count quickly."""
    packed = rgb[:, :, 0].astype(np.uint32)
    for channel in range(1, rgb.shape[2]):
        packed = (packed << 8) | rgb[:, :, channel]
    return packed


def _unpacked(value: np.uint32, channels: int) -> np.ndarray:
    """The colour `_packed` made `value` of, as float32 levels."""
    return np.array([(int(value) >> (8 * (channels - 1 - c))) & 255 for c in range(channels)], np.float32)


def _grey(colour: np.ndarray) -> float:
    """A colour's grey level, weighted as `greyscale.grayscale` weighs it."""
    if colour.size == 1:
        return float(colour[0])
    return float(colour @ np.array([0.299, 0.587, 0.114], np.float32))
