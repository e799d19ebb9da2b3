"""The ways a digit reaches the app: phone photos, canvas drawings, scans; and inputs with no digit at all.

MNIST accuracy says little about a phone photo of a sticky note or a stroke drawn on the canvas. These
transforms turn an ink map (white on black: a 28x28 MNIST digit, or any glyph tightly cropped to its ink)
into the kinds of images users really send (paper photos with uneven light, noise and JPEG artefacts;
canvas drawings with thin or thick strokes; inverted, rotated, off-centre digits), so preprocessing and
models can be measured on them.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

from .ink import pen_stroke, place, render, thinned, trim

CANVAS_SIZE = 280  # the drawing canvas is 280x280 pixels
STROKE_WIDTHS = {"thin": (3, 7), "normal": (12, 20), "thick": (26, 36)}  # canvas pixels
PAPER_LEVEL = (195, 250)  # brightness of paper in a photo
INK_LEVEL = (5, 80)  # brightness of pen or pencil ink
JPEG_QUALITY = (40, 92)
RULED_CHANCE = 0.3  # share of photos taken of ruled notebook paper

Transform = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def photo_like(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A phone photo of the glyph written on paper: uint8 RGB, 100-400 px a side.

    `ink` is a 28x28 MNIST digit or any ink map cropped to its glyph (white on black).
    """
    height, width = (int(v) for v in rng.integers(100, 401, size=2))
    digit_px = rng.uniform(0.3, 0.75) * min(height, width)  # digit height on the photo
    glyph = trim(render(ink, digit_px, rng.uniform(-12, 12)))[:height, :width]
    top = int(rng.integers(0, height - glyph.shape[0] + 1))  # anywhere: off-centre on purpose
    left = int(rng.integers(0, width - glyph.shape[1] + 1))
    alpha = np.zeros((height, width), np.float32)
    alpha[top : top + glyph.shape[0], left : left + glyph.shape[1]] = glyph
    return _photograph(alpha, rng, digit_px)


def canvas_like(ink: np.ndarray, rng: np.random.Generator, stroke: str | None = None) -> np.ndarray:
    """The glyph as drawn on the 280x280 canvas: uint8 RGBA.

    `ink` is a 28x28 MNIST digit or any ink map cropped to its glyph (white on
    black). Three canvas styles: ink only in the alpha channel (transparent
    background), black strokes on white, white strokes on black. `stroke` picks
    "thin", "normal" or "thick" (random when None).
    """
    stroke = stroke or str(rng.choice(list(STROKE_WIDTHS)))
    width = rng.uniform(*STROKE_WIDTHS[stroke])
    digit_px = rng.uniform(0.5, 0.8) * CANVAS_SIZE  # people draw big
    skeleton = thinned(render(ink, digit_px, rng.uniform(-8, 8)) > 0.5)
    drawn = place(pen_stroke(skeleton, width), CANVAS_SIZE, CANVAS_SIZE, rng, jitter=0.1)
    ink8 = (drawn * 255 + 0.5).astype(np.uint8)
    style = rng.integers(3)
    if style == 0:  # transparent background, stroke colour in RGB, ink in alpha
        colour = np.where(ink8 > 0, 0 if rng.random() < 0.5 else 255, 0).astype(np.uint8)
        return np.dstack([colour, colour, colour, ink8])
    opaque = np.full_like(ink8, 255)
    grey = 255 - ink8 if style == 1 else ink8  # black on white, or white on black
    return np.dstack([grey, grey, grey, opaque])


