"""Stage 1: any RGBA picture -> one grey picture, and the working resolution the later stages use.

A canvas may put its ink only in the alpha channel; a screenshot may have
transparent margins. Both are flattened onto a background that keeps the ink
visible. Small pictures are then enlarged and large ones reduced so that every
stage works on about the same number of pixels.
"""

from __future__ import annotations

import numpy as np

WORK_LONG_SIDE = (512, 1024)  # small inputs are enlarged and large ones reduced to this


def grayscale(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten alpha onto a suitable background; return (grey float32, shown RGB uint8).

    A canvas may put the ink only in the alpha channel (transparent background):
    its strokes are composited onto a background that contrasts with the ink.
    A mostly opaque image with a few transparent pixels is filled with its paper.
    """
    rgb = rgba[:, :, :3].astype(np.float32)
    alpha = rgba[:, :, 3].astype(np.float32) / 255.0
    luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    if alpha.min() >= 1.0:
        return luma, rgba[:, :, :3]
    opaque = alpha > 0.5
    if not opaque.any():
        fill = 255.0  # fully transparent: nothing is drawn
    elif opaque.mean() < 0.5:
        fill = 0.0 if np.median(luma[opaque]) >= 128 else 255.0  # ink in alpha: contrast it
    else:
        fill = float(np.median(luma[opaque]))  # transparent margins: extend the paper
    gray = luma * alpha + fill * (1.0 - alpha)
    shown = rgb * alpha[:, :, None] + fill * (1.0 - alpha[:, :, None])
    return gray, shown.astype(np.uint8)


def work_scale(height: int, width: int) -> float:
    """Scale that brings the long side into WORK_LONG_SIDE."""
    low, high = WORK_LONG_SIDE
    return float(np.clip(max(height, width), low, high)) / max(height, width)
