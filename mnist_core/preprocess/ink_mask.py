"""Every pixel decided: ink or paper (Otsu's threshold on the ink map, with hysteresis for faint strokes)."""

from __future__ import annotations

import cv2
import numpy as np

from .pixels import to_u8

MIN_INK = 0.18  # ink must be this much darker (or lighter) than its paper


def threshold(ink: np.ndarray) -> tuple[np.ndarray, float]:
    """Otsu on the ink map, kept above the paper noise, with hysteresis for faint strokes.

    Returns the ink mask and the (high) threshold.
    """
    otsu, _ = cv2.threshold(to_u8(ink * 255), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    median = np.median(ink)
    noise = 1.4826 * np.median(np.abs(ink - median))
    high = max(otsu / 255.0, median + 6 * noise, MIN_INK)
    weak = ink > high / 2
    # Weaker pixels count as ink when connected to strong ones (faint pencil, blur).
    count, labels = cv2.connectedComponents(weak.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[ink > high])] = True
    keep[0] = False
    return keep[labels], high
