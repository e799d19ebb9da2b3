"""What every suite shares: the machine it ran on, and inputs encoded as the app and the CLI receive them."""

from __future__ import annotations

import io
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Say = Callable[[str], None]
REPO = Path(__file__).resolve().parents[2]  # where app.py lives: suites that start processes run them here


def process_memory_mb(pid: int | str = "self") -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak so far) of process `pid` (default: this one), in MB, from /proc."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    status = dict(line.split(":", 1) for line in lines if ":" in line)
    return {key: int(status[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM")}


def machine() -> dict[str, Any]:
    """The processor, cores, device and versions a report was measured with."""
    import tensorflow as tf

    from ..training import detect_device

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    device = detect_device()
    cores = os.cpu_count()
    return {"cpu": cpu, "cores": cores, "device": device, "python": platform.python_version(),
            "tensorflow": tf.__version__, "summary": f"{cpu}, {cores} cores, training on the {device}"}


def canvas_drawing() -> np.ndarray:
    """A 280x280 RGBA canvas with a "7" drawn in white, as streamlit-drawable-canvas returns it."""
    import cv2

    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    cv2.polylines(canvas, [np.array([[70, 60], [210, 60], [120, 230]])], False, (255, 255, 255, 255), 18)
    return canvas


def png(image: np.ndarray) -> bytes:
    """The image as the bytes of a PNG file, so it is decoded as `predict FILE` decodes one."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
