"""Glyphs that are not from MNIST: font digits, and marks that are no digit at all.

A model tuned and tested on MNIST alone flatters itself, so `font_digits` is a second source of digits (the
Hershey and TrueType fonts of `fonts`, with slant, rotation, stroke width and a small elastic wobble), and
`non_digits` a source of marks the answer must be "not a digit" for: unmistakable letters, shapes,
scribbles. Each comes as an ink map cropped to its glyph, for the styles of `synth.styles` to draw.
"""

from __future__ import annotations

import cv2
import numpy as np

from . import fonts
from .fonts import GLYPH_PX, HERSHEY_FONTS
from .ink import as_uint8, lean, trim, wobble

TRUETYPE_CHANCE = 0.5  # share of glyphs drawn from TrueType fonts (when any are installed)
# Letters no one would read as a digit, in print or in handwriting. Left out on purpose:
# O o D Q (0), I l i J j L (1, 7), Z z (2), B (8, 13), S s (5), G b (6), g q y a d (9), T t (7, +).
LETTERS = "ACEFHKMNPRUVWXY" + "cefhkmnpruvwx"
SHAPES = ("star", "heart", "smiley", "arrow", "hash", "square", "triangle", "crosshatch")
SLANT = (-0.35, 0.35)  # horizontal shear: upright to strongly slanted
TILT = (-10.0, 10.0)  # degrees of rotation
ASPECT = (0.8, 1.2)  # width stretched or squeezed this much
STROKE_SHARE = (0.06, 0.17)  # stroke width as a share of the glyph's long side (MNIST: about 0.11)
WOBBLE = (0.01, 0.035)  # elastic displacement as a share of the glyph's long side
NON_DIGIT_MIX = {"letter": 0.5, "shape": 0.3, "scribble": 0.2}


def font_digits(count: int, rng: np.random.Generator) -> tuple[list[np.ndarray], np.ndarray]:
    """Digits 0-9 from fonts, not from MNIST, with stroke jitter: (uint8 ink maps, labels).

    Each ink map is white on black and tightly cropped to its glyph (about
    GLYPH_PX on its long side); the labels run through 0-9 evenly, shuffled.
    """
    labels = rng.permutation(np.arange(count) % 10)
    return [_jittered(_font_glyph(str(int(label)), rng), rng) for label in labels], labels.astype(np.int64)


def non_digits(count: int, rng: np.random.Generator,
               mix: dict[str, float] = NON_DIGIT_MIX) -> tuple[list[np.ndarray], list[str]]:
    """Marks that are not digits: (uint8 ink maps, kinds such as "letter:W", "shape:star", "scribble").

    Same format as `font_digits`: letters that cannot be taken for a digit,
    drawn shapes and scribbles, all with stroke jitter, in the shares of `mix`.
    """
    inks, kinds = [], []
    families = list(mix)
    for _ in range(count):
        family = str(rng.choice(families, p=list(mix.values())))
        if family == "letter":
            letter = str(rng.choice(list(LETTERS)))
            inks.append(_jittered(_font_glyph(letter, rng), rng))
            kinds.append(f"letter:{letter}")
        elif family == "shape":
            shape = str(rng.choice(SHAPES))
            inks.append(_jittered(_shape(shape, rng), rng, restroke=False))
            kinds.append(f"shape:{shape}")
        else:
            inks.append(_jittered(_scribble(rng), rng, restroke=False))
            kinds.append("scribble")
    return inks, kinds


def _font_glyph(char: str, rng: np.random.Generator) -> np.ndarray:
    """One character, upright and clean, from a random Hershey or TrueType font: float32 coverage."""
    found = fonts.truetype_fonts()
    if found and rng.random() < TRUETYPE_CHANCE:
        return _fit_long_side(fonts.truetype_glyph(char, found[int(rng.integers(len(found)))]))
    font = int(rng.choice(HERSHEY_FONTS)) | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    glyph = fonts.hershey_glyph(char, font, max(1, int(round(rng.uniform(*STROKE_SHARE) * GLYPH_PX))))
    if char == "0":  # drawn as an O: narrowed into the oval people write
        narrow = (max(2, round(glyph.shape[1] * 0.75)), glyph.shape[0])
        glyph = cv2.resize(glyph, narrow, interpolation=cv2.INTER_AREA)
    return _fit_long_side(glyph)


def _fit_long_side(ink: np.ndarray, side: int = GLYPH_PX) -> np.ndarray:
    scale = side / max(ink.shape)
    size = (max(2, round(ink.shape[1] * scale)), max(2, round(ink.shape[0] * scale)))
    return np.clip(cv2.resize(ink, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC), 0, 1)


