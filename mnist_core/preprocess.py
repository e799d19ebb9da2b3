"""Any image -> MNIST-like 28x28 digits, keeping every step.

Models only ever saw MNIST: white digits on black, fitted into a 20x20 box with
soft anti-aliased edges and centred by centre of mass in 28x28. Canvas strokes
and phone photos are far from that (transparency, dark ink on tinted paper,
shadows, noise, several digits, thin or fat pens), so every input goes through
the same pipeline, and each intermediate image is kept for the app to show:

  grayscale -> lighting flattened -> ink map (polarity detected) -> threshold
  -> specks and borders removed -> digits segmented left to right
  -> each digit cropped, stroke width normalised, fitted to 20x20, centred.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from mnist_core.imageio import load_image

# The MNIST format.
SIDE = 28  # output image side
BOX = 20  # the digit is fitted into BOX x BOX, keeping its aspect ratio
CENTRE = 14.0  # MNIST centre of mass, in pixel-index coordinates
INK_EDGE = (0.3, 0.7)  # ink levels mapped to 0 and 1 before anti-aliased downscaling
STROKE_TARGET = 2.2  # stroke width in 28x28 pixels (2 x ink mass / outline; MNIST median)
STROKE_RANGE = (1.5, 4.5)  # MNIST holds these; thinner is thickened, fatter thinned

# Working resolution, lighting and polarity.
WORK_LONG_SIDE = (512, 1024)  # small inputs are enlarged and large ones reduced to this
MIN_INPUT_SIDE = 8  # pixels along the long side; anything smaller cannot hold a readable digit
MIN_INPUT_WIDTH = 2  # pixels along the short side (a tight crop of a 1 may be 3 px wide)
COARSE_LONG_SIDE = 48  # grid on which the polarity is judged
POLARITY_PRIOR = 2.0  # ink of the paper's own lightness must outweigh the other this much
MIN_DEPARTURE = 24.0  # grey levels: smaller departures from the paper are texture, not ink
FRAME_PAPER = 0.3  # the picture's edge is paper when its median lies in this outer share of the grey range
TIGHT_SPAN = 0.5  # ink touching the edge and spanning this share of both sides: the glyph fills the frame
TIGHT_DARKNESS = 0.6  # ... and the ink at the edge is this dark (a share of the way from paper to the darkest ink)
TIGHT_BAND = 0.03  # ... judged within this share of the long side from the edge
TIGHT_MARGIN = 0.2  # ... then paper this share of the long side is added around it (MNIST's own margin)
SHEET_SIDE = 128  # px: a sheet of paper on a table is looked for at this size
SHEET_MIN_AREA = 0.25  # the lit paper covers at least this share of the photo
SHEET_SOLIDITY = 0.7  # ... and, with its writing, of the sheet's rectangle
SHEET_MIN_SIDE = 0.3  # the sheet's short side spans at least this share of the photo's
SHEET_STROKE = 0.36  # the writing on it is thinner than this share of that side
SHEET_MIN_TABLE = 0.03  # the table shows on at least this share of the photo
SHEET_FRAME = 0.5  # ... runs along at least this share of the border
SHEET_TABLE_DARKNESS = 0.6  # ... and is at most this share of the paper's brightness
SHEET_TABLE_FLAT = 0.4  # ... and even: nothing on it darker by this share of the step up to paper
SHEET_TABLE_GRAIN = 0.5  # ... but photographed: grey levels of noise at least (median deviation)
BACKGROUND_STROKES = 3.0  # the paper is estimated over windows this many strokes wide
MIN_BACKGROUND = 5.0  # px: the narrowest such window
BACKGROUND_CELLS = 12  # grid cells across that window (keeps the closing cheap)

# Decisions "there is nothing to read here".
MIN_CONTRAST = 12.0  # grey levels between darkest and lightest; below: blank
MIN_INK = 0.18  # ink must be this much darker (or lighter) than its paper
MAX_NOISE = 0.1  # pixel noise / contrast above which the image is noise (digits < 0.07, noise > 0.14)
NOISE_QUANTILE = 25  # noise is read off the calmest quarter of pixels: a tight crop is mostly stroke edges
NOISE_SIGMAS = 3.14  # ... whose deviation is 0.32 sigma for Gaussian noise
TINY_AREA = 24 * 24  # px: smaller pictures are judged by how alike neighbouring pixels are instead
MIN_NEIGHBOUR_CORRELATION = 0.3  # ... digits: over 0.35, random pixels: under 0.12
NOISE_SCALES = (1, 2, 3, 4)  # ... judged on the image and on copies reduced this many times
NOISE_MIN_SIDE, NOISE_MIN_AREA = 12, 24 * 24  # px: smaller copies are not judged (a 28x28 digit is not noise)
DARK_IMAGE = 64  # median grey below which an image with no clear ink is taken for dark paper
NOISE_SPECKS = 40  # that many specks outweighing the kept ink also means noise

# Ruled notebook lines: straight across most of the image and lighter than the ink.
RULE_THRESHOLD = 0.25  # rules are looked for in ink above this share of the ink threshold
RULE_GRID_COARSE, RULE_GRID_FINE = 4, 2  # ... on grids this many pixels coarse (a cheap look first)
RULE_SPAN = 0.6  # share of the image's width (or height) a rule crosses, gaps aside
RULE_EDGE = 0.1  # ... running from this close to one edge to as close to the other
RULE_SLOPE = 0.08  # at most this steep (about 5 degrees)
RULE_TOLERANCE = 2  # grid cells: pieces of one rule follow each other this closely at mid-width
RULE_CONTRAST = 0.7  # a rule's ink is at most this share of the writing's
RULE_MAX_THICKNESS = 0.03  # share of the image's long side: thicker straight strokes are no rules
RULE_GRAIN = 4.0  # robust sigmas of paper grain that faint ink must exceed
MIN_WRITING_AREA = 1e-4  # share of the image: less ink between the rules is paper grain, not writing

# Cleaning and segmentation, relative to the image or to the digits found.
SPECK_FRACTION = 0.04  # parts smaller than this share of the biggest are specks
MIN_SPECK_AREA = 3e-5  # ... and always parts under this share of the image
MERGE_OVERLAP = 0.5  # parts sharing this much of their width form one digit
FRAGMENT_HEIGHT = 0.5  # parts shorter than this x the median height are pieces of a digit
FRAGMENT_AREA = 0.3  # ... as are small, fairly short ones with under this x the median ink
FRAGMENT_DISTANCE = 0.3  # ... joined to the nearest digit within this x the median height
FRAGMENT_SIDE_GAP = 0.08  # ... above or below it, or at most this x the median height beside it
LONE_FRAGMENT_GAP = 0.35  # beside a lone digit: pieces with LONE_FRAGMENT_AREA x its ink, this x its height away
LONE_FRAGMENT_AREA = 0.15
MIN_HEIGHT_RATIO = 0.4  # in a row of digits, shorter marks are not digits
BORDER_FILL = 0.5  # a mark cut by the border filling more of its box than this is a shadow or an edge
MIN_AREA_RATIO = 0.15  # ... nor are marks with this little ink (dots, dashes)
DASH_ASPECT = 4.0  # one stroke this many times longer than thick is a dash or a rule
DASH_MAX_TILT = 30.0  # degrees from horizontal; steeper lone strokes may be 1s
SPLIT_ASPECT = 1.6  # a lone "digit" wider than this x its height holds several (0.3% of MNIST are)
SPLIT_IN_ROW = 1.4  # in a row: wider than this x the typical digit height
DIGIT_ASPECT = 0.75  # typical MNIST width / height, to guess how many
MAX_DIGITS = 30  # more marks than this are read as the first 30

# A step "changed the picture" when this share of its pixels moved by this many grey levels (colour counts).
CHANGED_SHARE, CHANGED_LEVELS = 0.02, 24

# Reasons for "no digits", in the user's words.
EMPTY_CANVAS = "The canvas is empty: draw a digit."
BLANK = "No ink found: the image looks blank."
NOISE = "This looks like noise, not a digit."
NOTHING = "No digit found: the marks are too small or too faint to read."


Judge = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28, 1) float32 digits -> (N, 10) class probabilities


@dataclass(frozen=True)
class Step:
    """One intermediate image of the pipeline, for display."""

    caption: str  # short plain words a teacher would say, e.g. "Shadows and uneven light evened out"
    image: np.ndarray  # uint8, HxW or HxWx3
    changed: bool = True  # False when the picture looks (nearly) as it did one step before: worth skipping


@dataclass(frozen=True)
class Preprocessed:
    """The digits found in one image, where they are, and how they were found."""

    digits: list[np.ndarray]  # each 28x28 float32 in [0, 1], white ink on black
    boxes: list[tuple[int, int, int, int]]  # (x, y, w, h) in the input image, left to right
    steps: list[Step]  # every intermediate step, in order
    reason: str | None  # None when digits were found, else why not, in plain words

    @property
    def input_batch(self) -> np.ndarray:
        """float32 (N, 28, 28, 1), ready for model(x, training=False)."""
        if not self.digits:
            return np.zeros((0, SIDE, SIDE, 1), np.float32)
        return np.stack(self.digits).astype(np.float32)[:, :, :, None]


def preprocess(
    source: str | os.PathLike[str] | bytes | Image.Image | np.ndarray,
    *,
    name: str | None = None,
    multi: bool = True,
    judge: Judge | None = None,
) -> Preprocessed:
    """Load any image and turn it into MNIST-like digits.

    multi=False treats all ink as one digit (the drawing canvas); multi=True
    reads a row of digits left to right. `judge` (class probabilities for a
    (N, 28, 28, 1) batch, i.e. a model) settles whether a wide mark is one
    digit or several touching ones; without it the mark's shape decides.
    Raises ImageError for unreadable input.
    """
    rgba = load_image(source, name=name)
    steps: list[Step] = []
    height, width = rgba.shape[:2]
    empty = BLANK if multi else EMPTY_CANVAS

    def nothing(reason: str) -> Preprocessed:
        return Preprocessed([], [], steps, reason)

    gray, shown = _grayscale(rgba)
    scale = _work_scale(height, width)
    steps.append(Step("Your picture", _resize(shown, scale)))
    if max(height, width) < MIN_INPUT_SIDE or min(height, width) < MIN_INPUT_WIDTH:
        return nothing(f"The image is too small to hold a digit ({width}x{height} pixels).")
    native = _resize(gray, min(scale, 1.0))  # checks run on real pixels, not enlarged ones
    if _contrast(native) < MIN_CONTRAST:
        return nothing(empty)
    if _noisy(native):  # grain, or blotches of several pixels on a coarser copy
        return nothing(NOISE)

    work = _resize(gray, scale)
    _add(steps, "Colours taken away: only light and dark are left", _u8(work))
    work, on_table = _paper_only(work)
    if on_table:
        _add(steps, "The sheet of paper found: the table around it is painted over", _u8(work))
    dark_ink = _dark_ink(work)
    paper = work if dark_ink else 255.0 - work  # from here on: dark ink on light paper
    paper, offset = _margin_if_tight(paper)
    if offset:
        _add(steps, "Paper added around the edges, so the writing no longer touches them", _u8(paper))
    flat = _flatten(paper)
    _add(steps, "Shadows and uneven light evened out", _u8(flat * 255), before=_u8(paper))

    ink = 1.0 - flat  # how much darker than its local paper each pixel is
    found = "dark writing on light paper" if dark_ink else "light writing on a dark background"
    _add(steps, f"Ink found ({found}), shown white on black", _u8(ink * 255))
    # Denoised copy for the decisions; the crops keep the sharp ink.
    smooth = cv2.GaussianBlur(ink, (0, 0), max(1.0, 0.5 * scale))
    if smooth.max() < MIN_INK:
        return nothing(empty)

    mask, high = _threshold(smooth)
    _add(steps, "Every pixel decided: ink or paper", mask.astype(np.uint8) * 255)
    # Faint ink, for the rules: above the paper's own grain too (on a blank page the threshold is low).
    faint = smooth > max(high * RULE_THRESHOLD, _grain(smooth))
    rules = _ruled_lines(faint, mask, ink)
    if rules.any():
        mask, ink = _without_rules(mask, ink, rules)
        _add(steps, "The notebook's printed lines taken out", mask.astype(np.uint8) * 255)
    frame = (offset, offset, work.shape[1], work.shape[0])  # where the picture lies (a margin may surround it)
    parts, verdict = _clean(mask, border=multi, frame=frame)
    if verdict:
        return nothing(verdict)
    if not parts:
        return nothing(NOTHING)
    kept = np.zeros_like(mask)
    for part in parts:
        kept[part.slices] |= part.mask
    cleaned = "Specks and marks at the edges wiped away" if multi else "Specks wiped away"
    _add(steps, cleaned, kept.astype(np.uint8) * 255)

    groups = _segment(parts, multi, ink, judge)
    if not groups:
        return nothing(NOTHING)
    digits = [_to_mnist(ink, group) for group in groups]
    boxes = [_input_box(group, scale, width, height, offset) for group in groups]
    count = f"{len(groups)} digit{'s' if len(groups) > 1 else ''} found"
    steps.append(Step(count, _draw_boxes(_resize(shown, scale), groups, offset)))
    steps.append(Step("Made it look like MNIST: white on black, centred, 28 x 28", _mosaic(digits)))
    return Preprocessed(digits, boxes, steps, None)


def _add(steps: list[Step], caption: str, image: np.ndarray, before: np.ndarray | None = None) -> None:
    """Append a step, noting whether it visibly changed the picture.

    Compared with `before` when given (the same picture just before this step),
    else with the last step that changed something (the last one a viewer saw).
    """
    if before is None:
        before = next((step.image for step in reversed(steps) if step.changed), None)
    steps.append(Step(caption, image, True if before is None else _looks_changed(before, image)))


def _looks_changed(before: np.ndarray, after: np.ndarray) -> bool:
    """More than CHANGED_SHARE of the pixels moved by more than CHANGED_LEVELS grey levels (or the size changed)."""
    if before.shape[:2] != after.shape[:2]:
        return True
    grey = [image.astype(np.float32).mean(axis=2) if image.ndim == 3 else image.astype(np.float32)
            for image in (before, after)]  # fmt: skip
    spread = [image.astype(np.float32).std(axis=2) if image.ndim == 3 else 0.0 for image in (before, after)]
    moved = (np.abs(grey[0] - grey[1]) > CHANGED_LEVELS) | (np.abs(spread[0] - spread[1]) > CHANGED_LEVELS)
    return bool(moved.mean() > CHANGED_SHARE)


@dataclass
class _Part:
    """A set of ink pixels: a connected component, or a digit made of several."""

    x: int
    y: int
    w: int
    h: int
    mask: np.ndarray  # bool, h x w, the pixels of this part inside its box

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.y, self.y + self.h), slice(self.x, self.x + self.w)

    @property
    def area(self) -> int:
        return int(self.mask.sum())


# --- Grey, lighting and polarity ---


def _grayscale(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten alpha onto a suitable background; return (grey float32, shown RGB uint8).

    A canvas may put the ink only in the alpha channel (transparent background):
    its strokes are composited onto a background that contrasts with the ink.
    A mostly opaque image with a few transparent pixels is filled with its paper.
    """
    rgb = rgba[:, :, :3].astype(np.float32)
    alpha = rgba[:, :, 3].astype(np.float32) / 255.0
    luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    if alpha.min() >= 1.0:
        return luma, rgba[:, :, :3]
    opaque = alpha > 0.5
    if not opaque.any():
        fill = 255.0  # fully transparent: nothing is drawn
    elif opaque.mean() < 0.5:
        fill = 0.0 if np.median(luma[opaque]) >= 128 else 255.0  # ink in alpha: contrast it
    else:
        fill = float(np.median(luma[opaque]))  # transparent margins: extend the paper
    gray = luma * alpha + fill * (1.0 - alpha)
    shown = rgb * alpha[:, :, None] + fill * (1.0 - alpha[:, :, None])
    return gray, shown.astype(np.uint8)


