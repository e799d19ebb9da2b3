"""Ruled notebook lines found and taken out, and the strokes that crossed them bridged again.

Rules are straight, run across most of the picture and are lighter than the
writing; faint ones joined to the digits by the threshold would glue them
together. A page with nothing but lines on it is blank.
"""

from __future__ import annotations

import cv2
import numpy as np

from .marks import inside, mask_stroke_width
from .pixels import odd

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


def faint_ink(smooth: np.ndarray, high: float) -> np.ndarray:
    """Faint ink, where rules are looked for: above RULE_THRESHOLD of the ink threshold `high`, and above
    the paper's own grain too (on a blank page the threshold is low)."""
    return smooth > max(high * RULE_THRESHOLD, _grain(smooth))


def _grain(ink: np.ndarray) -> float:
    """Ink level the paper's texture and noise reach by themselves: the median plus RULE_GRAIN robust sigmas."""
    median = np.median(ink)
    return float(median + RULE_GRAIN * 1.4826 * np.median(np.abs(ink - median)))


def ruled_lines(faint: np.ndarray, mask: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """Pixels of notebook rules: straight lines across the image, lighter than the writing.

    Faint rules joined to the digits by the threshold's hysteresis would glue
    them together. Long, straight, horizontal (or vertical) and clearly lighter
    than the rest of the ink is what tells a rule from a digit's stroke; on a
    page with nothing but lines, they are all rules.
    """
    faint = faint | mask  # the writing's own pixels count as ink however the levels fall
    across, down = long_lines(faint), [line.T for line in long_lines(faint.T)]  # down: margins, grids
    lines = across + down
    if not lines:
        return np.zeros(faint.shape, bool)
    # Half the rules' thickness: the depth of faint ink under them (the median, where no digit crosses).
    depth = cv2.distanceTransform(faint.astype(np.uint8), cv2.DIST_L2, 3)
    union = np.any(lines, axis=0)
    size = odd(int(np.ceil(4 * np.median(depth[union]))) + 2 * RULE_GRID_FINE)
    near_lines = cv2.dilate(union.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))) > 0
    writing = inside(mask & ~near_lines)  # the ends of rules cut by the border are no writing
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


def long_lines(faint: np.ndarray) -> list[np.ndarray]:
    """Near-horizontal straight lines across RULE_SPAN of the width, as one-pixel masks."""
    binary = np.ascontiguousarray(faint, dtype=np.uint8)  # vertical lines arrive transposed
    if not _line_search(binary, RULE_GRID_COARSE):  # a cheap look first: most images have no rules
        return []
    return _line_search(binary, RULE_GRID_FINE)


def _line_search(binary: np.ndarray, grid: int) -> list[np.ndarray]:
    """The Hough search for `long_lines`, on a grid `grid` px coarse (any ink marks a cell)."""
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


def without_rules(mask: np.ndarray, ink: np.ndarray, rules: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Erase rules, then bridge the strokes that crossed them (a closing inside the rule only)."""
    size = odd(int(round(2 * mask_stroke_width(rules))) + 2)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    cut = (mask & ~rules).astype(np.uint8)
    healed = cv2.morphologyEx(cut, cv2.MORPH_CLOSE, kernel) > 0
    cut_ink = np.where(rules, 0.0, ink).astype(np.float32)
    healed_ink = cv2.morphologyEx(cut_ink, cv2.MORPH_CLOSE, kernel)
    return (cut > 0) | (healed & rules), np.where(rules, healed_ink, ink)
