"""Small image helpers every stage shares: resizing, float -> uint8, odd kernel sizes."""

from __future__ import annotations

import cv2
import numpy as np


def resize(image: np.ndarray, scale: float) -> np.ndarray:
    """`image` scaled by `scale`: area averaging when shrinking (no aliasing), smooth cubic when enlarging."""
    if scale == 1.0:
        return image
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interpolation)


def to_u8(image: np.ndarray) -> np.ndarray:
    """Grey levels 0-255 as float -> uint8, rounded and clipped."""
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def odd(value: int) -> int:
    """An odd kernel size of at least 3 (OpenCV's median and structuring elements want one)."""
    return max(3, value | 1)