def _work_scale(height: int, width: int) -> float:
    """Scale that brings the long side into WORK_LONG_SIDE."""
    low, high = WORK_LONG_SIDE
    return float(np.clip(max(height, width), low, high)) / max(height, width)


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return image
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Area averaging when shrinking (no aliasing), smooth cubic when enlarging.
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interpolation)


def _u8(image: np.ndarray) -> np.ndarray:
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def _contrast(gray: np.ndarray) -> float:
    """Lightest minus darkest grey, ignoring isolated pixels (a 3x3 median first).

    On a tiny picture a stroke is one or two pixels wide and the median would
    erase it: there, the 2nd and 98th percentiles stand in for the extremes.
    """
    if gray.size < TINY_AREA:
        low, high = np.percentile(gray, [2, 98])
        return float(high - low)
    filtered = cv2.medianBlur(gray.astype(np.float32), 3)
    return float(filtered.max() - filtered.min())


def _noisy(gray: np.ndarray) -> bool:
    """Random pixels, not writing: pixel noise high for the contrast (or, when tiny, neighbours unalike)."""
    if gray.size < TINY_AREA:
        return _neighbour_correlation(gray) < MIN_NEIGHBOUR_CORRELATION
    return _noise_ratio(gray) > MAX_NOISE


def _neighbour_correlation(gray: np.ndarray) -> float:
    """How alike horizontally or vertically adjacent pixels are (1: smooth; about 0: random), the larger."""
    centred = gray.astype(np.float64) - gray.mean()
    energy = float((centred * centred).mean()) or 1.0
    across = (centred[:, 1:] * centred[:, :-1]).mean() if centred.shape[1] > 1 else 0.0
    down = (centred[1:] * centred[:-1]).mean() if centred.shape[0] > 1 else 0.0
    return float(max(across, down) / energy)


