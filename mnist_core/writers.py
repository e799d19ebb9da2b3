"""Generated "new writers": one person's consistent handwriting, for measuring `adapt`.

MNIST's 500 writers do not include the person at the projector. To measure
whether teaching helps, each writer here has one consistent style that no MNIST
writer has, and varies from digit to digit only as a hand does:

- font writers: every digit from one font, with one slant, one width and one
  stroke weight, plus a little wobble and tilt per digit;
- a distorted-MNIST writer: MNIST digits from the held-out training images
  (55,000-59,999, never the test set) all bent by one fixed distortion.

Every digit is then drawn on the 280x280 canvas (`synth.canvas_like`) and read
back through `preprocess`, exactly as a drawing in the app is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import synth
from .data import NUM_FIT, load_mnist

GLYPH_PX = 96  # glyphs are drawn with this long side


@dataclass(frozen=True)
class Writer:
    """One hand: its font (or None for distorted MNIST), slant, width and stroke, fixed for every digit."""

    name: str
    font: str | int | None  # a TrueType file, a cv2 Hershey font number, or None for distorted MNIST
    slant: float  # horizontal shear: tops lean right when positive
    aspect: float  # width stretched (>1) or squeezed (<1)
    stroke: str  # the canvas pen: "thin", "normal" or "thick"
    tilt: float = 0.0  # degrees the whole hand is turned
    wobble: float = 0.02  # elastic displacement per digit, as a share of the glyph
    jitter_degrees: float = 3.0  # per-digit turn around the writer's tilt


def writers() -> list[Writer]:
    """The writers the benchmark uses: each one a style that is consistent and not MNIST's."""
    fonts = {path.rsplit("/", 1)[-1]: path for path in synth.truetype_fonts()}
    serif = fonts.get("DejaVuSerif-Bold.ttf") or fonts.get("LiberationSerif-Bold.ttf")
    return [w for w in (
        Writer("slanted script", cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, slant=0.45, aspect=1.0, stroke="normal"),
        Writer("wide serif, leaning back", serif, slant=-0.3, aspect=1.35, stroke="thick") if serif else None,
        Writer("narrow complex, tilted", cv2.FONT_HERSHEY_COMPLEX, slant=0.2, aspect=0.7, stroke="thin", tilt=12.0),
        Writer("bent MNIST", None, slant=0.5, aspect=1.3, stroke="normal", tilt=-10.0),
    ) if w is not None]


def write(writer: Writer, labels: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """The writer's digits for `labels`, each as the canvas would send it (RGBA, 280x280)."""
    pool = _mnist_pool() if writer.font is None else None
    drawn = []
    for label in labels:
        if pool is None:
            glyph = _font_glyph(str(int(label)), writer.font)
        else:
            choices = pool[int(label)]
            glyph = choices[int(rng.integers(len(choices)))].astype(np.float32) / 255.0
        ink = _hand(glyph, writer, rng)
        drawn.append(synth.canvas_like(ink, rng, stroke=writer.stroke))
    return drawn


def _mnist_pool() -> dict[int, np.ndarray]:
    """The held-out training images by digit: the distorted writer's raw material (never test images)."""
    mnist = load_mnist()
    x, y = mnist.x_train[NUM_FIT:], mnist.y_train[NUM_FIT:]
    return {digit: x[y == digit] for digit in range(10)}


def _font_glyph(char: str, font: str | int) -> np.ndarray:
    """One character from a TrueType file or a Hershey font: float32 coverage, cropped to its ink."""
    if isinstance(font, str):
        face = ImageFont.truetype(font, int(GLYPH_PX * 1.4))
        left, top, right, bottom = face.getbbox(char)
        image = Image.new("L", (right - left + 8, bottom - top + 8), 0)
        ImageDraw.Draw(image).text((4 - left, 4 - top), char, fill=255, font=face)
        return _trim(np.asarray(image, np.float32) / 255.0)
    if char == "0":  # Hershey zeros are slashed; people write an oval
        char = "O"
    (width, height), baseline = cv2.getTextSize(char, font, 1.0, 1)
    scale = GLYPH_PX / max(height + baseline, 1)
    field = np.zeros((3 * GLYPH_PX, 3 * GLYPH_PX), np.uint8)
    cv2.putText(field, char, (GLYPH_PX, 2 * GLYPH_PX), font, scale, 255, max(2, GLYPH_PX // 10), cv2.LINE_AA)
    return _trim(field.astype(np.float32) / 255.0)


def _hand(glyph: np.ndarray, writer: Writer, rng: np.random.Generator) -> np.ndarray:
    """The writer's fixed slant, width and tilt, plus a little per-digit tilt and wobble: uint8, cropped."""
    scale = GLYPH_PX / max(glyph.shape)
    glyph = cv2.resize(glyph, (max(2, round(glyph.shape[1] * scale)), max(2, round(glyph.shape[0] * scale))),
                       interpolation=cv2.INTER_CUBIC)
    pad = GLYPH_PX // 2
    glyph = cv2.copyMakeBorder(glyph, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    height, width = glyph.shape
    angle = np.radians(writer.tilt + rng.uniform(-writer.jitter_degrees, writer.jitter_degrees))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotation @ np.array([[1.0, -writer.slant], [0.0, 1.0]]) @ np.diag([writer.aspect, 1.0])
    centre = np.array([width / 2, height / 2])
    affine = np.hstack([matrix, (centre - matrix @ centre)[:, None]]).astype(np.float32)
    glyph = cv2.warpAffine(glyph, affine, (width, height), flags=cv2.INTER_LINEAR)
    amount = writer.wobble * GLYPH_PX
    fields = [cv2.resize(rng.normal(0, 1, (4, 4)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
              for _ in range(2)]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    glyph = cv2.remap(glyph, xs + amount * fields[0], ys + amount * fields[1], cv2.INTER_LINEAR, borderValue=0)
    return (np.clip(_trim(glyph), 0, 1) * 255 + 0.5).astype(np.uint8)


def _trim(ink: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(ink > 0.05)
    if rows.size == 0:
        return ink
    return ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
