"""Marks grouped into digits, read left to right.

Pieces of one digit (the bar of a 5, the two strokes of a 4) are joined;
dashes, dots and marks too short for the row are dropped; a mark too wide for
one digit is cut where its ink is thinnest, and a model (`judge`), when given,
keeps the cut only if it reads every piece more surely than the whole. The
same model joins two tall marks that together fit one digit's box (the two
sides of a thin 0 whose top and bottom were too faint or cropped away) when
it reads them more surely as one.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from .marks import Part, mask_stroke_width
from .mnist_format import to_mnist

Judge = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28, 1) float32 digits -> (N, 10) class probabilities

MERGE_OVERLAP = 0.5  # parts sharing this much of their width form one digit
FRAGMENT_HEIGHT = 0.5  # parts shorter than this x the median height are pieces of a digit
FRAGMENT_AREA = 0.3  # ... as are small, fairly short ones with under this x the median ink
FRAGMENT_DISTANCE = 0.3  # ... joined to the nearest digit within this x the median height
FRAGMENT_SIDE_GAP = 0.08  # ... above or below it, or at most this x the median height beside it
LONE_FRAGMENT_GAP = 0.35  # beside a lone digit: pieces with LONE_FRAGMENT_AREA x its ink, this x its height away
LONE_FRAGMENT_AREA = 0.15
MIN_HEIGHT_RATIO = 0.4  # in a row of digits, shorter marks are not digits
MIN_AREA_RATIO = 0.15  # ... nor are marks with this little ink (dots, dashes)
DASH_ASPECT = 4.0  # one stroke this many times longer than thick is a dash or a rule
DASH_MAX_TILT = 30.0  # degrees from horizontal; steeper lone strokes may be 1s
SPLIT_ASPECT = 1.6  # a lone "digit" wider than this x its height holds several (0.3% of MNIST are)
SPLIT_IN_ROW = 1.4  # in a row: wider than this x the typical digit height
DIGIT_ASPECT = 0.75  # typical MNIST width / height, to guess how many
PAIR_ASPECT = 1.0  # two neighbouring marks whose joint box is no wider than tall may be one digit ...
PAIR_HEIGHT = 0.6  # ... when each is at least this share of that box's height (two halves of a 0, not a 5's bar)
MAX_DIGITS = 30  # more marks than this are read as the first 30


def segment(parts: list[Part], multi: bool, ink: np.ndarray, judge: Judge | None = None,
            cells: list[tuple[int, int, int, int]] | None = None) -> list[Part]:
    """Group parts into digits, left to right; `cells` (x0, y0, x1, y1) are printed boxes holding one each."""
    if not multi:
        return [_union(parts)]
    if cells and len(cells) > 1:
        return _by_cell(parts, cells)
    groups = [g for g in _attach_fragments(_merge_overlapping(parts)) if not _dash(g)]
    if not groups:
        return []
    typical, typical_area = _typical(groups)
    groups = [g for g in groups if g.h >= MIN_HEIGHT_RATIO * typical and g.area >= MIN_AREA_RATIO * typical_area]
    groups = _joined_halves(sorted(groups, key=lambda p: p.x), ink, judge)
    typical = _typical(groups)[0]
    in_row = len(groups) > 1  # other digits tell how wide one digit may be
    digits = [piece for g in groups
              for piece in judged(g, _split_wide(g, ink, typical if in_row else None), ink, judge)]
    return sorted(digits, key=lambda p: p.x + p.w / 2)[:MAX_DIGITS]


def _by_cell(parts: list[Part], cells: list[tuple[int, int, int, int]]) -> list[Part]:
    """One digit per printed cell: its biggest mark with the pieces that belong to it, however small it is
    beside its neighbours (a digit written small in its box is no dash or speck)."""
    digits = []
    for x0, y0, x1, y1 in cells:
        inside = [p for p in parts if x0 <= p.x + p.w / 2 < x1 and y0 <= p.y + p.h / 2 < y1]
        groups = [g for g in _attach_fragments(_merge_overlapping(inside)) if not _dash(g)] if inside else []
        if groups:
            digits.append(max(groups, key=lambda g: g.area))
    return sorted(digits, key=lambda p: p.x + p.w / 2)[:MAX_DIGITS]


def _typical(groups: list[Part]) -> tuple[float, float]:
    """Height and ink area of a typical digit: the medians over the marks at least half as tall as the tallest.

    A plain median would be pulled down by the pieces being judged (a digit
    and the detached bar of its 5 have a median halfway between them).
    """
    tallest = max(g.h for g in groups)
    tall = [g for g in groups if g.h >= 0.5 * tallest]
    return float(np.median([g.h for g in tall])), float(np.median([g.area for g in tall]))


def judged(group: Part, pieces: list[Part], ink: np.ndarray, judge: Judge | None) -> list[Part]:
    """Keep a split only if the model reads every piece more surely than the whole mark.

    A wide 5 or a flat 2 cut in two gives an unsure piece (a bar, a hook);
    two touching digits read as one give an unsure whole.
    """
    if judge is None or len(pieces) < 2:
        return pieces
    scores = np.asarray(judge(np.stack([to_mnist(ink, part) for part in (group, *pieces)])[:, :, :, None]))
    whole, split = scores[0].max(), scores[1:].max(axis=1).min()
    return pieces if split > whole else [group]


def _joined_halves(groups: list[Part], ink: np.ndarray, judge: Judge | None) -> list[Part]:
    """Join neighbours that fit one digit's box together when the model reads them more surely as one."""
    if judge is None or len(groups) < 2:
        return groups
    joined = [groups[0]]
    for part in groups[1:]:
        both = _union([joined[-1], part])
        halves = min(joined[-1].h, part.h) >= PAIR_HEIGHT * both.h and both.w <= PAIR_ASPECT * both.h
        if halves and len(judged(both, [joined[-1], part], ink, judge)) == 1:
            joined[-1] = both
        else:
            joined.append(part)
    return joined


