"""Realistic evaluation inputs: MNIST test digits, font digits, and things that are not digits.

MNIST accuracy says little about a phone photo of a sticky note or a stroke
drawn on the canvas. These transforms turn an ink map (white on black: a 28x28
MNIST digit, or any glyph tightly cropped to its ink) into the kinds of images
users really send (paper photos with uneven light, noise and JPEG artefacts;
canvas drawings with thin or thick strokes; inverted, rotated, off-centre
digits), so preprocessing and models can be measured on them.

A model tuned and tested on MNIST alone flatters itself, so there is a second
source of digits that is not MNIST (`font_digits`: OpenCV's Hershey stroke
fonts and the TrueType fonts of Debian's fonts-dejavu-core and fonts-liberation,
with slant, rotation, stroke width and a small elastic wobble), and a source of
marks that are not digits at all (`non_digits`: unmistakable letters, shapes,
scribbles). Everything is deterministic given the numpy Generator.
"""

from __future__ import annotations

import functools
import glob
import io
import os
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

MNIST_BOX = 20  # MNIST digits are fitted into 20x20 inside 28x28
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
    glyph = _trim(_render(ink, digit_px, rng.uniform(-12, 12)))[:height, :width]
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
    skeleton = _thin(_render(ink, digit_px, rng.uniform(-8, 8)) > 0.5)
    drawn = _place(_stroke(skeleton, width), CANVAS_SIZE, CANVAS_SIZE, rng, jitter=0.1)
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
    pieces = [_trim(_render(d, digit_px * rng.uniform(0.9, 1.1), rng.uniform(-8, 8))) for d in digits28]
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
    return (_render(digit28, rng.uniform(60, 120), angle, pad=0.4) * 255).astype(np.uint8)