def _jittered(ink: np.ndarray, rng: np.random.Generator, restroke: bool = True) -> np.ndarray:
    """Random slant, tilt, aspect, stroke width and elastic wobble; tightly cropped uint8 (white on black)."""
    if restroke:
        ink = _set_stroke_width(ink, rng.uniform(*STROKE_SHARE) * max(ink.shape))
    pad = int(0.5 * max(ink.shape))
    ink = cv2.copyMakeBorder(ink.astype(np.float32), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    degrees, slant, aspect = rng.uniform(*TILT), rng.uniform(*SLANT), rng.uniform(*ASPECT)
    ink = lean(ink, degrees, slant, aspect)
    return as_uint8(wobble(ink, rng, rng.uniform(*WOBBLE) * GLYPH_PX))


def _set_stroke_width(ink: np.ndarray, target: float) -> np.ndarray:
    """Thicken or thin the strokes (grey dilation or erosion) towards `target` px; never erased."""
    mask = ink > 0.5
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    width = 2.0 * mask.sum() / perimeter if perimeter else target
    radius = int(round((target - width) / 2))
    if radius < 0:
        radius = -min(-radius, int(width / 2) - 1)  # keep at least a couple of pixels of every stroke
    if radius == 0:
        return ink
    size = abs(radius)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * size + 1, 2 * size + 1))
    # Room around the glyph: strokes must not be cut by dilation, nor held up by the border in erosion.
    room = cv2.copyMakeBorder(ink, size, size, size, size, cv2.BORDER_CONSTANT, value=0)
    return cv2.dilate(room, kernel) if radius > 0 else cv2.erode(room, kernel)


def _shape(name: str, rng: np.random.Generator) -> np.ndarray:
    """A drawn shape (outline strokes) as float32 coverage, cropped."""
    side = GLYPH_PX
    field = np.zeros((2 * side, 2 * side), np.uint8)
    thickness = max(2, int(round(rng.uniform(*STROKE_SHARE) * side)))
    centre = np.array([side, side], np.float64)
    radius = side / 2

    def poly(points: np.ndarray, closed: bool = True) -> None:
        cv2.polylines(field, [np.round(points * 16).astype(np.int32)], closed, 255, thickness, cv2.LINE_AA, shift=4)

    if name == "star":
        angles = -np.pi / 2 + np.arange(10) * np.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, radius, radius * rng.uniform(0.35, 0.5))
        poly(centre + np.stack([np.cos(angles), np.sin(angles)], axis=1) * radii[:, None])
    elif name == "heart":
        t = np.linspace(0, 2 * np.pi, 80)
        x, y = 16 * np.sin(t) ** 3, -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        poly(centre + np.stack([x, y], axis=1) * radius / 17)
    elif name == "smiley":
        cv2.circle(field, (side, side), int(radius), 255, thickness, cv2.LINE_AA)
        for dx in (-1, 1):
            eye = (int(side + dx * radius * 0.38), int(side - radius * 0.3))
            cv2.circle(field, eye, max(2, thickness), 255, -1, cv2.LINE_AA)
        cv2.ellipse(field, (side, int(side + radius * 0.1)), (int(radius * 0.55), int(radius * 0.45)),
                    0, 20, 160, 255, thickness, cv2.LINE_AA)  # fmt: skip
    elif name == "arrow":
        direction = rng.uniform(0, 2 * np.pi)
        along = np.array([np.cos(direction), np.sin(direction)])
        tip, tail = centre + along * radius, centre - along * radius
        poly(np.stack([tail, tip]), closed=False)
        for turn in (2.6, -2.6):  # the two barbs, about 30 degrees off the shaft
            barb = np.array([np.cos(direction + turn), np.sin(direction + turn)]) * radius * 0.45
            poly(np.stack([tip, tip + barb]), closed=False)
    elif name == "hash":
        for offset in (-0.35, 0.35):
            lean = 0.2 * radius  # the down strokes of # lean a little
            poly(centre + np.array([[offset * radius + lean, -radius], [offset * radius - lean, radius]]), closed=False)
            poly(centre + np.array([[-radius, offset * radius], [radius, offset * radius]]), closed=False)
    elif name == "square":
        half = radius * rng.uniform(0.8, 1.0)
        poly(centre + np.array([[-half, -half], [half, -half], [half, half], [-half, half]]))
    elif name == "triangle":
        angles = -np.pi / 2 + np.arange(3) * 2 * np.pi / 3
        poly(centre + np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius)
    elif name == "crosshatch":
        lines = int(rng.integers(3, 6))
        for k in np.linspace(-radius, radius, lines):
            poly(centre + np.array([[k - radius / 2, -radius], [k + radius / 2, radius]]), closed=False)
            poly(centre + np.array([[k + radius / 2, -radius], [k - radius / 2, radius]]), closed=False)
    else:
        raise ValueError(f"unknown shape {name!r}; choose one of {', '.join(SHAPES)}")
    return trim(field.astype(np.float32) / 255.0)


def _scribble(rng: np.random.Generator) -> np.ndarray:
    """A random looping scrawl: a smooth curve through 6-12 random points, as float32 coverage."""
    side = GLYPH_PX
    points = rng.uniform(0.5 * side, 1.5 * side, size=(int(rng.integers(6, 13)), 2))
    # Catmull-Rom through the points: smooth, loopy, pen-like.
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, 12)[:, None]
    curve = []
    for p0, p1, p2, p3 in zip(padded, padded[1:], padded[2:], padded[3:]):
        curve.append(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                            + (3 * p1 - p0 - 3 * p2 + p3) * t**3))  # fmt: skip
    field = np.zeros((2 * side, 2 * side), np.uint8)
    thickness = max(2, int(round(rng.uniform(*STROKE_SHARE) * side)))
    path = np.round(np.vstack(curve) * 16).astype(np.int32)
    cv2.polylines(field, [path], False, 255, thickness, cv2.LINE_AA, shift=4)
    return trim(field.astype(np.float32) / 255.0)