def _noise_ratio(gray: np.ndarray) -> float:
    """Pixel-to-pixel noise relative to the image contrast (robust to edges), the worst of NOISE_SCALES.

    Noise in blotches of a few pixels is smooth inside each blotch; on a copy
    reduced by the blotch size it is pixel noise again. Writing stays smooth at
    every scale (photos of digits measure under 0.04, tight crops under 0.07, noise over 0.14).
    """
    ratios = []
    for factor in NOISE_SCALES:
        small = gray if factor == 1 else _resize(gray, 1.0 / factor)
        if factor > 1 and (min(small.shape) < NOISE_MIN_SIDE or small.size < NOISE_MIN_AREA):
            break
        residual = small - cv2.blur(small, (3, 3))
        # The calmest quarter of pixels (paper, stroke cores) -> sigma; edges fill most of a tight crop.
        noise = NOISE_SIGMAS * np.percentile(np.abs(residual - np.median(residual)), NOISE_QUANTILE)
        ratios.append(float(noise / max(_contrast(small), 1.0)))
    return max(ratios)


def _paper_only(work: np.ndarray) -> tuple[np.ndarray, bool]:
    """A sheet of paper photographed on a dark table: paint the table over with the paper.

    The sheet is the biggest light region (halfway between the two Otsu classes
    of a small blurred copy), fitted with its smallest enclosing rectangle, so
    writing at its edge stays on it. The table is what is dark, reaches the
    border and lies outside that rectangle; it must frame the photo and be far
    darker than the paper, and even (a shadow holding writing is not). Over the
    table, the paper is extended smoothly (a normalised blur), so lighting and
    polarity are judged on the paper alone.
    """
    small = cv2.GaussianBlur(_resize(work, SHEET_SIDE / max(work.shape)), (0, 0), 1.5)
    threshold, _ = cv2.threshold(_u8(small), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if small.min() > threshold or small.max() <= threshold:
        return work, False
    dark = small <= (np.median(small[small <= threshold]) + np.median(small[small > threshold])) / 2
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~dark).astype(np.uint8), connectivity=8)
    if count < 2:
        return work, False
    light = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    rectangle = cv2.minAreaRect(np.argwhere(light)[:, ::-1].astype(np.float32))
    corners = cv2.boxPoints(rectangle)
    sheet = np.zeros(small.shape, np.uint8)
    cv2.fillPoly(sheet, [np.round(corners).astype(np.int32)], 1)
    table = _touching_border(dark) & (sheet == 0)
    edge = np.concatenate([table[0], table[-1], table[:, 0], table[:, -1]])
    writing = _inside(~light)
    narrow = min(rectangle[1])  # the sheet's short side
    stroke = 2 * cv2.distanceTransform(writing.astype(np.uint8), cv2.DIST_L2, 3).max()
    paper_level = np.median(small[light])
    table_level = np.median(small[table]) if table.any() else paper_level
    core = cv2.erode(table.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # away from the sheet's blurred edge
    table_spread = table_level - np.percentile(small[core], 2) if core.any() else 0.0  # writing is darker
    is_table = (
        light.mean() >= SHEET_MIN_AREA
        and narrow >= SHEET_MIN_SIDE * min(small.shape)
        and stroke <= SHEET_STROKE * narrow  # writing, not the hole of a big white 0
        and (light | writing).sum() >= SHEET_SOLIDITY * sheet.sum()
        and table.mean() >= SHEET_MIN_TABLE
        and edge.mean() >= SHEET_FRAME
        and table_level <= SHEET_TABLE_DARKNESS * paper_level
        and table_spread <= SHEET_TABLE_FLAT * (paper_level - table_level)  # a shadow with writing is not
    )
    if not is_table:
        return work, False
    # A photographed table has grain; the black around a drawn or scanned digit has none.
    grain = cv2.resize(core.astype(np.uint8), work.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    if np.median(np.abs(work[grain] - np.median(work[grain]))) < SHEET_TABLE_GRAIN:
        return work, False
    paper = cv2.erode((~table).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(np.float32)  # off its edge
    reach = SHEET_SIDE / 8
    extended = cv2.GaussianBlur(small * paper, (0, 0), reach) / np.maximum(cv2.GaussianBlur(paper, (0, 0), reach), 1e-3)
    weight = cv2.resize(paper, work.shape[::-1], interpolation=cv2.INTER_LINEAR)
    fill = cv2.resize(extended, work.shape[::-1], interpolation=cv2.INTER_LINEAR)
    return work * weight + fill * (1.0 - weight), True


def _touching_border(mask: np.ndarray) -> np.ndarray:
    """The connected parts of a mask that touch the image border."""
    return mask & ~_inside(mask)


def _dark_ink(work: np.ndarray) -> bool:
    """Polarity: is the ink darker than the paper?

    The background is what a large median sees (ink covers less than half of
    any big window); the ink is what departs from it, and its sign decides.
    Light paper is the usual case, so light ink must clearly dominate there
    (a blank page's texture departs both ways).
    """
    coarse = _resize(work.astype(np.float32), COARSE_LONG_SIDE / max(work.shape))
    size = _odd(max(coarse.shape) // 3)
    median = cv2.medianBlur(_u8(coarse), size).astype(np.float32)
    departure = work - cv2.resize(median, work.shape[::-1], interpolation=cv2.INTER_LINEAR)
    spread = max(3 * np.percentile(np.abs(departure), 50), MIN_DEPARTURE)  # ignore paper texture
    darker = np.clip(-departure - spread, 0, None).sum()
    lighter = np.clip(departure - spread, 0, None).sum()
    if max(darker, lighter) < MIN_DEPARTURE * MIN_SPECK_AREA * work.size:
        # Nothing departs: at most tiny or faint marks. Paper is the usual case, even dimly lit.
        return bool(np.median(work) >= DARK_IMAGE)
    frame = _frame_paper(work)
    if frame is not None:
        return frame
    if np.median(work) >= 128:
        return bool(POLARITY_PRIOR * darker >= lighter)
    return bool(darker >= POLARITY_PRIOR * lighter)


def _frame_paper(work: np.ndarray) -> bool | None:
    """Polarity told by the picture's edge, when it clearly shows paper: True for dark ink, None if unsure.

    A digit cropped tightly fills the frame, and a large median then sees ink;
    but even where its strokes touch the edge, most of the edge is paper. When
    the edge's median lies near one end of the grey range, that end is paper.
    """
    edge = np.concatenate([work[0], work[-1], work[:, 0], work[:, -1]])
    low, high = np.percentile(work, [1, 99])
    if high - low < MIN_DEPARTURE:
        return None
    where = (np.median(edge) - low) / (high - low)  # 0: the darkest end, 1: the lightest
    if where >= 1 - FRAME_PAPER:
        return True
    if where <= FRAME_PAPER:
        return False
    return None


def _margin_if_tight(paper: np.ndarray) -> tuple[np.ndarray, int]:
    """Add paper around a glyph that fills the frame; return the picture and the margin's width (0 if none).

    Ink cut by the edge looks like a page edge or a shadow to the later steps,
    and the lighting estimate there sees only ink. A tight crop (ink touching
    the edge and spanning most of both sides) gets MNIST's own margin of
    paper, at the edge's paper level.
    """
    edge = np.concatenate([paper[0], paper[-1], paper[:, 0], paper[:, -1]])
    level, darkest = float(np.median(edge)), float(np.percentile(paper, 1))
    if level - darkest < MIN_DEPARTURE:
        return paper, 0
    ink = paper < (level + darkest) / 2
    # Strokes cut by the edge are as dark as the rest of the writing a little way in (the edge row itself may
    # hold only their soft rim); a shadow reaching the edge stays lighter.
    band = max(2, int(TIGHT_BAND * max(paper.shape)))
    rim = np.ones(paper.shape, bool)
    rim[band:-band, band:-band] = False
    cut = paper[rim & ink & _touching_border(ink)]
    if cut.size == 0 or np.median(cut) > level - TIGHT_DARKNESS * (level - darkest):
        return paper, 0
    rows, cols = np.nonzero(ink)
    height, width = paper.shape
    if np.ptp(rows) + 1 < TIGHT_SPAN * height or np.ptp(cols) + 1 < TIGHT_SPAN * width:
        return paper, 0
    hairlines = _mask_stroke_width(ink) <= RULE_MAX_THICKNESS * max(height, width)  # fat strokes hold no rules
    if hairlines and (len(_long_lines(ink)) >= 2 or len(_long_lines(ink.T)) >= 2):
        return paper, 0  # a ruled or squared page: its lines run to the edges (one bar, as in a 7, may too)
    margin = int(round(TIGHT_MARGIN * max(height, width)))
    return cv2.copyMakeBorder(paper, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=level), margin


def _flatten(paper: np.ndarray) -> np.ndarray:
    """Divide out the paper brightness, in two passes.

    Pass 1 removes only the broad lighting, enough to find the ink roughly and
    measure its stroke width. Pass 2 estimates the paper with a closing just
    wide enough to wipe out strokes (BACKGROUND_STROKES widths), so shadows,
    blotches and folds narrower than the page but wider than a stroke vanish.
    """
    broad = max(paper.shape) / 4
    rough, _ = _threshold(1.0 - np.clip(paper / np.maximum(_background(paper, broad), 1.0), 0.0, 1.0))
    size = float(np.clip(BACKGROUND_STROKES * _interior_stroke_width(rough), MIN_BACKGROUND, broad))
    return np.clip(paper / np.maximum(_background(paper, size), 1.0), 0.0, 1.0)


def _background(paper: np.ndarray, size: float) -> np.ndarray:
    """Paper brightness under the ink: a closing (removes dark marks narrower than `size` px).

    Computed on a grid where the closing disc is BACKGROUND_CELLS wide, then smoothed and enlarged.
    """
    factor = min(1.0, BACKGROUND_CELLS / size)
    grid = _resize(paper.astype(np.float32), factor)
    cells = _odd(int(round(size * factor)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (cells, cells))
    closed = cv2.morphologyEx(grid, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    smooth = cv2.GaussianBlur(closed, (0, 0), cells / 4)
    return cv2.resize(smooth, paper.shape[::-1], interpolation=cv2.INTER_LINEAR)


def _interior_stroke_width(mask: np.ndarray) -> float:
    """Stroke width (px) of the marks not touching the border (shadows and edges do)."""
    inside = _inside(mask)
    return _mask_stroke_width(inside if inside.any() else mask)


def _odd(value: int) -> int:
    return max(3, value | 1)


# --- Ink mask and ruled lines ---


def _threshold(ink: np.ndarray) -> tuple[np.ndarray, float]:
    """Otsu on the ink map, kept above the paper noise, with hysteresis for faint strokes.

    Returns the ink mask and the (high) threshold.
    """
    otsu, _ = cv2.threshold(_u8(ink * 255), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    median = np.median(ink)
    noise = 1.4826 * np.median(np.abs(ink - median))
    high = max(otsu / 255.0, median + 6 * noise, MIN_INK)
    weak = ink > high / 2
    # Weaker pixels count as ink when connected to strong ones (faint pencil, blur).
    count, labels = cv2.connectedComponents(weak.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[ink > high])] = True
    keep[0] = False
    return keep[labels], high


def _grain(ink: np.ndarray) -> float:
    """Ink level the paper's texture and noise reach by themselves: the median plus RULE_GRAIN robust sigmas."""
    median = np.median(ink)
    return float(median + RULE_GRAIN * 1.4826 * np.median(np.abs(ink - median)))


def _ruled_lines(faint: np.ndarray, mask: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """Pixels of notebook rules: straight lines across the image, lighter than the writing.

    Faint rules joined to the digits by the threshold's hysteresis would glue
    them together. Long, straight, horizontal (or vertical) and clearly lighter
    than the rest of the ink is what tells a rule from a digit's stroke; on a
    page with nothing but lines, they are all rules.
    """
    faint = faint | mask  # the writing's own pixels count as ink however the levels fall
    across, down = _long_lines(faint), [line.T for line in _long_lines(faint.T)]  # down: margins, grids
    lines = across + down
    if not lines:
        return np.zeros(faint.shape, bool)
    # Half the rules' thickness: the depth of faint ink under them (the median, where no digit crosses).
    depth = cv2.distanceTransform(faint.astype(np.uint8), cv2.DIST_L2, 3)
    union = np.any(lines, axis=0)
    size = _odd(int(np.ceil(4 * np.median(depth[union]))) + 2 * RULE_GRID_FINE)
    near_lines = cv2.dilate(union.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))) > 0
    writing = _inside(mask & ~near_lines)  # the ends of rules cut by the border are no writing
    # Nor are slivers where a rule steps or bends out of the band: writing reaches further across the rules.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(writing.astype(np.uint8), connectivity=8)
    height, width = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    reaching = (height if not down else width if not across else np.maximum(height, width)) > size
    reaching[0] = False
    writing = reaching[labels]
    if writing.sum() > MIN_WRITING_AREA * mask.size:
        level = np.percentile(ink[writing], 90)  # how dark the writing is
    elif len(lines) >= 2 and 2 * np.median(depth[union]) <= RULE_MAX_THICKNESS * max(faint.shape):
        # A ruled page and nothing else: all ink joined to the rules goes (rules bend; the lines found do not).
        # (Thick "lines" are strokes: the edges of one fat 1 can look like two rules.)
        count, labels = cv2.connectedComponents(faint.astype(np.uint8), connectivity=8)
        on_rules = np.zeros(count, bool)
        on_rules[labels[union]] = True
        on_rules[0] = False
        return on_rules[labels]
    else:
        return np.zeros(faint.shape, bool)  # one lone straight stroke: maybe a 1, keep it
    rules = np.zeros(faint.shape, bool)
    for line in lines:
        if np.percentile(ink[line], 25) < RULE_CONTRAST * level:
            rules |= line
    band = cv2.dilate(rules.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))) > 0
    return band & faint & (ink < RULE_CONTRAST * level)  # dark strokes on a rule stay


def _inside(mask: np.ndarray) -> np.ndarray:
    """The connected parts of a mask that do not touch the image border."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    height, width = mask.shape
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    inside = (x > 0) & (y > 0) & (x + w < width) & (y + h < height)
    inside[0] = False  # the background
    return inside[labels]


def _long_lines(faint: np.ndarray) -> list[np.ndarray]:
    """Near-horizontal straight lines across RULE_SPAN of the width, as one-pixel masks."""
    binary = np.ascontiguousarray(faint, dtype=np.uint8)  # vertical lines arrive transposed
    if not _line_search(binary, RULE_GRID_COARSE):  # a cheap look first: most images have no rules
        return []
    return _line_search(binary, RULE_GRID_FINE)


def _line_search(binary: np.ndarray, grid: int) -> list[np.ndarray]:
    """The Hough search for `_long_lines`, on a grid `grid` px coarse (any ink marks a cell)."""
    height, width = binary.shape
    small = cv2.resize(binary * 255, (width // grid, height // grid), interpolation=cv2.INTER_AREA) > 0
    found = cv2.HoughLinesP(small.astype(np.uint8), 1, np.pi / 360, threshold=width // (8 * grid),
                            minLineLength=width // (10 * grid), maxLineGap=width // (25 * grid))  # fmt: skip
    if found is None:
        return []
    # Pieces of one rule, broken where digits cross it, share their height at mid-width.
    pieces = sorted(
        (y0 + (y1 - y0) * (width / 2 - x0) / (x1 - x0 or 1), (x0, y0, x1, y1))
        for x0, y0, x1, y1 in (found.reshape(-1, 4) * grid + grid // 2).tolist()
        if abs(y1 - y0) <= RULE_SLOPE * abs(x1 - x0)
    )
    lines = []
    while pieces:
        count = 1  # chain pieces whose heights follow each other closely
        while count < len(pieces) and pieces[count][0] - pieces[count - 1][0] <= RULE_TOLERANCE * grid:
            count += 1
        line = np.zeros_like(binary)
        for _, (x0, y0, x1, y1) in pieces[:count]:
            cv2.line(line, (x0, y0), (x1, y1), 1, 1)
        pieces = pieces[count:]
        columns = np.flatnonzero(line.any(axis=0))
        edge_to_edge = columns[0] <= RULE_EDGE * width and columns[-1] >= (1 - RULE_EDGE) * width
        if edge_to_edge and columns.size >= RULE_SPAN * width:
            lines.append(line > 0)
    return lines


def _without_rules(mask: np.ndarray, ink: np.ndarray, rules: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Erase rules, then bridge the strokes that crossed them (a closing inside the rule only)."""
    size = _odd(int(round(2 * _mask_stroke_width(rules))) + 2)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    cut = (mask & ~rules).astype(np.uint8)
    healed = cv2.morphologyEx(cut, cv2.MORPH_CLOSE, kernel) > 0
    cut_ink = np.where(rules, 0.0, ink).astype(np.float32)
    healed_ink = cv2.morphologyEx(cut_ink, cv2.MORPH_CLOSE, kernel)
    return (cut > 0) | (healed & rules), np.where(rules, healed_ink, ink)


# --- Components and segmentation ---


def _clean(
    mask: np.ndarray, border: bool, frame: tuple[int, int, int, int] | None = None
) -> tuple[list[_Part], str | None]:
    """Connected components minus specks (and, for photos, things touching the picture's border).

    `frame` (x, y, width, height) is where the picture lies in the mask (a margin may surround it).

    Components are found on a copy whose hairline gaps (under half a stroke
    wide) are closed, so a stroke broken by the threshold stays one part.
    """
    width_px = _odd(int(round(_mask_stroke_width(mask) / 2)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width_px, width_px))
    bridged = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel) | mask
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bridged, connectivity=8)
    height, width = mask.shape
    parts = []
    for label in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[label])
        parts.append(_Part(x, y, w, h, (labels[y : y + h, x : x + w] == label) & mask[y : y + h, x : x + w]))
    if border:
        parts = _drop_border(parts, *(frame or (0, 0, width, height)))
    if not parts:
        return [], None
    biggest = max(p.area for p in parts)
    floor = max(SPECK_FRACTION * biggest, MIN_SPECK_AREA * height * width)
    kept = [p for p in parts if p.area >= floor]
    specks = [p for p in parts if p.area < floor]
    if len(specks) > NOISE_SPECKS and sum(p.area for p in specks) > sum(p.area for p in kept):
        return [], NOISE
    return kept, None