def off_centre(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Small digit near a corner of a large dark image: uint8 grey."""
    ink = _render(digit28, rng.uniform(25, 50), 0.0)
    return (_place(ink, int(rng.integers(150, 300)), int(rng.integers(150, 300)), rng, jitter=0.45) * 255).astype(
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


# --- Tight crops: the glyph fills the picture, at any size ---

CROP_SIZES = {"crop64": (64, 64), "crop16": (16, 16), "crop24": (17, 24), "crop_large": (1000, 3000)}  # long side, px
CROP_SQUARE_CHANCE = 0.5  # share of crops made square (paper beside a narrow glyph); the rest fit the ink box
SCAN_PAPER, SCAN_INK = (185, 255), (0, 90)  # grey levels of a scan's paper and ink
SCAN_NOISE = (0.0, 4.0)  # grey levels of sensor noise
RENDER_MIN_PX = 64  # small crops are drawn at least this big, then reduced (as a scanner averages)
CROP_LEVEL = 0.5  # the crop's edge runs through ink at least half covering its pixels: the stroke is cut, not grazed


def tight_crop(ink: np.ndarray, rng: np.random.Generator, size: int, dark_on_light: bool | None = None) -> np.ndarray:
    """The glyph cropped to its own ink box, as people crop a scan or a phone photo: uint8 grey.

    The ink touches the picture's edges (all four, or two when the crop is
    made square); its long side is `size` px. Dark ink on light paper, or the
    other way round (random when `dark_on_light` is None). `ink` is a 28x28
    MNIST digit or any ink map cropped to its glyph (white on black).
    """
    dark_on_light = bool(rng.random() < 0.5) if dark_on_light is None else dark_on_light
    glyph = _trim(_render(ink, max(size, RENDER_MIN_PX), 0.0, pad=0.0), CROP_LEVEL)
    scale = size / max(glyph.shape)
    shape = (max(1, round(glyph.shape[1] * scale)), max(1, round(glyph.shape[0] * scale)))
    glyph = np.clip(cv2.resize(glyph, shape, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC), 0, 1)
    if rng.random() < CROP_SQUARE_CHANCE:
        extra = size - np.array(glyph.shape)
        before = [int(rng.integers(0, e + 1)) for e in extra]
        glyph = np.pad(glyph, [(b, e - b) for b, e in zip(before, extra)])
    paper, ink_level = rng.uniform(*SCAN_PAPER), rng.uniform(*SCAN_INK)
    image = paper + (ink_level - paper) * glyph + rng.normal(0, rng.uniform(*SCAN_NOISE), glyph.shape)
    image = image if dark_on_light else 255.0 - image
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def crops(inks: "np.ndarray | list[np.ndarray]", kind: str, seed: int = 0) -> list[np.ndarray]:
    """Tight crops of each ink map at a size drawn from CROP_SIZES[kind]; image i depends only on (seed, i)."""
    return [crop(ink, kind, seed, index) for index, ink in enumerate(inks)]


def crop(ink: np.ndarray, kind: str, seed: int, index: int) -> np.ndarray:
    """Image `index` of `crops` alone (a 3000 px crop weighs 9 MB: make them one at a time)."""
    low, high = CROP_SIZES[kind]
    rng = np.random.default_rng([seed, index])
    return tight_crop(ink, rng, int(rng.integers(low, high + 1)))


# --- Glyphs that are not from MNIST: font digits, and marks that are no digit ---

GLYPH_PX = 96  # glyphs are drawn with this long side before jitter
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")  # Debian packages
FONT_SKIP = ("Mono", "Math")  # their zeros are dotted or slashed; a math font is no handwriting
HERSHEY_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)  # fmt: skip
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


@functools.lru_cache(maxsize=1)
def truetype_fonts() -> tuple[str, ...]:
    """The TrueType fonts used for glyphs (none when the Debian font packages are absent)."""
    found = [path for folder in FONT_DIRS for path in glob.glob(os.path.join(folder, "*.ttf"))]
    return tuple(sorted(path for path in found if not any(skip in os.path.basename(path) for skip in FONT_SKIP)))


def _font_glyph(char: str, rng: np.random.Generator) -> np.ndarray:
    """One character, upright and clean, from a random Hershey or TrueType font: float32 coverage."""
    fonts = truetype_fonts()
    if fonts and rng.random() < TRUETYPE_CHANCE:
        return _truetype_glyph(char, fonts[int(rng.integers(len(fonts)))])
    font = int(rng.choice(HERSHEY_FONTS)) | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    squeeze = 1.0
    if char == "0":  # Hershey zeros are slashed; people write an oval, a narrow O
        char, squeeze = "O", 0.75
    (width, height), baseline = cv2.getTextSize(char, font, 1.0, 1)
    scale = GLYPH_PX / max(height + baseline, 1)
    thickness = max(1, int(round(rng.uniform(*STROKE_SHARE) * GLYPH_PX)))
    side = int(3 * GLYPH_PX)
    field = np.zeros((side, side), np.uint8)
    cv2.putText(field, char, (GLYPH_PX, 2 * GLYPH_PX), font, scale, 255, thickness, cv2.LINE_AA)
    glyph = _trim(field.astype(np.float32) / 255.0)
    if squeeze != 1.0:
        narrow = (max(2, round(glyph.shape[1] * squeeze)), glyph.shape[0])
        glyph = cv2.resize(glyph, narrow, interpolation=cv2.INTER_AREA)
    return _fit_long_side(glyph)


@functools.lru_cache(maxsize=256)
def _truetype_glyph(char: str, path: str) -> np.ndarray:
    font = ImageFont.truetype(path, int(GLYPH_PX * 1.4))
    left, top, right, bottom = font.getbbox(char)
    image = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(image).text((4 - left, 4 - top), char, fill=255, font=font)
    return _fit_long_side(_trim(np.asarray(image, np.float32) / 255.0))


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
    height, width = ink.shape
    centre = np.array([width / 2, height / 2])
    angle = np.radians(rng.uniform(*TILT))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shear = np.array([[1.0, rng.uniform(*SLANT)], [0.0, 1.0]])  # tops lean right (or left)
    stretch = np.diag([rng.uniform(*ASPECT), 1.0])
    matrix = rotation @ shear @ stretch
    affine = np.hstack([matrix, (centre - matrix @ centre)[:, None]]).astype(np.float32)
    ink = cv2.warpAffine(ink, affine, (width, height), flags=cv2.INTER_LINEAR)
    ink = _wobble(ink, rng, rng.uniform(*WOBBLE) * GLYPH_PX)
    return (np.clip(_trim(ink), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def _wobble(ink: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Elastic distortion: every pixel moved by a smooth random field, up to about `amount` px."""
    height, width = ink.shape
    field = [cv2.resize(rng.normal(0, 1, (4, 4)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
             for _ in range(2)]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return cv2.remap(ink, xs + amount * field[0], ys + amount * field[1], cv2.INTER_LINEAR, borderValue=0)


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
    return _trim(field.astype(np.float32) / 255.0)


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
    return _trim(field.astype(np.float32) / 255.0)


def _render(ink: np.ndarray, digit_px: float, angle: float, pad: float = 0.15) -> np.ndarray:
    """Ink coverage in [0, 1], enlarged (or reduced) so the glyph's box is `digit_px` on its long side.

    A 28x28 input is an MNIST digit, whose box is its central 20x20; any other
    size is an ink map already cropped to its glyph.
    """
    unit = _unit(ink)
    box = MNIST_BOX if unit.shape == (28, 28) else max(unit.shape)
    scale = digit_px / box
    size = (max(8 if box == MNIST_BOX else 2, int(round(unit.shape[1] * scale))),
            max(8 if box == MNIST_BOX else 2, int(round(unit.shape[0] * scale))))
    shrink = size[0] < unit.shape[1]
    ink = cv2.resize(unit, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
    # Sharpen the blurry upscale into the crisp edge of a pen stroke.
    ink = np.clip((ink - 0.25) / 0.35, 0.0, 1.0)
    border = int(max(size) * pad)  # room to rotate without clipping
    ink = cv2.copyMakeBorder(ink, border, border, border, border, cv2.BORDER_CONSTANT, value=0)
    if angle == 0.0:
        return ink
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)
    return cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, angle, 1.0), ink.shape[::-1], flags=cv2.INTER_LINEAR)


