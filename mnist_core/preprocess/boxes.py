"""Printed boxes, frames and answer lines found and taken away, so the digit written in them is read.

Forms put each digit in a printed box (a postcode: a row of boxes sharing their sides), plots frame an image
with axes whose tick labels are digits too, and answers are written on a printed line. To the later stages a
box is one big mark (the digit inside touches it, or is lost beside it), and a tick label is one more digit.
So before them, on the grey picture: a box is a dark mark whose four sides are straight, thin and closed at
square corners, holding writing inside; its lines, its inner dividers and everything outside it (tick labels,
a form's printed words) are painted over with the paper inside it. An answer line is a straight dark line
running well past the writing on both sides (`answer_line`); it is painted over too, except where a stroke
crosses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from .answer_line import EDGE_PX, answer_line
from .pixels import to_u8

BOX_MIN_SIDE = 0.25  # a box spans at least this share of the picture's short side (both ways)
BOX_MIN_AREA = 0.04  # ... and this share of the picture
BOX_EDGE = 0.7  # a row (column) of a mark this dark is one of its sides, or inside a filled frame
BOX_HOLDS = 0.75  # ... and those sides hold this share of the mark (the rest: ticks and their labels, a stroke)
BOX_SIDE_COVER = 0.92  # each side's line runs along this share of its length, at least
BOX_BAND = 0.06  # ... looked for within this share of the box's short side from its edge
BOX_CORNER_FILL = 0.6  # a square corner: its line-thick corner square is this full (a round 0's is not)
BOX_MAX_LINE = 0.12  # the thinnest side is at most this share of the box's short side (thicker: a bold 0's
# ring, or the dark table around a photographed sheet) ...
BOX_THICKEST = 0.15  # ... and the thickest at most this share (the black around an MNIST digit is thicker)
SMALL_BOX_LINE, SMALL_BOX_THICKEST = 0.2, 0.24  # the same for a small box whose inside is clearly paper (a 4 px
SMALL_BOX_INSIDE = 0.45  # line round a 28 px box): at most this share of its inside is dark
SIDE_PERCENTILE = 10  # a side's thickness: this percentile of its runs of dark inwards
EVEN_LINE, EVEN_SIDES = 1.5, 3  # a printed line is even: its median run at most 1.5 x its thinnest (+2 px),
# on three sides at least (a digit may lie along the fourth)
FILLED_EDGE = 2  # px: of a frame filled by a dark image, only this edge is painted over
FRAME_ROOM, FRAME_ROOM_SIDES = 0.02, 3  # such a frame (a plot's axes) has this share of the picture beyond it on
# three sides at least (a shadow or dark paper around light ink reaches the picture's edges)
BOX_FILLED = 0.5  # a frame this dark inside its sides holds a dark image (inside a plot's axes)
BOX_MIN_WRITING = 0.004  # share of the inside that must hold ink apart from the lines: else it is no box (a 0)
DIVIDER_COVER = 0.95  # a divider inside a box runs down this share of its height, straight
DIVIDER_WIDTH = 3  # ... at most this many times as thick as the sides (plus their soft rims)
DIVIDER_CELL = 0.35  # ... and leaves cells at least this share of the box's height wide
PAPER_PERCENTILE = 90  # the paper's grey: most of a form is paper
FAINT_LINE = 0.2


@dataclass(frozen=True)
class Box:
    """A printed box (or a row of boxes sharing their sides), in working pixels: its outer edges and line."""

    x0: int
    y0: int
    x1: int  # exclusive
    y1: int
    lines: tuple[int, int, int, int]  # px: the top, bottom, left and right side's thickness
    dividers: tuple[int, ...]  # x of each inner vertical line

    def inside(self, shape: tuple[int, int]) -> np.ndarray:
        """The cells inside the lines, as a mask of `shape`."""
        top, bottom, left, right = (line + line // 4 + EDGE_PX for line in self.lines)  # the soft rim goes too
        cells = np.zeros(shape, bool)
        cells[self.y0 + top:self.y1 - bottom, self.x0 + left:self.x1 - right] = True
        edge = max(top, bottom)
        for x in self.dividers:
            cells[:, max(0, x - edge):x + edge + 1] = False
        return cells

    def cells(self) -> list[tuple[int, int, int, int]]:
        """Each cell's (x0, y0, x1, y1), the dividers' lines left out: one digit is written in each."""
        top, bottom, left, right = (line + line // 4 + EDGE_PX for line in self.lines)
        edge = max(top, bottom)
        starts = [self.x0 + left, *(x + edge + 1 for x in self.dividers)]
        stops = [*(x - edge for x in self.dividers), self.x1 - right]
        return [(start, self.y0 + top, stop, self.y1 - bottom) for start, stop in zip(starts, stops)]


class Taken(NamedTuple):
    """What `without_boxes` leaves, and what it learnt on the way."""

    work: np.ndarray  # the grey picture, boxes and lines painted over
    words: str | None  # what was taken away, for the step's caption; None when nothing was
    cells: list[tuple[int, int, int, int]]  # the boxes' insides, (x0, y0, x1, y1) left to right
    # Empty printed boxes are dark lines on light paper, and the writing in them is dark too. The polarity
    # stage judged a row of small boxes by its cells, mostly ink, and read half the missed rows light on dark.
    dark_writing: bool


def without_boxes(work: np.ndarray) -> Taken:
    """The grey picture with printed boxes, frames and answer lines painted over.

    `work` is the grey picture (float, any polarity); boxes and lines are darker than their paper.
    """
    masks = _dark_masks(work)
    # A shadow is dark on the faint mask: no filled frames there. Grey boxes beside black writing may show on
    # one mask and not the other: the mask that finds most boxes is used, with what only the other finds.
    found = [(_boxes(dark, frames), dark) for dark, frames in zip(masks, (True, False))]
    if found and (most := max(found, key=lambda pair: len(pair[0])))[0]:
        boxes, dark = most
        boxes = boxes + [other for others, _ in found for other in others
                         if not any(_overlap(other, box) for box in boxes)]
        cells = sorted(cell for box in boxes for cell in box.cells())
        painted, filled = _painted(work, dark, boxes)
        return Taken(painted, "Took away the boxes: their lines, and what lies outside them" if len(cells) > 1 else
                     "Took away the box: its lines, and what lies outside it", cells, dark_writing=not filled)
    for dark in masks:
        line = answer_line(dark)
        if line is not None:
            break
    else:
        return Taken(work, None, [], dark_writing=False)
    painted = work.copy()
    painted[line] = float(np.median(work[~dark]))
    return Taken(painted, "Took away the line the digit is written on", [], dark_writing=False)


def _overlap(one: Box, other: Box) -> bool:
    return one.x0 < other.x1 and other.x0 < one.x1 and one.y0 < other.y1 and other.y0 < one.y1


def _painted(work: np.ndarray, dark: np.ndarray, boxes: list[Box]) -> tuple[np.ndarray, bool]:
    """Everything but the boxes' cells painted with the paper inside them; whether a frame holds a dark image
    (inside a plot's axes) rather than paper."""
    cells = np.zeros(dark.shape, bool)
    for box in boxes:
        cells |= box.inside(dark.shape)
    # The paper the digit is written on: what is not dark inside (a filled frame's inside is dark itself).
    filled = (dark & cells).sum() >= BOX_FILLED * cells.sum()
    paper = float(np.median(work[cells if filled or not (cells & ~dark).any() else cells & ~dark]))
    return np.where(cells, work, paper).astype(work.dtype), bool(filled)


def _dark_masks(work: np.ndarray) -> list[np.ndarray]:
    """What is darker than its paper: split by Otsu (black lines, dark ink), and closer to the paper
    (FAINT_LINE of the way from the paper to the darkest ink: grey lines beside black writing)."""
    _, otsu = cv2.threshold(to_u8(work), 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    paper, darkest = np.percentile(work, [PAPER_PERCENTILE, 1])
    masks = [otsu.astype(bool), work < paper - FAINT_LINE * (paper - darkest)]
    return [mask for mask in masks if mask.any() and not mask.all()]


def _boxes(dark: np.ndarray, frames: bool) -> list[Box]:
    """The printed boxes among the dark marks: closed, straight, thin-lined rectangles with writing inside
    (and, when `frames`, frames filled by a dark image)."""
    height, width = dark.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    found = []
    for label in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[label])
        if min(w, h) < BOX_MIN_SIDE * min(height, width) or w * h < BOX_MIN_AREA * height * width:
            continue
        box = _as_box(labels[y:y + h, x:x + w] == label, dark[y:y + h, x:x + w], x, y, dark.shape, frames)
        if box is not None and min(box.x1 - box.x0, box.y1 - box.y0) >= BOX_MIN_SIDE * min(height, width) \
                and _holds_writing(dark, box):
            found.append(box)
    return found


def _as_box(mark: np.ndarray, dark: np.ndarray, x: int, y: int, shape: tuple[int, int],
            frames: bool = True) -> Box | None:
    """The mark as a box, when its four sides are straight lines closed at square corners; else None.

    The sides are the outermost rows and columns that are mostly dark: a plot's ticks stick out beyond them.
    """
    rows, cols = np.flatnonzero(mark.mean(axis=1) >= BOX_EDGE), np.flatnonzero(mark.mean(axis=0) >= BOX_EDGE)
    if rows.size < 2 or cols.size < 2:
        return None
    whole = mark.sum()
    mark, dark = mark[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1], dark[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    if mark.sum() < BOX_HOLDS * whole:
        return None  # the middle of a round blob (the dark inside of a 0), not a frame with a few ticks outside
    x, y = x + int(cols[0]), y + int(rows[0])
    h, w = mark.shape
    band = max(2, round(BOX_BAND * min(h, w)))
    sides = (mark[:band].any(axis=0), mark[-band:].any(axis=0), mark[:, :band].any(axis=1),
             mark[:, -band:].any(axis=1))
    if min(side.mean() for side in sides) < BOX_SIDE_COVER:
        return None
    # Each side's thickness: its thinnest parts (where no digit touches it).
    runs = _runs_inwards(mark, band)
    lines = tuple(max(1, int(np.percentile(side, SIDE_PERCENTILE))) for side in runs)
    even = sum(np.median(side) <= EVEN_LINE * line + 2 for side, line in zip(runs, lines))
    line = min(lines)  # inside the thinnest side all round: the sides' runs inwards across a dark image stop
    # only at its digit (a narrow 1 would fill the rest)
    dividers = _dividers(mark, int(np.median(lines)))
    inside = _dark_inside(dark, line, dividers, int(np.median(lines)))
    if inside is None:
        return None  # all line, no inside
    if inside >= BOX_FILLED:
        # An image shown dark inside a plot's axes: dark up to its digit, of which only the edge is painted over.
        # A plot has room around its axes; a tight crop of light ink on dark paper has none.
        if not frames or sum(_room_around(x, y, w, h, shape)) < FRAME_ROOM_SIDES:
            return None
        lines, size = (FILLED_EDGE,) * 4, band
        dividers = _dividers(mark, FILLED_EDGE)
    elif not _thin_lines(lines, min(h, w), inside, any(_room_around(x, y, w, h, shape))) or even < EVEN_SIDES:
        return None  # a bold ring, or dark paper around light ink: no printed line
    else:
        size = min(lines)
    if _corner_fill(mark, size) < BOX_CORNER_FILL:
        return None  # rounded: a bold 0 or a ring, not a printed box
    return Box(x, y, x + w, y + h, lines, tuple(x + at for at in dividers))


def _dark_inside(dark: np.ndarray, line: int, dividers: tuple[int, ...], divider_line: int) -> float | None:
    """The dark share of a box inside its thinnest side, its dividers left out (None when all is line).

    A row's dividers are print like its sides: counted in, thick lines round narrow cells made a row of boxes
    look dark inside, like an image in a plot's axes or dark paper round light ink.
    """
    h, w = dark.shape
    columns = np.zeros(w, bool)
    columns[line:w - line] = True
    edge = divider_line + divider_line // 4 + EDGE_PX  # its soft rim too, as Box.inside leaves it out
    for middle in dividers:
        columns[max(0, middle - edge):middle + edge + 1] = False
    within = dark[line:h - line][:, columns]
    return float(within.mean()) if within.size else None


def _corner_fill(mark: np.ndarray, size: int) -> float:
    """How full the emptiest of the four line-thick corner squares is; each may sit a pixel in from the edge
    (the sides were found as the rows and columns dark enough, and a thin line's rim may fall short)."""
    fills = []
    for corner in (mark, mark[:, ::-1], mark[::-1], mark[::-1, ::-1]):
        fills.append(max(corner[dy:dy + size, dx:dx + size].mean() for dy in (0, 1) for dx in (0, 1)))
    return min(fills)


def _thin_lines(lines: tuple[int, ...], short: int, dark_inside: float, room: bool) -> bool:
    """Lines thin enough for a printed box. Thicker ones are allowed round an inside that is mostly paper (dark
    paper around light ink is as dark inside as the ink is light) when the picture goes on beyond them on some
    side (a dark table around a photographed sheet reaches every edge)."""
    small = dark_inside < SMALL_BOX_INSIDE and room
    thinnest, thickest = (SMALL_BOX_LINE, SMALL_BOX_THICKEST) if small else (BOX_MAX_LINE, BOX_THICKEST)
    return min(lines) <= thinnest * short and max(lines) <= thickest * short


def _room_around(x: int, y: int, w: int, h: int, shape: tuple[int, int]) -> list[bool]:
    """Which sides of a box have picture beyond them (top, bottom, left, right)."""
    room = FRAME_ROOM * min(shape)
    return [y > room, y + h < shape[0] - room, x > room, x + w < shape[1] - room]


def _runs_inwards(mark: np.ndarray, band: int) -> list[np.ndarray]:
    """For the top, bottom, left and right side, along its middle half: the runs of the mark inwards from it.

    Each run starts at the first dark pixel within `band` of the edge (0 when there is none there): a grey line
    enlarged with the paper's grain has a ragged outer rim, and runs counted from the very edge made it 0 px
    thick wherever the rim fell short (the box was then missed, and read with its digit as one mark).
    """
    h, w = mark.shape
    runs = []
    for strip in (mark[:, w // 4:3 * w // 4], mark[::-1, w // 4:3 * w // 4], mark[h // 4:3 * h // 4].T,
                  mark[h // 4:3 * h // 4, ::-1].T):
        across = np.arange(strip.shape[1])
        start = np.argmax(strip, axis=0)  # the first dark pixel inwards (0 when none)
        near = strip[start, across] & (start < band)
        depth = np.arange(strip.shape[0])[:, None]
        after = np.vstack([~strip & (depth >= start), np.ones((1, strip.shape[1]), bool)])  # paper past the start
        runs.append(np.where(near, np.argmax(after, axis=0) - start, 0))
    return runs


def _dividers(mark: np.ndarray, line: int) -> tuple[int, ...]:
    """Inner vertical lines as thick as the sides, running straight from top to bottom, cutting digit-wide cells."""
    h, w = mark.shape
    inner = mark[line:h - line]
    if inner.size == 0:
        return ()
    column = inner.mean(axis=0) >= DIVIDER_COVER
    found, x = [], line
    while x < w - line:
        if column[x]:
            end = x
            while end + 1 < w and column[end + 1]:
                end += 1
            if end - x + 1 <= DIVIDER_WIDTH * line + 4:
                found.append((x + end) // 2)
            x = end + 1
        else:
            x += 1
    kept, last = [], 0
    for middle in found:
        if middle - last >= DIVIDER_CELL * h and w - middle >= DIVIDER_CELL * h:
            kept.append(middle)
            last = middle
    return tuple(kept)


def _holds_writing(dark: np.ndarray, box: Box) -> bool:
    """Ink inside the cells, apart from the lines: a printed box holds a digit (a drawn 0 or square holds none)."""
    cells = box.inside(dark.shape)
    return bool(cells.any() and (dark & cells).sum() >= BOX_MIN_WRITING * cells.sum())
