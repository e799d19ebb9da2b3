"""Polarity: is the ink darker than the paper (a pen on paper) or lighter (chalk, a black canvas)?

From here on every stage sees dark ink on light paper; the picture is inverted
when the ink is light. Usually the background a large median sees decides;
a tight crop, whose median sees mostly ink, is decided by how its strokes cut
the paper into pieces, or by its edge.
"""

from __future__ import annotations

import cv2
import numpy as np

from .cleanup import MIN_SPECK_AREA
from .pixels import odd, resize, to_u8

COARSE_LONG_SIDE = 48  # grid on which the polarity is judged
POLARITY_PRIOR = 2.0  # ink of the paper's own lightness must outweigh the other this much
MIN_DEPARTURE = 24.0  # grey levels: smaller departures from the paper are texture, not ink
FRAME_PAPER = 0.3  # the picture's edge is paper when its median lies in this outer share of the grey range
DARK_IMAGE = 64  # median grey below which an image with no clear ink is taken for dark paper
PIECES_GRID = 64  # long side of the grid on which the pieces of ink and of paper are counted
PIECE_AREA = 0.002  # pieces smaller than this share of the picture are specks
PIECES_APART = 3  # one side in this many more pieces than the other is the paper, cut up by strokes
EDGE_CROSSINGS = 6  # ... told only when light and dark alternate this often around the edge (a tight crop)
PIECES_CONTRAST = 100  # ... and when the grid holds ink and paper this many grey levels apart (a crisp scan)


def dark_ink(work: np.ndarray) -> bool:
    """Polarity: is the ink darker than the paper?

    The background is what a large median sees (ink covers less than half of
    any big window); the ink is what departs from it, and its sign decides.
    Light paper is the usual case, so light ink must clearly dominate there
    (a blank page's texture departs both ways).
    """
    coarse = resize(work.astype(np.float32), COARSE_LONG_SIDE / max(work.shape))
    size = odd(max(coarse.shape) // 3)
    median = cv2.medianBlur(to_u8(coarse), size).astype(np.float32)
    departure = work - cv2.resize(median, work.shape[::-1], interpolation=cv2.INTER_LINEAR)
    spread = max(3 * np.percentile(np.abs(departure), 50), MIN_DEPARTURE)  # ignore paper texture
    darker = np.clip(-departure - spread, 0, None).sum()
    lighter = np.clip(departure - spread, 0, None).sum()
    if max(darker, lighter) < MIN_DEPARTURE * MIN_SPECK_AREA * work.size:
        # Nothing departs: at most tiny or faint marks. Paper is the usual case, even dimly lit.
        return bool(np.median(work) >= DARK_IMAGE)
    for verdict in (_cut_paper(work), _frame_paper(work)):
        if verdict is not None:
            return verdict
    if np.median(work) >= 128:
        return bool(POLARITY_PRIOR * darker >= lighter)
    return bool(darker >= POLARITY_PRIOR * lighter)


def _cut_paper(work: np.ndarray) -> bool | None:
    """Polarity of a tight crop told by its pieces: True for dark ink, None when that does not tell.

    Strokes that run to the picture's edges cut the paper into pieces (the
    corners, the inside of a 0, the two sides of a 1), while the ink of one
    digit stays in one or two: that holds even when bold ink covers most of
    the edge. Only a picture split cleanly into ink and paper, whose edge is
    crossed by several strokes, is judged this way; a shadow or a stain
    crosses it once or twice.
    """
    coarse = resize(work.astype(np.float32), PIECES_GRID / max(work.shape))
    grey = to_u8(cv2.GaussianBlur(coarse, (0, 0), 1.0))
    _, light = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    low, high = np.percentile(grey, [1, 99])
    if high - low < PIECES_CONTRAST:
        return None  # thin or faint strokes vanish on the grid: the split would run through the paper's texture
    around = np.concatenate([light[0], light[1:, -1], light[-1, -2::-1], light[-2:0:-1, 0]])
    if np.count_nonzero(around != np.roll(around, 1)) < EDGE_CROSSINGS:
        return None
    light_pieces, dark_pieces = _pieces(light), _pieces(1 - light)
    if abs(light_pieces - dark_pieces) < PIECES_APART:
        return None
    return bool(dark_pieces < light_pieces)


def _pieces(mask: np.ndarray) -> int:
    """Connected pieces of a 0/1 mask, specks left out."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int(np.count_nonzero(stats[1:, cv2.CC_STAT_AREA] >= PIECE_AREA * mask.size))


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