def _unit(ink: np.ndarray) -> np.ndarray:
    """An ink map (uint8 0-255, or float in [0, 1]) as float32 coverage in [0, 1]."""
    ink = np.asarray(ink)
    if ink.dtype == np.uint8 or float(ink.max(initial=0.0)) > 1.0:
        return ink.astype(np.float32) / 255.0
    return ink.astype(np.float32)


def _enlarged(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit scaled up 2-5x with a little margin, as uint8 grey (white on black)."""
    return (_render(digit28, rng.uniform(40, 100), 0.0, pad=0.1) * 255).astype(np.uint8)


def _trim(ink: np.ndarray, level: float = 0.05) -> np.ndarray:
    """Crop ink coverage to its bounding box (the pixels covered more than `level`)."""
    rows, cols = np.nonzero(ink > level)
    if rows.size == 0:
        return ink
    return ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def _place(ink: np.ndarray, height: int, width: int, rng: np.random.Generator, jitter: float) -> np.ndarray:
    """Put trimmed ink on a height x width field, shifted up to `jitter` of the free room."""
    ink = _trim(ink)[:height, :width]
    free_y, free_x = height - ink.shape[0], width - ink.shape[1]
    top = int(free_y / 2 + rng.uniform(-jitter, jitter) * free_y)
    left = int(free_x / 2 + rng.uniform(-jitter, jitter) * free_x)
    top, left = min(max(top, 0), free_y), min(max(left, 0), free_x)
    field = np.zeros((height, width), np.float32)
    field[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return field


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


def _stroke(skeleton: np.ndarray, width: float) -> np.ndarray:
    """Redraw a one-pixel skeleton with a round pen of the given width, anti-aliased."""
    distance = cv2.distanceTransform((~skeleton).astype(np.uint8), cv2.DIST_L2, 5)
    return np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)  # one pixel of soft edge


def _thin(mask: np.ndarray) -> np.ndarray:
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


def _jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as JPEG to add the usual block and ringing artefacts."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB" if image.ndim == 3 else "L"))


# --- Digits that fill their frame, and digits in boxes, on answer lines and in plots (issue #25) ---
# Forms, spreadsheets and small scans send digits stretched to their box, or inside printed boxes and frames.

FRAME_SIZES = {"framed64": (64, 64), "framed16": (16, 16), "framed_mid": (17, 48)}  # side of the square, px
FRAMED_STROKES = {"thin": (0.05, 0.09), "bold": (0.15, 0.24)}  # pen width as a share of the frame's side
FRAMED_MAX_WIDEN = 2.5  # a narrow glyph (a 1) is widened at most this much beyond its own shape: a bar, no block
FRAMED_RENDER_PX = 128  # drawn this big, then reduced (smooth, antialiased edges)
BOX_SIDE = (28, 96)  # px: a form's box
BOX_LINE = (1, 4)  # px: its printed line
BOX_LINE_LEVEL = (0, 170)  # grey of the line: black to mid grey
BOX_MARGIN = (0.0, 0.3)  # space between the line and the digit, as a share of the box (0: the digit touches it)
BOX_PAPER_AROUND = (0.0, 0.3)  # paper around the box (or row), as a share of the box side
ROW_LENGTH = (4, 6)  # boxed digits in a row (a postcode, an amount)
ROW_SHARED_EDGES = 0.5  # share of rows whose boxes share their sides (a comb); the rest stand apart
PLOT_IMAGE_PX = (84, 168)  # the plotted 28x28 digit's side in the figure


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
    glyph = _stretched(_trim(_unit(ink), CROP_LEVEL), side)
    pen = rng.uniform(*FRAMED_STROKES[stroke]) * side
    room = int(pen) + 2
    skeleton = _thin(np.pad(glyph, room) > 0.5)
    glyph = _stretched(_trim(_stroke(skeleton, pen)), side)  # the pen's width pushed the ink past the frame
    glyph = np.pad(glyph, [(0, 0), ((side - glyph.shape[1]) // 2, side - glyph.shape[1] - (side - glyph.shape[1]) // 2)])
    glyph = np.clip(cv2.resize(glyph, (size, size), interpolation=cv2.INTER_AREA), 0, 1)
    paper, ink_level = rng.uniform(*SCAN_PAPER), rng.uniform(*SCAN_INK)
    image = paper + (ink_level - paper) * glyph + rng.normal(0, rng.uniform(*SCAN_NOISE), glyph.shape)
    image = image if dark_on_light else 255.0 - image
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def _stretched(glyph: np.ndarray, side: int) -> np.ndarray:
    """The glyph resized to `side` tall and as wide as the frame, or FRAMED_MAX_WIDEN times its own width."""
    natural = glyph.shape[1] * side / max(glyph.shape[0], 1)
    width = int(round(min(side, FRAMED_MAX_WIDEN * natural)))
    resized = cv2.resize(glyph.astype(np.float32), (max(2, width), side), interpolation=cv2.INTER_CUBIC)
    return np.clip((resized - 0.25) / 0.35, 0.0, 1.0)  # the blurred enlargement steepened into a pen's edge


def frames(inks: "np.ndarray | list[np.ndarray]", kind: str, seed: int = 0) -> list[np.ndarray]:
    """Each ink map filling a frame whose side is drawn from FRAME_SIZES[kind]; image i depends only on (seed, i)."""
    low, high = FRAME_SIZES[kind]
    images = []
    for index, ink in enumerate(inks):
        rng = np.random.default_rng([seed, index])
        images.append(framed(ink, rng, int(rng.integers(low, high + 1))))
    return images


def _box_style(rng: np.random.Generator) -> dict[str, float]:
    """One form's look: box side, line width and grey, paper and ink levels."""
    return {"side": float(rng.uniform(*BOX_SIDE)), "line": int(rng.integers(BOX_LINE[0], BOX_LINE[1] + 1)),
            "line_level": float(rng.uniform(*BOX_LINE_LEVEL)), "paper": float(rng.uniform(*SCAN_PAPER)),
            "ink": float(rng.uniform(*SCAN_INK)), "noise": float(rng.uniform(*SCAN_NOISE))}


def _in_box(ink: np.ndarray, rng: np.random.Generator, inner_w: int, inner_h: int) -> np.ndarray:
    """The glyph's coverage placed in a box's inside (inner_h x inner_w), with a margin of 0-30% to the line."""
    margin = rng.uniform(*BOX_MARGIN)
    tall = max(6.0, inner_h * (1 - 2 * margin))
    glyph = _trim(_render(ink, tall, rng.uniform(-6, 6), pad=0.2))
    scale = min(1.0, inner_w / glyph.shape[1], inner_h / glyph.shape[0])
    if scale < 1.0:
        size = (max(2, int(glyph.shape[1] * scale)), max(2, int(glyph.shape[0] * scale)))
        glyph = cv2.resize(glyph, size, interpolation=cv2.INTER_AREA)
    field = np.zeros((inner_h, inner_w), np.float32)
    top = int(rng.integers(0, inner_h - glyph.shape[0] + 1))
    left = int(rng.integers(0, inner_w - glyph.shape[1] + 1))
    if margin < 0.05:  # "touching": the digit runs right up to the line on one side or more
        top = 0 if rng.random() < 0.5 else inner_h - glyph.shape[0]
    field[top:top + glyph.shape[0], left:left + glyph.shape[1]] = glyph
    return field


def _on_paper(ink: np.ndarray, lines: np.ndarray, style: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    """Writing coverage and printed-line coverage on scanned paper: uint8 grey."""
    image = np.full(ink.shape, style["paper"], np.float32)
    image += (style["line_level"] - image) * lines
    image += (style["ink"] - image) * ink  # the pen goes over the print
    image += rng.normal(0, style["noise"], ink.shape)
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def boxed_row(inks: "list[np.ndarray]", rng: np.random.Generator) -> np.ndarray:
    """Digits written one per printed box, side by side (one box for one ink map): uint8 grey, dark on light.

    Boxes 1-4 px, black to mid grey, BOX_SIDE px; in a row they share their sides (a comb) or stand apart.
    Each digit has its own margin to the line, from touching it to 30% of the box.
    """
    style = _box_style(rng)
    side, line = int(style["side"]), int(style["line"])
    width = int(side * rng.uniform(0.75, 1.1))
    shared = len(inks) > 1 and rng.random() < ROW_SHARED_EDGES
    gap = 0 if shared else int(side * rng.uniform(0.1, 0.5))
    step = width - line if shared else width + gap
    around = [int(side * rng.uniform(*BOX_PAPER_AROUND)) for _ in range(4)]  # top, bottom, left, right
    height = around[0] + side + around[1]
    total = around[2] + step * (len(inks) - 1) + width + around[3]
    writing, lines = np.zeros((height, total), np.float32), np.zeros((height, total), np.float32)
    for index, ink in enumerate(inks):
        x, y = around[2] + index * step, around[0]
        cv2.rectangle(lines, (x, y), (x + width - 1, y + side - 1), 1.0, line)
        inner = (slice(y + line, y + side - line), slice(x + line, x + width - line))
        writing[inner] = np.maximum(writing[inner], _in_box(ink, rng, width - 2 * line, side - 2 * line))
    return _on_paper(writing, lines, style, rng)


def boxed(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One digit in one printed box, as on a form: uint8 grey, dark on light."""
    return boxed_row([ink], rng)


def answer_line(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A digit written on a printed answer line that runs well past it on both sides: uint8 grey, dark on light."""
    style = _box_style(rng)
    tall = style["side"]
    glyph = _trim(_render(ink, tall, rng.uniform(-6, 6), pad=0.2))
    line = int(style["line"])
    left_run, right_run = (int(tall * rng.uniform(0.5, 2.0)) for _ in range(2))
    above, below = int(tall * rng.uniform(0.2, 0.5)), int(tall * rng.uniform(0.2, 0.5))
    height, width = above + glyph.shape[0] + below, left_run + glyph.shape[1] + right_run
    writing, lines = np.zeros((height, width), np.float32), np.zeros((height, width), np.float32)
    writing[above:above + glyph.shape[0], left_run:left_run + glyph.shape[1]] = glyph
    baseline = above + glyph.shape[0] - int(rng.uniform(-0.05, 0.1) * tall)  # on the line, a little over or under
    margin = int(tall * rng.uniform(0.05, 0.3))
    lines[baseline:baseline + line, margin:width - margin] = 1.0
    return _on_paper(writing, lines, style, rng)


def plot_frame(digit28: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 28x28 digit shown as a plot shows an image: framed by its axes, with ticks and tick labels (0, 5, ... 25)
    below and to the left; grey map either way round (white digit on black, or black on white): uint8 grey."""
    image_px = int(rng.integers(*PLOT_IMAGE_PX))
    shown = cv2.resize(np.asarray(digit28, np.uint8), (image_px, image_px),
                       interpolation=cv2.INTER_NEAREST if rng.random() < 0.5 else cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        shown = 255 - shown
    scale = rng.uniform(0.3, 0.5)  # the tick labels' font size
    (label_w, label_h), _ = cv2.getTextSize("25", cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    left, top = int(rng.integers(12, 30)) + label_w + 8, int(rng.integers(8, 30))
    bottom, right = int(rng.integers(8, 20)) + label_h + 10, int(rng.integers(8, 30))
    figure = np.full((top + image_px + bottom, left + image_px + right), 255, np.uint8)
    figure[top:top + image_px, left:left + image_px] = shown
    spine = int(rng.integers(1, 3))
    cv2.rectangle(figure, (left - spine, top - spine), (left + image_px + spine - 1, top + image_px + spine - 1), 0,
                  spine)
    for tick in range(0, 28, 5):
        at = int(round((tick + 0.5) * image_px / 28))
        text = str(tick)
        (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        cv2.line(figure, (left + at, top + image_px + spine), (left + at, top + image_px + spine + 3), 0, 1)
        cv2.putText(figure, text, (left + at - w // 2, top + image_px + spine + 6 + h), cv2.FONT_HERSHEY_SIMPLEX,
                    scale, 0, 1, cv2.LINE_AA)
        cv2.line(figure, (left - spine - 4, top + at), (left - spine - 1, top + at), 0, 1)
        cv2.putText(figure, text, (left - spine - 7 - w, top + at + h // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 1,
                    cv2.LINE_AA)
    return figure


FORMS: dict[str, Transform] = {"boxed": boxed, "answer_line": answer_line, "plot": plot_frame}


def boxed_rows(inks: "np.ndarray | list[np.ndarray]", labels: np.ndarray, count: int,
               seed: int = 0) -> list[tuple[np.ndarray, str]]:
    """`count` rows of 4-6 boxed digits drawn from `inks`, with the text they show."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        picks = rng.choice(len(inks), size=int(rng.integers(ROW_LENGTH[0], ROW_LENGTH[1] + 1)), replace=False)
        rows.append((boxed_row([inks[i] for i in picks], rng), "".join(str(int(labels[i])) for i in picks)))
    return rows