def _mask_stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask: 2 x area / perimeter."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * mask.sum() / perimeter if perimeter else 0.0


def _drop_border(parts: list[_Part], left: int, top: int, width: int, height: int) -> list[_Part]:
    """Drop page edges, table and shadows: marks touching the picture's border, unless digit-like."""

    def touches(p: _Part) -> bool:
        return p.x <= left or p.y <= top or p.x + p.w >= left + width or p.y + p.h >= top + height

    inside = [p for p in parts if not touches(p) and p.area >= MIN_SPECK_AREA * width * height]
    if not inside:
        return parts  # the digit itself touches the border (tight crop)
    tallest = max(p.h for p in inside)
    kept = list(inside)
    for p in parts:
        if touches(p) and p.area >= MIN_SPECK_AREA * width * height:
            digit_shaped = p.w <= 1.5 * p.h
            digit_like = MIN_HEIGHT_RATIO * tallest <= p.h <= 1.5 * tallest and digit_shaped
            # A tight crop with a stray dot inside: the dot is no reference, the cut-off digit is the writing.
            # Strokes fill little of their box; shadows, table corners and page edges fill most of theirs.
            cut_digit = tallest < MIN_HEIGHT_RATIO * p.h and digit_shaped and p.area < BORDER_FILL * p.w * p.h
            if digit_like or cut_digit:
                kept.append(p)
    return kept


