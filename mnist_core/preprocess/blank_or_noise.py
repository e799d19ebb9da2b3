"""Is there anything to read? Blank pictures and random pixels are told apart from writing.

Checked on the picture's own pixels (never an enlarged copy) before any other
work: too little contrast is blank paper or an empty canvas, and pixel noise
that is large for the contrast, at any of a few scales, is noise. Also the
words the user reads when no digit is found.
"""

from __future__ import annotations

import cv2
import numpy as np

from .pixels import resize

# Reasons for "no digits", in the user's words.
EMPTY_CANVAS = "The canvas is empty: draw a digit."
BLANK = "No ink found: the image looks blank."
NOISE = "This looks like noise, not a digit."
NOTHING = "No digit found: the marks are too small or too faint to read."

MIN_CONTRAST = 12.0  # grey levels between darkest and lightest; below: blank
MAX_NOISE = 0.1  # pixel noise / contrast above which the image is noise (digits < 0.07, noise > 0.14)
NOISE_QUANTILE = 25  # noise is read off the calmest quarter of pixels: a tight crop is mostly stroke edges
NOISE_SIGMAS = 3.14  # ... whose deviation is 0.32 sigma for Gaussian noise
TINY_AREA = 24 * 24  # px: smaller pictures are judged by how alike neighbouring pixels are instead
MIN_NEIGHBOUR_CORRELATION = 0.3  # ... digits: over 0.35, random pixels: under 0.12
NOISE_SCALES = (1, 2, 3, 4)  # ... judged on the image and on copies reduced this many times
NOISE_MIN_SIDE, NOISE_MIN_AREA = 12, 24 * 24  # px: smaller copies are not judged (a 28x28 digit is not noise)


def contrast(gray: np.ndarray) -> float:
    """Lightest minus darkest grey, ignoring isolated pixels (a 3x3 median first).

    On a tiny picture a stroke is one or two pixels wide and the median would
    erase it: there, the 2nd and 98th percentiles stand in for the extremes.
    """
    if gray.size < TINY_AREA:
        low, high = np.percentile(gray, [2, 98])
        return float(high - low)
    filtered = cv2.medianBlur(gray.astype(np.float32), 3)
    return float(filtered.max() - filtered.min())


def noisy(gray: np.ndarray) -> bool:
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
        small = gray if factor == 1 else resize(gray, 1.0 / factor)
        if factor > 1 and (min(small.shape) < NOISE_MIN_SIDE or small.size < NOISE_MIN_AREA):
            break
        residual = small - cv2.blur(small, (3, 3))
        # The calmest quarter of pixels (paper, stroke cores) -> sigma; edges fill most of a tight crop.
        noise = NOISE_SIGMAS * np.percentile(np.abs(residual - np.median(residual)), NOISE_QUANTILE)
        ratios.append(float(noise / max(contrast(small), 1.0)))
    return max(ratios)
