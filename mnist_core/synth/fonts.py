"""Characters drawn from fonts: OpenCV's Hershey stroke fonts and the TrueType fonts of Debian's font packages.

Font digits (`synth.font_digits`) and the generated writers (`mnist_core.writers`) both start from a clean,
upright character drawn here, cropped to its ink, then give it a hand of their own.
"""

from __future__ import annotations

import functools
import glob
import os

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .ink import trim

GLYPH_PX = 96  # glyphs are drawn with this long side
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")  # Debian packages
FONT_SKIP = ("Mono", "Math")  # their zeros are dotted or slashed; a math font is no handwriting
HERSHEY_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)  # fmt: skip


@functools.lru_cache(maxsize=1)
def truetype_fonts() -> tuple[str, ...]:
    """The TrueType fonts used for glyphs (none when the Debian font packages are absent)."""
    found = [path for folder in FONT_DIRS for path in glob.glob(os.path.join(folder, "*.ttf"))]
    return tuple(sorted(path for path in found if not any(skip in os.path.basename(path) for skip in FONT_SKIP)))


@functools.lru_cache(maxsize=256)
def truetype_glyph(char: str, path: str) -> np.ndarray:
    """One character from the TrueType file at `path`: float32 coverage cropped to its ink (cached: read-only)."""
    font = ImageFont.truetype(path, int(GLYPH_PX * 1.4))
    left, top, right, bottom = font.getbbox(char)
    image = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(image).text((4 - left, 4 - top), char, fill=255, font=font)
    return trim(np.asarray(image, np.float32) / 255.0)


def hershey_glyph(char: str, font: int, thickness: int) -> np.ndarray:
    """One character in a Hershey font (about GLYPH_PX tall), `thickness` px strokes: float32 coverage, cropped."""
    if char == "0":  # Hershey zeros are slashed; people write an oval
        char = "O"
    (_, height), baseline = cv2.getTextSize(char, font, 1.0, 1)
    scale = GLYPH_PX / max(height + baseline, 1)
    field = np.zeros((3 * GLYPH_PX, 3 * GLYPH_PX), np.uint8)
    cv2.putText(field, char, (GLYPH_PX, 2 * GLYPH_PX), font, scale, 255, thickness, cv2.LINE_AA)
    return trim(field.astype(np.float32) / 255.0)