def _segment(parts: list[_Part], multi: bool, ink: np.ndarray, judge: Judge | None = None) -> list[_Part]:
    """Group parts into digits, left to right."""
    if not multi:
        return [_union(parts)]
    groups = [g for g in _attach_fragments(_merge_overlapping(parts)) if not _dash(g)]
    if not groups:
        return []
    typical, typical_area = _typical(groups)
    groups = [g for g in groups if g.h >= MIN_HEIGHT_RATIO * typical and g.area >= MIN_AREA_RATIO * typical_area]
    typical = _typical(groups)[0]
    in_row = len(groups) > 1  # other digits tell how wide one digit may be
    digits = [piece for g in groups
              for piece in _judged(g, _split_wide(g, ink, typical if in_row else None), ink, judge)]
    return sorted(digits, key=lambda p: p.x + p.w / 2)[:MAX_DIGITS]


def _typical(groups: list[_Part]) -> tuple[float, float]:
    """Height and ink area of a typical digit: the medians over the marks at least half as tall as the tallest.

    A plain median would be pulled down by the pieces being judged (a digit
    and the detached bar of its 5 have a median halfway between them).
    """
    tallest = max(g.h for g in groups)
    tall = [g for g in groups if g.h >= 0.5 * tallest]
    return float(np.median([g.h for g in tall])), float(np.median([g.area for g in tall]))


