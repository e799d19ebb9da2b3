"""A glyph cropped tightly (its ink touching the picture's edges) gets a margin of paper.

Ink cut by the edge looks like a page edge or a shadow to the later stages,
and the lighting estimate there sees only ink. Adding MNIST's own margin, at
the paper's level, makes a tight crop look like any other picture of a digit.
"""

from __future__ import annotations

import cv2
import numpy as np

from .marks import mask_stroke_width
from .polarity import MIN_DEPARTURE
from .ruled_lines import RULE_MAX_THICKNESS, long_lines

TIGHT_SPAN = 0.5  # ink touching the edge and spanning this share of both sides: the glyph fills the frame
TIGHT_DARKNESS = 0.6  # ... and the ink at the edge is this dark (a share of the way from paper to the darkest ink)
TIGHT_BAND = 0.03  # ... judged within this share of the long side from the edge
TIGHT_MARGIN = 0.2  # ... then paper this share of the long side is added around it (MNIST's own margin)
TIGHT_CONTRAST = 2 * MIN_DEPARTURE  # grey levels from the edge's paper to the darkest ink, at least
CRISP_INK = 80  # grey levels between the edge's paper and the darkest ink: crisp ink, not a shadow
WRITING_INSIDE = 0.3  # a mark this share of the picture's height that touches no edge: the writing sits inside


def margin_if_tight(paper: np.ndarray) -> tuple[np.ndarray, int]:
    """Add paper around a glyph that fills the frame; return the picture and the margin's width (0 if none).

    Ink cut by the edge looks like a page edge or a shadow to the later steps,
    and the lighting estimate there sees only ink. A tight crop (ink touching
    the edge and spanning most of both sides) gets MNIST's own margin of
    paper, at the paper's level.
    """
    edge = np.concatenate([paper[0], paper[-1], paper[:, 0], paper[:, -1]])
    level, darkest = float(np.median(edge)), float(np.percentile(paper, 1))
    if level - darkest < TIGHT_CONTRAST:
        return paper, 0  # paper with a shadow or a fold reaching the edge: no writing cut by it
    ink = paper < (level + darkest) / 2
    # Strokes cut by the edge are as dark as the rest of the writing a little way in (the edge row itself may
    # hold only their soft rim); a shadow reaching the edge stays lighter.
    band = max(2, int(TIGHT_BAND * max(paper.shape)))
    rim = np.ones(paper.shape, bool)
    rim[band:-band, band:-band] = False
    # An antialiased edge may leave a rim lighter than the threshold: ink within the band counts as touching.
    cut = paper[rim & ink & _near_edge(ink, band)]
    if cut.size == 0 or np.median(cut) > level - TIGHT_DARKNESS * (level - darkest):
        return paper, 0
    rows, cols = np.nonzero(ink)
    height, width = paper.shape
    if np.ptp(rows) + 1 < TIGHT_SPAN * height or np.ptp(cols) + 1 < TIGHT_SPAN * width:
        return paper, 0
    if _writing_inside(ink, band):
        return paper, 0  # a photo of a page: what reaches its edges is a rule or a shadow, not the writing
    hairlines = mask_stroke_width(ink) <= RULE_MAX_THICKNESS * max(height, width)  # fat strokes hold no rules
    if hairlines and (len(long_lines(ink)) >= 2 or len(long_lines(ink.T)) >= 2):
        return paper, 0  # a ruled or squared page: its lines run to the edges (one bar, as in a 7, may too)
    margin = int(round(TIGHT_MARGIN * max(height, width)))
    # The paper at the edge. Crisp ink (a scan's, a screen's) is left out of it: bold strokes and their blurred
    # rims along the edge darken the edge's median. Faint marks (a shadow reaching the edge) are kept in, or the
    # margin would be lighter than the shadowed paper beside it.
    bare = edge[edge >= (level + darkest) / 2]
    fill = float(np.median(bare)) if bare.size and level - darkest >= CRISP_INK else level
    return cv2.copyMakeBorder(paper, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=fill), margin


def _clear_of_edges(ink: np.ndarray, band: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Connected labels of the mask, which of them keep more than `band` px from every edge, and their heights."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    height, width = ink.shape
    x, y, w, h = (stats[:, i] for i in range(4))
    clear = (x > band) & (y > band) & (x + w < width - band) & (y + h < height - band)
    clear[0] = True  # the background
    return labels, clear, h


def _near_edge(ink: np.ndarray, band: int) -> np.ndarray:
    """The marks of the mask that come within `band` px of the picture's edge."""
    labels, clear, _ = _clear_of_edges(ink, band)
    return ~clear[labels]


def _writing_inside(ink: np.ndarray, band: int) -> bool:
    """A mark as tall as writing (WRITING_INSIDE of the height) lies clear of every edge by more than `band`."""
    _, clear, h = _clear_of_edges(ink, band)
    return bool((clear[1:] & (h[1:] >= WRITING_INSIDE * ink.shape[0])).any())
