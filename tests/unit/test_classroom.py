"""The classroom bench's drawings are what the canvas sends, and the network reads each as the digit meant."""

from __future__ import annotations

import base64
import io
import json
import random

import numpy as np
from PIL import Image

from mnist_core.bench.classroom import CANVAS, STROKES, percentile, drawing_state
from mnist_core.prediction import predict


def decoded(state: str) -> tuple[dict, np.ndarray]:
    drawing = json.loads(state)["drawing"]
    header, encoded = drawing["data"].split(";base64,", 1)
    assert header == "data:image/png"
    return drawing["raw"], np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))


def test_each_drawing_has_the_canvas_shape_and_is_read_as_its_digit():
    rng = random.Random(3)
    for digit in STROKES:
        raw, image = decoded(drawing_state(digit, rng))
        assert image.shape == (CANVAS, CANVAS, 4) and raw["objects"] and raw["objects"][0]["type"] == "Path"
        assert predict(image, multi=False).digit == digit


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert percentile(values, 0.95) == 95.0 and percentile(values, 0.5) == 50.0
    assert percentile([], 0.95) is None