def _judged(group: _Part, pieces: list[_Part], ink: np.ndarray, judge: Judge | None) -> list[_Part]:
    """Keep a split only if the model reads every piece more surely than the whole mark.

    A wide 5 or a flat 2 cut in two gives an unsure piece (a bar, a hook);
    two touching digits read as one give an unsure whole.
    """
    if judge is None or len(pieces) < 2:
        return pieces
    scores = np.asarray(judge(np.stack([_to_mnist(ink, part) for part in (group, *pieces)])[:, :, :, None]))
    whole, split = scores[0].max(), scores[1:].max(axis=1).min()
    return pieces if split > whole else [group]


def _dash(part: _Part) -> bool:
    """A lone stroke lying (nearly) flat, a dash or a rule, even a tilted one, is not a digit."""
    if part.w <= DASH_ASPECT * part.h and part.h > DASH_ASPECT * part.w:
        return False  # quick no for a digit's box
    (_, _), (side_a, side_b), angle = cv2.minAreaRect(np.argwhere(part.mask)[:, ::-1].astype(np.float32))
    long, short = max(side_a, side_b), max(min(side_a, side_b), 1.0)
    along = angle if side_a >= side_b else angle - 90.0  # the long side's angle to the x axis, in degrees
    flat = abs((along + 90.0) % 180.0 - 90.0) <= DASH_MAX_TILT  # a steep stroke may be a 1
    return flat and long > DASH_ASPECT * short and short < 3 * _mask_stroke_width(part.mask)