def strip(digits28: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Digits written side by side on paper, photographed: uint8 RGB."""
    digit_px = rng.uniform(40, 90)
    pieces = [trim(render(d, digit_px * rng.uniform(0.9, 1.1), rng.uniform(-8, 8))) for d in digits28]
    gaps = [digit_px * rng.uniform(0.1, 0.6) for _ in pieces[1:]]  # uneven spacing
    margin = int(digit_px * rng.uniform(0.3, 0.8))
    width = 2 * margin + int(sum(p.shape[1] for p in pieces) + sum(gaps))
    height = 2 * margin + max(p.shape[0] for p in pieces) + int(digit_px * 0.2)
    alpha = np.zeros((height, width), np.float32)
    x = float(margin)
    for piece, gap in zip(pieces, [*gaps, 0.0]):
        y = margin + int(rng.integers(0, int(digit_px * 0.2) + 1))  # the baseline wanders
        h, w = piece.shape
        alpha[y : y + h, int(x) : int(x) + w] = np.maximum(alpha[y : y + h, int(x) : int(x) + w], piece)
        x += w + gap
    return _photograph(alpha, rng, digit_px)


def clean(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The MNIST digit itself (the reference every other transform is compared to)."""
    return np.asarray(digit28, np.uint8).copy()


def inverted(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Black digit on white, enlarged like a scan: uint8 grey."""
    return 255 - _enlarged(digit28, rng)


def thin(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Canvas drawing with a thin pen."""
    return canvas_like(digit28, rng, stroke="thin")


def thick(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Canvas drawing with a thick brush."""
    return canvas_like(digit28, rng, stroke="thick")


def rotated(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Enlarged digit turned by 10 to 20 degrees either way: uint8 grey."""
    angle = rng.uniform(10, 20) * rng.choice([-1, 1])
    return (render(digit28, rng.uniform(60, 120), angle, pad=0.4) * 255).astype(np.uint8)


def off_centre(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Small digit near a corner of a large dark image: uint8 grey."""
    ink = render(digit28, rng.uniform(25, 50), 0.0)
    return (place(ink, int(rng.integers(150, 300)), int(rng.integers(150, 300)), rng, jitter=0.45) * 255).astype(
        np.uint8
    )


def jpeg(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Enlarged digit saved as a low-quality JPEG: uint8 grey."""
    return _jpeg_round_trip(_enlarged(digit28, rng), int(rng.integers(10, 30)))


TRANSFORMS: dict[str, Transform] = {
    "clean": clean,
    "photo": photo_like,
    "canvas": canvas_like,
    "inverted": inverted,
    "thin": thin,
    "thick": thick,
    "rotated": rotated,
    "off_centre": off_centre,
    "jpeg": jpeg,
}


def blank_photo(rng: np.random.Generator) -> np.ndarray:
    """A photo of paper with nothing written on it (lighting, texture, sometimes ruled): uint8 RGB."""
    height, width = (int(v) for v in rng.integers(100, 401, size=2))
    return _photograph(np.zeros((height, width), np.float32), rng, rng.uniform(30, 120))


def noise(rng: np.random.Generator) -> np.ndarray:
    """Random pixels, grey or colour, fine or blotchy: uint8."""
    height, width = (int(v) for v in rng.integers(28, 401, size=2))
    cell = int(rng.integers(1, 4))  # blotches of 1-3 pixels
    grid = (-(-height // cell), -(-width // cell))
    pixels = rng.integers(0, 256, (*grid, 3) if rng.random() < 0.5 else grid, dtype=np.uint8)
    return np.repeat(np.repeat(pixels, cell, axis=0), cell, axis=1)[:height, :width]


def empty_canvas(rng: np.random.Generator) -> np.ndarray:
    """The 280x280 canvas before anything is drawn, in one of its three styles: uint8 RGBA."""
    style = int(rng.integers(3))
    grey, alpha = ((0, 0), (255, 255), (0, 255))[style]  # transparent, white, black
    return np.dstack([np.full((CANVAS_SIZE, CANVAS_SIZE), value, np.uint8) for value in (grey, grey, grey, alpha)])


# Inputs with no digit at all: the answer must be "no digit", with the reason.
NOT_DIGITS: dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "blank_photo": blank_photo,
    "noise": noise,
    "empty_canvas": empty_canvas,
}


def generate(digits28: np.ndarray, transform: str, seed: int = 0) -> list[np.ndarray]:
    """Apply one named transform to each digit; image i depends only on (seed, i)."""
    function = TRANSFORMS[transform]
    return [function(d, np.random.default_rng([seed, i])) for i, d in enumerate(digits28)]


def strips(
    digits28: np.ndarray, labels: np.ndarray, count: int, seed: int = 0, length: int = 4
) -> list[tuple[np.ndarray, str]]:
    """`count` photographed strips of `length` random digits, with the text they show."""
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(count):
        picks = rng.choice(len(digits28), size=length, replace=False)
        text = "".join(str(int(labels[i])) for i in picks)
        result.append((strip([digits28[i] for i in picks], rng), text))
    return result


def _enlarged(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit scaled up 2-5x with a little margin, as uint8 grey (white on black)."""
    return (render(digit28, rng.uniform(40, 100), 0.0, pad=0.1) * 255).astype(np.uint8)


def _photograph(alpha: np.ndarray, rng: np.random.Generator, digit_px: float) -> np.ndarray:
    """Composite ink coverage onto textured, unevenly lit paper; blur, noise and JPEG it."""
    height, width = alpha.shape
    tint = rng.uniform(-12, 12, size=3)  # yellowish, bluish, greyish paper
    paper = rng.uniform(*PAPER_LEVEL) + tint + _smooth_noise(height, width, rng, 6.0)[:, :, None]
    if rng.random() < RULED_CHANCE:
        lines = _ruling(height, width, rng, spacing=digit_px * rng.uniform(0.9, 1.5))[:, :, None]
        colour = rng.choice([[150, 175, 225], [160, 160, 160], [215, 160, 160]])  # blue, grey, red rules
        paper = paper * (1 - lines) + np.asarray(colour, np.float32) * lines
    ink = rng.uniform(*INK_LEVEL) + rng.uniform(-5, 25, size=3)  # black, blue-black, graphite
    opacity = rng.uniform(0.75, 1.0)
    image = paper * (1 - opacity * alpha[:, :, None]) + ink * opacity * alpha[:, :, None]
    image *= _lighting(height, width, rng)[:, :, None]
    sigma = rng.uniform(0.3, 1.3)
    image = cv2.GaussianBlur(image.astype(np.float32), (0, 0), sigma)  # focus and motion
    image += rng.normal(0, rng.uniform(2, 8), size=image.shape)  # sensor noise
    return _jpeg_round_trip(np.clip(image, 0, 255).astype(np.uint8), int(rng.integers(*JPEG_QUALITY)))


def _ruling(height: int, width: int, rng: np.random.Generator, spacing: float) -> np.ndarray:
    """Coverage of a notebook's ruled lines: thin, evenly spaced, slightly tilted."""
    lines = np.zeros((height, width), np.float32)
    slope = np.tan(np.radians(rng.uniform(-2, 2)))
    thickness = int(rng.integers(1, 4))
    strength = rng.uniform(0.5, 0.9)
    drift = abs(slope) * width  # tilted lines enter from above or below
    for y in np.arange(rng.uniform(0, spacing) - drift, height + drift, spacing):
        start = (0, int(round(y * 16)))
        end = (width * 16, int(round((y + slope * width) * 16)))
        cv2.line(lines, start, end, strength, thickness, cv2.LINE_AA, shift=4)  # 1/16 px precision
    return lines


def _lighting(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative light field: a linear gradient, sometimes with a soft shadow."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xs / width + np.sin(angle) * ys / height) + 0.5
    light = 1.0 - rng.uniform(0.0, 0.4) * np.clip(ramp, 0, 1)
    if rng.random() < 0.5:
        # A shadow edge (hand, phone) across the page, blurred like a real penumbra.
        cut = rng.uniform(0.2, 0.8)
        side = (xs / width if rng.random() < 0.5 else ys / height) > cut
        shade = cv2.GaussianBlur(side.astype(np.float32), (0, 0), max(height, width) * 0.05)
        light *= 1.0 - rng.uniform(0.1, 0.35) * shade
    return light


def _smooth_noise(height: int, width: int, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """Paper texture: coarse blotches plus fine grain."""
    coarse = cv2.resize(rng.normal(0, 1, (8, 8)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return amplitude * coarse + rng.normal(0, amplitude / 3, (height, width))


def _jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as JPEG to add the usual block and ringing artefacts."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB" if image.ndim == 3 else "L"))
