"""An answer line: the printed line a digit is written on, found so that it can be painted over.

To the later stages a line running under (or through) the writing is part of the digit's mark. It is a
straight dark line running well past the writing on both sides; where a stroke crosses it, the stroke stays.
"""

from __future__ import annotations

import cv2
import numpy as np

LINE_SPAN = 0.6  # an answer line runs along this share of the picture's width, at least
LINE_PAST = 0.25  # ... and past the writing on both sides by this share of the writing's height
LINE_MAX_THICKNESS = 0.2  # ... and is at most this share of the writing's height thick
EDGE_PX = 1  # px painted beyond each line found, and a quarter of its thickness (its antialiased rim)


def answer_line(dark: np.ndarray) -> np.ndarray | None:
    """The pixels of a straight horizontal line running well past the writing on both sides, less the strokes
    that cross it; None when there is none."""
    height, width = dark.shape
    runs = _longest_runs(dark)
    rows = np.flatnonzero(runs[:, 0] >= LINE_SPAN * width)
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    if np.any(np.diff(rows) > 1):  # two lines, or a frame: not one answer line
        return None
    start, stop = int(runs[rows, 1].max()), int(runs[rows, 2].min())
    rest = dark.copy()
    rim = EDGE_PX + (bottom - top) // 2 + 1  # the line's soft rim, not as long as the line itself
    rest[max(0, top - rim):bottom + rim] = False
    ys, xs = np.nonzero(rest)
    if xs.size == 0:
        return None
    tall = ys.max() - ys.min() + 1
    if bottom - top > LINE_MAX_THICKNESS * tall or bottom - top > 0.1 * height:
        return None
    if xs.min() - start < LINE_PAST * tall or stop - xs.max() < LINE_PAST * tall:
        return None
    line = np.zeros(dark.shape, bool)
    edge = EDGE_PX
    line[max(0, top - edge):bottom + edge, start:stop] = True
    # A stroke crossing the line (ink just above and just below it) stays.
    above = dark[max(0, top - edge - 2):max(0, top - edge)].any(axis=0)
    below = dark[bottom + edge:bottom + edge + 2].any(axis=0)
    crossing = cv2.dilate((above & below).astype(np.uint8)[None], np.ones((1, 3), np.uint8))[0] > 0
    line[:, crossing] = False
    return line


def _longest_runs(dark: np.ndarray) -> np.ndarray:
    """For each row: the longest run of dark, its start and its stop (exclusive)."""
    height, width = dark.shape
    padded = np.zeros((height, width + 2), np.int8)
    padded[:, 1:-1] = dark
    change = np.diff(padded, axis=1)
    result = np.zeros((height, 3), int)
    for row in np.flatnonzero(dark.any(axis=1)):
        starts, stops = np.flatnonzero(change[row] == 1), np.flatnonzero(change[row] == -1)
        longest = int(np.argmax(stops - starts))
        result[row] = (stops[longest] - starts[longest], starts[longest], stops[longest])
    return result