def _merge_overlapping(parts: list[_Part]) -> list[_Part]:
    """Parts of one digit (a broken 5, the two strokes of a 4) overlap horizontally."""
    groups: list[list[_Part]] = []
    for part in sorted(parts, key=lambda p: p.x):
        for group in groups:
            if any(_overlap(part, other) for other in group):
                group.append(part)
                break
        else:
            groups.append([part])
    merged = [_union(g) for g in groups]
    if len(merged) == len(parts):
        return merged
    return _merge_overlapping(merged)  # a merge can create new overlaps


def _attach_fragments(groups: list[_Part]) -> list[_Part]:
    """Join short pieces (the bar of a 5, a broken-off tail) to the nearest digit."""
    typical, typical_area = _typical(groups)

    def fragment(g: _Part) -> bool:
        short = g.h < FRAGMENT_HEIGHT * typical
        return short or (g.area < FRAGMENT_AREA * typical_area and g.h < 1.5 * FRAGMENT_HEIGHT * typical)

    def near(piece: _Part, digit: _Part) -> bool:
        dx, dy = _gaps(piece, digit)
        if lone and piece.area >= LONE_FRAGMENT_AREA * digit.area:
            # No neighbour to steal it from: a detached bar (of a 5, a 7) may stand a little apart.
            return max(dx, dy) <= LONE_FRAGMENT_GAP * typical
        # In a row, a piece lies above, below or right against its digit, never a real gap beside it.
        return dx <= FRAGMENT_SIDE_GAP * typical and dy <= FRAGMENT_DISTANCE * typical

    whole = [g for g in groups if not fragment(g)]
    lone = len(whole) == 1
    for piece in (g for g in groups if fragment(g)):
        candidates = [i for i, digit in enumerate(whole) if near(piece, digit)]
        if candidates:
            nearest = min(candidates, key=lambda i: np.hypot(*_gaps(piece, whole[i])))
            whole[nearest] = _union([whole[nearest], piece])
        else:
            whole.append(piece)  # on its own: a small digit, or a mark dropped later
    return whole


