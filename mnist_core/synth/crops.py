"""Digits that fill the picture: cropped to their own ink box, or stretched to fill a frame, at any size.

People crop a scan or a phone photo tightly around the digit, and forms and spreadsheets send digits
stretched to their box; both leave the ink touching the picture's edges, which MNIST never does.
"""

from __future__ import annotations

import cv2
import numpy as np

from .ink import pen_stroke, render, thinned, trim, unit

CROP_SIZES = {"crop64": (64, 64), "crop16": (16, 16), "crop24": (17, 24), "crop_large": (1000, 3000)}  # long side, px
CROP_SQUARE_CHANCE = 0.5  # share of crops made square (paper beside a narrow glyph); the rest fit the ink box
SCAN_PAPER, SCAN_INK = (185, 255), (0, 90)  # grey levels of a scan's paper and ink
SCAN_NOISE = (0.0, 4.0)  # grey levels of sensor noise
RENDER_MIN_PX = 64  # small crops are drawn at least this big, then reduced (as a scanner averages)
CROP_LEVEL = 0.5  # the crop's edge runs through ink at least half covering its pixels: the stroke is cut, not grazed
FRAME_SIZES = {"framed64": (64, 64), "framed16": (16, 16), "framed_mid": (17, 48)}  # side of the square, px
FRAMED_STROKES = {"thin": (0.05, 0.09), "bold": (0.15, 0.24)}  # pen width as a share of the frame's side
FRAMED_MAX_WIDEN = 2.5  # a narrow glyph (a 1) is widened at most this much beyond its own shape: a bar, no block
FRAMED_RENDER_PX = 128  # drawn this big, then reduced (smooth, antialiased edges)


def tight_crop(ink: np.ndarray, rng: np.random.Generator, size: int, dark_on_light: bool | None = None) -> np.ndarray:
    """The glyph cropped to its own ink box, as people crop a scan or a phone photo: uint8 grey.

    The ink touches the picture's edges (all four, or two when the crop is
    made square); its long side is `size` px. Dark ink on light paper, or the
    other way round (random when `dark_on_light` is None). `ink` is a 28x28
    MNIST digit or any ink map cropped to its glyph (white on black).
    """
    dark_on_light = bool(rng.random() < 0.5) if dark_on_light is None else dark_on_light
    glyph = trim(render(ink, max(size, RENDER_MIN_PX), 0.0, pad=0.0), CROP_LEVEL)
    scale = size / max(glyph.shape)
    shape = (max(1, round(glyph.shape[1] * scale)), max(1, round(glyph.shape[0] * scale)))
    glyph = np.clip(cv2.resize(glyph, shape, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC), 0, 1)
    if rng.random() < CROP_SQUARE_CHANCE:
        extra = size - np.array(glyph.shape)
        before = [int(rng.integers(0, e + 1)) for e in extra]
        glyph = np.pad(glyph, [(b, e - b) for b, e in zip(before, extra)])
    return _scanned(glyph, rng, dark_on_light)


def crops(inks: "np.ndarray | list[np.ndarray]", kind: str, seed: int = 0) -> list[np.ndarray]:
    """Tight crops of each ink map at a size drawn from CROP_SIZES[kind]; image i depends only on (seed, i)."""
    return [crop(ink, kind, seed, index) for index, ink in enumerate(inks)]


def crop(ink: np.ndarray, kind: str, seed: int, index: int) -> np.ndarray:
    """Image `index` of `crops` alone (a 3000 px crop weighs 9 MB: make them one at a time)."""
    low, high = CROP_SIZES[kind]
    rng = np.random.default_rng([seed, index])
    return tight_crop(ink, rng, int(rng.integers(low, high + 1)))


def framed(ink: np.ndarray, rng: np.random.Generator, size: int, stroke: str | None = None,
           dark_on_light: bool | None = None) -> np.ndarray:
    """The glyph stretched to fill a `size` x `size` frame in both directions, redrawn with a thin or bold pen:
    uint8 grey.

    Its strokes touch all four edges (a narrow 1 only the top and bottom: widened at most FRAMED_MAX_WIDEN
    times). Antialiased, dark on light or the other way round (random when None).
    """
    stroke = stroke or str(rng.choice(list(FRAMED_STROKES)))
    dark_on_light = bool(rng.random() < 0.5) if dark_on_light is None else dark_on_light
    side = FRAMED_RENDER_PX
    glyph = trim(unit(ink), CROP_LEVEL)
    natural = cv2.resize(glyph, (max(2, round(glyph.shape[1] * side / glyph.shape[0])), side),
                         interpolation=cv2.INTER_CUBIC)
    # The pen follows the glyph's own centre line, stretched: thinning the stretched blob instead grows forks
    # at every stroke end (the medial axis of a wide bar), which no writer draws.
    skeleton = thinned(np.pad(natural, 1) > 0.5)
    skeleton = thinned(cv2.resize(skeleton.astype(np.float32), (_stretched_width(skeleton.shape, side), side),
                                  interpolation=cv2.INTER_LINEAR) > 0)
    pen = rng.uniform(*FRAMED_STROKES[stroke]) * side
    drawn = pen_stroke(np.pad(skeleton, int(pen) + 2), pen)
    glyph = _stretched(trim(drawn), side)  # the pen's width pushed the ink past the frame
    glyph = np.pad(glyph, [(0, 0), ((side - glyph.shape[1]) // 2, side - glyph.shape[1] - (side - glyph.shape[1]) // 2)])
    glyph = np.clip(cv2.resize(glyph, (size, size), interpolation=cv2.INTER_AREA), 0, 1)
    return _scanned(glyph, rng, dark_on_light)


def _stretched_width(shape: tuple[int, ...], side: int) -> int:
    """A glyph's width once `side` tall and as wide as the frame, or FRAMED_MAX_WIDEN times its own width."""
    natural = shape[1] * side / max(shape[0], 1)
    return max(2, int(round(min(side, FRAMED_MAX_WIDEN * natural))))


def _stretched(glyph: np.ndarray, side: int) -> np.ndarray:
    """The glyph resized to `side` tall and as wide as the frame, or FRAMED_MAX_WIDEN times its own width."""
    resized = cv2.resize(glyph.astype(np.float32), (_stretched_width(glyph.shape, side), side),
                         interpolation=cv2.INTER_CUBIC)
    return np.clip((resized - 0.25) / 0.35, 0.0, 1.0)  # the blurred enlargement steepened into a pen's edge


def frames(inks: "np.ndarray | list[np.ndarray]", kind: str, seed: int = 0) -> list[np.ndarray]:
    """Each ink map filling a frame whose side is drawn from FRAME_SIZES[kind]; image i depends only on (seed, i)."""
    low, high = FRAME_SIZES[kind]
    images = []
    for index, ink in enumerate(inks):
        rng = np.random.default_rng([seed, index])
        images.append(framed(ink, rng, int(rng.integers(low, high + 1))))
    return images


def _scanned(glyph: np.ndarray, rng: np.random.Generator, dark_on_light: bool) -> np.ndarray:
    """Ink coverage scanned: on paper of a random grey with sensor noise, dark on light or the other way round."""
    paper, ink_level = rng.uniform(*SCAN_PAPER), rng.uniform(*SCAN_INK)
    image = paper + (ink_level - paper) * glyph + rng.normal(0, rng.uniform(*SCAN_NOISE), glyph.shape)
    image = image if dark_on_light else 255.0 - image
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)
