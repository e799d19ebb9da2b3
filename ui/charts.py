"""Charts sized for a projector: training curves, probabilities, confusion matrix.

Each chart is a fixed Vega-Lite spec plus a small data frame. The specs are
plain dictionaries built once: the live training chart is redrawn every
second for every watching browser, and building (and validating) a chart
object each time costs the training thread tens of milliseconds of the GIL.
Call as `st.vega_lite_chart(frame, spec, width="stretch")`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mnist_core.training import BatchPoint, EpochPoint

FONT_SIZE = 16
HEIGHT = 280
HIGHLIGHT = "#0047BB"  # the theme's primary colour
MUTED = "#9AA5B1"
TRAIN_COLOUR, TEST_COLOUR = "#0047BB", "#D1495B"
TRAIN_LABEL, TEST_LABEL = "on training images", "on test images"
CORRECT_COLOUR = "#DCE6F5"

_CONFIG = {"axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
           "legend": {"labelFontSize": FONT_SIZE, "orient": "bottom"}}
_EPOCHS = {"field": "epoch", "type": "quantitative", "title": "epochs of training",
           "scale": {"domainMin": 0, "padding": 10}}  # room for the last dot at the right edge

LOSS: dict[str, Any] = {
    "height": HEIGHT, "config": _CONFIG,
    "mark": {"type": "line", "color": TRAIN_COLOUR, "strokeWidth": 3},
    "encoding": {"x": _EPOCHS, "y": {"field": "loss", "type": "quantitative", "title": "loss (lower is better)"}},
}

# Training accuracy as a line, test accuracy after each epoch as dots; one frame, told apart by "kind".
_KIND = {"field": "kind", "type": "nominal", "title": "",
         "scale": {"domain": [TRAIN_LABEL, TEST_LABEL], "range": [TRAIN_COLOUR, TEST_COLOUR]}}
_ACCURACY = {"field": "accuracy", "type": "quantitative", "title": "accuracy", "axis": {"format": "%"},
             "scale": {"domain": [0, 1]}}
ACCURACY: dict[str, Any] = {
    "height": HEIGHT, "config": _CONFIG,
    "encoding": {"x": _EPOCHS, "y": _ACCURACY, "color": _KIND},
    "layer": [
        {"transform": [{"filter": {"field": "kind", "equal": TRAIN_LABEL}}],
         "mark": {"type": "line", "strokeWidth": 3}},
        {"transform": [{"filter": {"field": "kind", "equal": TEST_LABEL}}],
         "mark": {"type": "point", "size": 200, "filled": True, "opacity": 1}},
    ],
}

PROBABILITIES: dict[str, Any] = {
    "height": HEIGHT, "config": _CONFIG,
    "mark": "bar",
    "encoding": {
        "x": {"field": "digit", "type": "nominal", "title": "digit", "axis": {"labelAngle": 0}},
        "y": {"field": "probability", "type": "quantitative", "title": "probability",
              "scale": {"domain": [0, 1]}, "axis": {"format": "%"}},
        "color": {"condition": {"test": "datum.answer", "value": HIGHLIGHT}, "value": MUTED},
        "tooltip": [{"field": "digit"}, {"field": "probability", "format": ".1%"}],
    },
}

CONFUSION: dict[str, Any] = {
    "height": 420, "config": _CONFIG,
    "encoding": {
        "x": {"field": "predicted", "type": "nominal", "title": "the model said", "axis": {"labelAngle": 0}},
        "y": {"field": "true", "type": "nominal", "title": "the digit really was"},
    },
    "layer": [
        {"mark": "rect",
         "encoding": {
             # Correct answers in a quiet blue; mistakes in reds that deepen with their count.
             "color": {"condition": {"test": "datum.correct", "value": CORRECT_COLOUR},
                       "field": "mistakes", "type": "quantitative", "legend": None,
                       "scale": {"scheme": "reds", "domainMin": 0}},
             "tooltip": [{"field": "true"}, {"field": "predicted"}, {"field": "count"}]}},
        {"mark": {"type": "text", "fontSize": FONT_SIZE - 2, "color": "#0B0B0B"},
         "encoding": {"text": {"field": "count", "type": "quantitative"}}},
    ],
}


def loss_frame(batches: Sequence[BatchPoint]) -> pd.DataFrame:
    return pd.DataFrame([(p.epoch, p.loss) for p in batches], columns=["epoch", "loss"])


def accuracy_frame(batches: Sequence[BatchPoint], epochs: Sequence[EpochPoint]) -> pd.DataFrame:
    """A result loaded from disk kept only its per-epoch test accuracy: then only the dots are drawn."""
    rows = [(p.epoch, p.accuracy, TRAIN_LABEL) for p in batches]
    rows += [(p.epoch, p.test_accuracy, TEST_LABEL) for p in epochs]
    return pd.DataFrame(rows, columns=["epoch", "accuracy", "kind"])


def probabilities_frame(values: Sequence[float]) -> pd.DataFrame:
    values = np.asarray(values, dtype=float)
    return pd.DataFrame({"digit": [str(d) for d in range(len(values))], "probability": values,
                         "answer": values == values.max()})


def confusion_frame(matrix: np.ndarray) -> pd.DataFrame:
    rows = [(str(t), str(p), int(matrix[t, p]), t == p) for t in range(len(matrix)) for p in range(len(matrix))]
    frame = pd.DataFrame(rows, columns=["true", "predicted", "count", "correct"])
    return frame.assign(mistakes=frame["count"].where(~frame["correct"], 0))
