"""`preprocess`: the stages in order, from any image to MNIST-like digits, keeping a picture of each step.

Each stage lives in its own module (see the package's docstring); this one
only runs them, stops with a reason in plain words when there is nothing to
read, and collects the steps the app shows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from mnist_core.imageio import load_image

from .blank_or_noise import BLANK, EMPTY_CANVAS, MIN_CONTRAST, NOISE, NOTHING, contrast, noisy
from .boxes import without_boxes
from .canvas import CANVAS_BLUR, clean_canvas
from .cleanup import clean
from .greyscale import grayscale, work_scale
from .ink_mask import MIN_INK, threshold
from .lighting import flatten
from .mnist_format import SIDE, to_mnist
from .paper_on_table import paper_only
from .pixels import resize, to_u8
from .polarity import dark_ink
from .ruled_lines import faint_ink, ruled_lines, without_rules
from .segmentation import Judge, segment
from .steps import Step, add_step, draw_boxes, input_box, mosaic
from .stretch import fills_height, unstretched
from .tight_crop import margin_if_tight

MIN_INPUT_SIDE = 8  # pixels along the long side; anything smaller cannot hold a readable digit
MIN_INPUT_WIDTH = 2  # pixels along the short side (a tight crop of a 1 may be 3 px wide)


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

    gray, shown = grayscale(rgba)
    canvas = clean_canvas(shown)  # one paper, one ink (the app's canvas): read as it is, without a photo's stages
    scale = canvas.scale if canvas else work_scale(height, width)
    steps.append(Step("Your picture", resize(shown, scale)))
    if max(height, width) < MIN_INPUT_SIDE or min(height, width) < MIN_INPUT_WIDTH:
        return nothing(f"The image is too small to hold a digit ({width}x{height} pixels).")
    native = resize(gray, min(scale, 1.0))  # checks run on real pixels, not enlarged ones
    work = resize(gray, scale)
    greys = to_u8(work)
    boxes, cells, dark_writing = None, [], False
    if canvas is None:  # printed boxes and lines go first: thin lines in a row of boxes can pass for grain
        work, boxes, cells, dark_writing = without_boxes(work)
        if boxes:
            native = resize(work, min(scale, 1.0) / scale)
    if contrast(native) < MIN_CONTRAST:
        return nothing(empty)
    if noisy(native):  # grain, or blotches of several pixels on a coarser copy
        return nothing(NOISE)

    add_step(steps, "Colours taken away: only light and dark are left", greys)
    if boxes:
        add_step(steps, boxes, to_u8(work))
    if canvas is not None:  # no table, no shadows, no margin to add: the paper is one grey
        is_dark_ink, offset = canvas.dark_ink, 0
        flat = canvas.flat(work if is_dark_ink else 255.0 - work)
    else:
        work, on_table = paper_only(work, max(height, width))
        if on_table:
            add_step(steps, "The sheet of paper found: the table around it is painted over", to_u8(work))
        is_dark_ink = dark_writing or dark_ink(work)
        paper = work if is_dark_ink else 255.0 - work  # from here on: dark ink on light paper
        paper, offset = margin_if_tight(paper)
        if offset:
            add_step(steps, "Paper added around the edges, so the writing no longer touches them", to_u8(paper))
        flat = flatten(paper)
        add_step(steps, "Shadows and uneven light evened out", to_u8(flat * 255), before=to_u8(paper))

    ink = 1.0 - flat  # how much darker than its local paper each pixel is
    found = "dark writing on light paper" if is_dark_ink else "light writing on a dark background"
    add_step(steps, f"Ink found ({found}), shown white on black", to_u8(ink * 255))
    # Denoised copy for the decisions; the crops keep the sharp ink.
    smooth = cv2.GaussianBlur(ink, (0, 0), CANVAS_BLUR if canvas else max(1.0, 0.5 * scale))
    if smooth.max() < MIN_INK:
        return nothing(empty)

    mask, high = threshold(smooth)
    add_step(steps, "Every pixel decided: ink or paper", mask.astype(np.uint8) * 255)
    frame = (offset, offset, work.shape[1], work.shape[0])  # where the picture lies (a margin may surround it)
    if canvas is None and (rules := _rules_in(frame, faint_ink(smooth, high), mask, ink)).any():  # none on a canvas
        mask, ink = without_rules(mask, ink, rules)
        add_step(steps, "The notebook's printed lines taken out", mask.astype(np.uint8) * 255)
    parts, verdict = clean(mask, border=multi, frame=frame)
    if verdict:
        return nothing(verdict)
    if not parts:
        return nothing(NOTHING)
    kept = np.zeros_like(mask)
    for part in parts:
        kept[part.slices] |= part.mask
    cleaned = "Specks and marks at the edges wiped away" if multi else "Specks wiped away"
    add_step(steps, cleaned, kept.astype(np.uint8) * 255)

    cells = [(x0 + offset, y0 + offset, x1 + offset, y1 + offset) for x0, y0, x1, y1 in cells]
    groups = segment(parts, multi, ink, judge, cells)
    if not groups:
        return nothing(NOTHING)
    digits = [to_mnist(ink, group) for group in groups]
    if offset and judge is not None and len(digits) == 1 and fills_height(groups[0].h, work.shape[0]) \
            and (narrow := unstretched(digits[0], judge)) is not None:
        digits = [narrow]  # stretched to fill its frame: MNIST keeps each digit's own shape
        add_step(steps, "The digit was stretched to fill its frame: made narrow again", to_u8(narrow * 255))
    boxes = [input_box(group, scale, width, height, offset) for group in groups]
    count = f"{len(groups)} digit{'s' if len(groups) > 1 else ''} found"
    steps.append(Step(count, draw_boxes(resize(shown, scale), groups, offset)))
    steps.append(Step("Made it look like MNIST: white on black, centred, 28 x 28", mosaic(digits)))
    return Preprocessed(digits, boxes, steps, None)


def _rules_in(frame: tuple[int, int, int, int], faint: np.ndarray, mask: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The notebook's rules, looked for in the picture itself: a rule runs from edge to edge of the photo, not of
    the paper a margin added around it (writing touching one edge of a ruled photo may pass for a tight crop)."""
    x, y, width, height = frame
    inside = (slice(y, y + height), slice(x, x + width))
    rules = np.zeros(mask.shape, bool)
    rules[inside] = ruled_lines(faint[inside], mask[inside], ink[inside])
    return rules
