"""Digits in forms: in printed boxes (alone or in a row), on answer lines, and shown as a plot shows an image.

Forms, spreadsheets and small scans send digits inside printed boxes and frames; preprocessing must take the
print away and keep the digit.
"""

from __future__ import annotations

import cv2
import numpy as np

from .crops import SCAN_INK, SCAN_NOISE, SCAN_PAPER
from .ink import render, trim
from .styles import Transform

BOX_SIDE = (28, 96)  # px: a form's box
BOX_LINE = (1, 4)  # px: its printed line
BOX_LINE_LEVEL = (0, 170)  # grey of the line: black to mid grey
BOX_MARGIN = (0.0, 0.3)  # space between the line and the digit, as a share of the box (0: the digit touches it)
BOX_PAPER_AROUND = (0.0, 0.3)  # paper around the box (or row), as a share of the box side
ROW_LENGTH = (4, 6)  # boxed digits in a row (a postcode, an amount)
ROW_SHARED_EDGES = 0.5  # share of rows whose boxes share their sides (a comb); the rest stand apart
PLOT_IMAGE_PX = (84, 168)  # the plotted 28x28 digit's side in the figure


def _box_style(rng: np.random.Generator) -> dict[str, float]:
    """One form's look: box side, line width and grey, paper and ink levels."""
    return {"side": float(rng.uniform(*BOX_SIDE)), "line": int(rng.integers(BOX_LINE[0], BOX_LINE[1] + 1)),
            "line_level": float(rng.uniform(*BOX_LINE_LEVEL)), "paper": float(rng.uniform(*SCAN_PAPER)),
            "ink": float(rng.uniform(*SCAN_INK)), "noise": float(rng.uniform(*SCAN_NOISE))}


def _in_box(ink: np.ndarray, rng: np.random.Generator, inner_w: int, inner_h: int) -> np.ndarray:
    """The glyph's coverage placed in a box's inside (inner_h x inner_w), with a margin of 0-30% to the line."""
    margin = rng.uniform(*BOX_MARGIN)
    tall = max(6.0, inner_h * (1 - 2 * margin))
    glyph = trim(render(ink, tall, rng.uniform(-6, 6), pad=0.2))
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
    glyph = trim(render(ink, tall, rng.uniform(-6, 6), pad=0.2))
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