def _gaps(a: _Part, b: _Part) -> tuple[int, int]:
    """Horizontal and vertical distance between two boxes (0 when they overlap that way)."""
    dx = max(0, max(a.x, b.x) - min(a.x + a.w, b.x + b.w))
    dy = max(0, max(a.y, b.y) - min(a.y + a.h, b.y + b.h))
    return dx, dy


def _overlap(a: _Part, b: _Part) -> bool:
    shared = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    return shared > MERGE_OVERLAP * min(a.w, b.w)


def _union(parts: list[_Part]) -> _Part:
    x0, y0 = min(p.x for p in parts), min(p.y for p in parts)
    x1, y1 = max(p.x + p.w for p in parts), max(p.y + p.h for p in parts)
    mask = np.zeros((y1 - y0, x1 - x0), bool)
    for p in parts:
        mask[p.y - y0 : p.y - y0 + p.h, p.x - x0 : p.x - x0 + p.w] |= p.mask
    return _Part(x0, y0, x1 - x0, y1 - y0, mask)


def _split_wide(group: _Part, ink: np.ndarray, row_height: float | None) -> list[_Part]:
    """Split touching digits at the emptiest columns near evenly spaced cuts.

    In a row, a group wider than SPLIT_IN_ROW x the typical digit height holds
    several digits; alone, only one wider than SPLIT_ASPECT x its own height.
    """
    height = row_height or group.h
    count = round(group.w / (DIGIT_ASPECT * height))
    limit = SPLIT_IN_ROW * row_height if row_height else SPLIT_ASPECT * group.h
    if group.w <= limit or count < 2:
        return [group]
    columns = (ink[group.slices] * group.mask).sum(axis=0)
    window = max(1, int(0.25 * group.w / count))  # how far a cut may move
    cuts = [0]
    for k in range(1, count):
        guess = round(k * group.w / count)
        low, high = max(cuts[-1] + 1, guess - window), min(group.w - 1, guess + window)
        if low >= high:
            continue
        cuts.append(low + int(np.argmin(columns[low:high])))
    cuts.append(group.w)
    pieces = []
    for left, right in zip(cuts, cuts[1:]):
        sub = group.mask[:, left:right]
        rows = np.nonzero(sub.any(axis=1))[0]
        if rows.size:
            top, bottom = rows[0], rows[-1] + 1
            pieces.append(_Part(group.x + left, group.y + top, right - left, bottom - top, sub[top:bottom]))
    if any(p.h < FRAGMENT_HEIGHT * group.h for p in pieces):
        return [group]  # a cut-off bar or tail: one wide digit (a 5, a 7), not several
    return pieces


# --- One digit in the MNIST format ---


def _to_mnist(ink: np.ndarray, digit: _Part) -> np.ndarray:
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
    return _fit(crop)


def _fit(crop: np.ndarray) -> np.ndarray:
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


# --- For display ---


def _input_box(part: _Part, scale: float, width: int, height: int, offset: int = 0) -> tuple[int, int, int, int]:
    """The part's box in the coordinates of the decoded input image (less the margin added around it)."""
    x0, y0 = max(0, int((part.x - offset) / scale)), max(0, int((part.y - offset) / scale))
    x1 = min(width, int(np.ceil((part.x - offset + part.w) / scale)))
    y1 = min(height, int(np.ceil((part.y - offset + part.h) / scale)))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def _draw_boxes(shown: np.ndarray, parts: list[_Part], offset: int = 0) -> np.ndarray:
    image = np.ascontiguousarray(shown.copy())
    thickness = max(3, max(image.shape[:2]) // 100)  # bold: shown at ~280 px on a projector
    for number, part in enumerate(parts, start=1):
        p = _Part(part.x - offset, part.y - offset, part.w, part.h, part.mask)  # back in the picture's frame
        cv2.rectangle(image, (p.x, p.y), (p.x + p.w - 1, p.y + p.h - 1), (230, 40, 40), thickness)
        cv2.putText(image, str(number), (p.x, max(12, p.y - 4)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.4 * thickness + 0.2, (230, 40, 40), thickness)  # fmt: skip
    return image


def _mosaic(digits: list[np.ndarray]) -> np.ndarray:
    """The 28x28 digits side by side with a grey gap, as uint8."""
    gap = np.full((SIDE, 2), 96, np.uint8)
    tiles = [tile for d in digits for tile in (_u8(d * 255), gap)][:-1]
    return np.hstack(tiles)