def _dash(part: Part) -> bool:
    """A lone stroke lying (nearly) flat, a dash or a rule, even a tilted one, is not a digit."""
    if part.w <= DASH_ASPECT * part.h and part.h > DASH_ASPECT * part.w:
        return False  # quick no for a digit's box
    (_, _), (side_a, side_b), angle = cv2.minAreaRect(np.argwhere(part.mask)[:, ::-1].astype(np.float32))
    long, short = max(side_a, side_b), max(min(side_a, side_b), 1.0)
    along = angle if side_a >= side_b else angle - 90.0  # the long side's angle to the x axis, in degrees
    flat = abs((along + 90.0) % 180.0 - 90.0) <= DASH_MAX_TILT  # a steep stroke may be a 1
    return flat and long > DASH_ASPECT * short and short < 3 * mask_stroke_width(part.mask)


def _merge_overlapping(parts: list[Part]) -> list[Part]:
    """Parts of one digit (a broken 5, the two strokes of a 4) overlap horizontally."""
    groups: list[list[Part]] = []
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


def _attach_fragments(groups: list[Part]) -> list[Part]:
    """Join short pieces (the bar of a 5, a broken-off tail) to the nearest digit."""
    typical, typical_area = _typical(groups)

    def fragment(g: Part) -> bool:
        short = g.h < FRAGMENT_HEIGHT * typical
        return short or (g.area < FRAGMENT_AREA * typical_area and g.h < 1.5 * FRAGMENT_HEIGHT * typical)

    def near(piece: Part, digit: Part) -> bool:
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


def _gaps(a: Part, b: Part) -> tuple[int, int]:
    """Horizontal and vertical distance between two boxes (0 when they overlap that way)."""
    dx = max(0, max(a.x, b.x) - min(a.x + a.w, b.x + b.w))
    dy = max(0, max(a.y, b.y) - min(a.y + a.h, b.y + b.h))
    return dx, dy


def _overlap(a: Part, b: Part) -> bool:
    shared = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    return shared > MERGE_OVERLAP * min(a.w, b.w)


def _union(parts: list[Part]) -> Part:
    x0, y0 = min(p.x for p in parts), min(p.y for p in parts)
    x1, y1 = max(p.x + p.w for p in parts), max(p.y + p.h for p in parts)
    mask = np.zeros((y1 - y0, x1 - x0), bool)
    for p in parts:
        mask[p.y - y0 : p.y - y0 + p.h, p.x - x0 : p.x - x0 + p.w] |= p.mask
    return Part(x0, y0, x1 - x0, y1 - y0, mask)


def _split_wide(group: Part, ink: np.ndarray, row_height: float | None) -> list[Part]:
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
            pieces.append(Part(group.x + left, group.y + top, right - left, bottom - top, sub[top:bottom]))
    if any(p.h < FRAGMENT_HEIGHT * group.h for p in pieces):
        return [group]  # a cut-off bar or tail: one wide digit (a 5, a 7), not several
    return pieces
