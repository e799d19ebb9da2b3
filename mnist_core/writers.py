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

from . import synth
from .data import NUM_FIT, load_mnist
from .synth import fonts
from .synth.fonts import GLYPH_PX
from .synth.ink import as_uint8, lean, wobble


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
    by_name = {path.rsplit("/", 1)[-1]: path for path in synth.truetype_fonts()}
    serif = by_name.get("DejaVuSerif-Bold.ttf") or by_name.get("LiberationSerif-Bold.ttf")
    return [w for w in (
        Writer("slanted script", cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, slant=0.45, aspect=1.0, stroke="normal"),
        Writer("wide serif, leaning back", serif, slant=-0.3, aspect=1.35, stroke="thick") if serif else None,
        Writer("narrow complex, tilted", cv2.FONT_HERSHEY_COMPLEX, slant=0.2, aspect=0.7, stroke="thin", tilt=12.0),
        Writer("bent MNIST", None, slant=0.5, aspect=1.3, stroke="normal", tilt=-10.0),
    ) if w is not None]


def turned_away() -> Writer:
    """A hand the "not a digit" check turns away about four digits in ten of (wide, thin, tilted, wobbly): for
    measuring whether teaching reaches digits the check turned away (known_digits)."""
    return Writer("wide tilted duplex", cv2.FONT_HERSHEY_DUPLEX, slant=0.2, aspect=1.4, stroke="thin", tilt=20.0,
                  wobble=0.08)


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
        return fonts.truetype_glyph(char, font)
    return fonts.hershey_glyph(char, font, max(2, GLYPH_PX // 10))


def _hand(glyph: np.ndarray, writer: Writer, rng: np.random.Generator) -> np.ndarray:
    """The writer's fixed slant, width and tilt, plus a little per-digit tilt and wobble: uint8, cropped."""
    scale = GLYPH_PX / max(glyph.shape)
    glyph = cv2.resize(glyph, (max(2, round(glyph.shape[1] * scale)), max(2, round(glyph.shape[0] * scale))),
                       interpolation=cv2.INTER_CUBIC)
    pad = GLYPH_PX // 2
    glyph = cv2.copyMakeBorder(glyph, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    degrees = writer.tilt + rng.uniform(-writer.jitter_degrees, writer.jitter_degrees)
    glyph = lean(glyph, degrees, -writer.slant, writer.aspect)
    return as_uint8(wobble(glyph, rng, writer.wobble * GLYPH_PX))
