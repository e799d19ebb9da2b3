"""A sheet of paper photographed on a dark table: the table is painted over with the paper.

Without this, the table would be taken for paper (deciding the polarity
wrongly) or its edge for ink. It runs before the polarity and lighting stages,
so they see the paper alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from .marks import inside, touching_border
from .pixels import resize, to_u8

SHEET_SIDE = 128  # px: a sheet of paper on a table is looked for at this size
SHEET_MIN_INPUT = 100  # px, the input's long side: a smaller picture is a scan or a crop of a digit, not a photo
SHEET_MIN_AREA = 0.25  # the lit paper covers at least this share of the photo
SHEET_SOLIDITY = 0.7  # ... and, with its writing, of the sheet's rectangle
SHEET_MIN_SIDE = 0.3  # the sheet's short side spans at least this share of the photo's
SHEET_STROKE = 0.36  # the writing on it is thinner than this share of that side
SHEET_MIN_TABLE = 0.03  # the table shows on at least this share of the photo
SHEET_FRAME = 0.5  # ... runs along at least this share of the border
SHEET_TABLE_DARKNESS = 0.6  # ... and is at most this share of the paper's brightness
SHEET_TABLE_FLAT = 0.4  # ... and even: nothing on it darker by this share of the step up to paper
SHEET_TABLE_GRAIN = 0.5  # ... but photographed: grey levels of noise at least (median deviation)


def paper_only(work: np.ndarray, input_side: int) -> tuple[np.ndarray, bool]:
    """A sheet of paper photographed on a dark table: paint the table over with the paper.

    The sheet is the biggest light region (halfway between the two Otsu classes
    of a small blurred copy), fitted with its smallest enclosing rectangle, so
    writing at its edge stays on it. The table is what is dark, reaches the
    border and lies outside that rectangle; it must frame the photo and be far
    darker than the paper, and even (a shadow holding writing is not). Over the
    table, the paper is extended smoothly (a normalised blur), so lighting and
    polarity are judged on the paper alone. `input_side` is the input's long
    side in its own pixels: a picture under SHEET_MIN_INPUT is no photo of a
    sheet (light ink filling a small crop looked like one, its dark paper
    like a table).
    """
    if input_side < SHEET_MIN_INPUT:
        return work, False
    small = cv2.GaussianBlur(resize(work, SHEET_SIDE / max(work.shape)), (0, 0), 1.5)
    threshold, _ = cv2.threshold(to_u8(small), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
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
    table = touching_border(dark) & (sheet == 0)
    edge = np.concatenate([table[0], table[-1], table[:, 0], table[:, -1]])
    writing = inside(~light)
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
