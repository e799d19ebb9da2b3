"""Charts sized for a projector: training curves, probabilities, confusion matrix.

Each chart is a fixed Vega-Lite spec plus a small data frame. The specs are
plain dictionaries built once: the live training chart is redrawn every
second for every watching browser, and building (and validating) a chart
object each time costs the training thread tens of milliseconds of the GIL.
Call as `st.vega_lite_chart(frame, sized(spec), width="stretch")`: `sized`
gives the presenter-mode copy (text as large as the page's) when presenting.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mnist_core.training import BatchPoint, EpochPoint
from ui import presenter

if TYPE_CHECKING:
    import pyarrow as pa

FONT_SIZE = 16
PRESENTER_FONT_SIZE = 24  # the presenter page's root size (ui/presenter.py): chart text matches body text
HEIGHT = 280
LIVE_HEIGHT, LIVE_HEIGHT_PRESENTING = 340, 420  # the live chart: as tall as the learning pictures beside it
HIGHLIGHT = "#0047BB"  # the theme's primary colour
MUTED = "#9AA5B1"
TRAIN_COLOUR, TEST_COLOUR = "#0047BB", "#D1495B"
TRAIN_LABEL, TEST_LABEL = "on training images", "on test images"
CORRECT_COLOUR = "#0047BB"  # the diagonal: right answers, in the theme's blue with white numbers
ZERO_COLOUR = "#F4F5F7"  # a mix-up that never happened: neutral, not a faint error
ZERO_TEXT = "#B8C0CA"
MISTAKE_RANGE = ["#F9C9C4", "#A50F15"]  # one mistake is clearly pink, the most common mix-up deep red
DARK_TEXT, LIGHT_TEXT = "#0B0B0B", "#FFFFFF"

_CONFIG = {"axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
           "legend": {"labelFontSize": FONT_SIZE, "orient": "bottom", "labelLimit": 0}}
_EPOCHS = {"field": "epoch", "type": "quantitative", "title": "passes over the training images",
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
    # The commonest mix-up, so the numbers on the darkest reds can turn white.
    "transform": [{"joinaggregate": [{"op": "max", "field": "mistakes", "as": "worst"}]}],
    "encoding": {
        "x": {"field": "predicted", "type": "nominal", "title": "the model said", "axis": {"labelAngle": 0}},
        "y": {"field": "true", "type": "nominal", "title": "the digit really was"},
    },
    "layer": [
        {"mark": {"type": "rect", "stroke": "#FFFFFF", "strokeWidth": 2},
         "encoding": {
             # Right answers (the diagonal) in blue; mix-ups that never happened neutral; the others in reds
             # that deepen with their count.
             "color": {"condition": [{"test": "datum.correct", "value": CORRECT_COLOUR},
                                     {"test": "datum.count == 0", "value": ZERO_COLOUR}],
                       "field": "mistakes", "type": "quantitative", "legend": None,
                       "scale": {"range": MISTAKE_RANGE}},
             "tooltip": [{"field": "true"}, {"field": "predicted"}, {"field": "count"}]}},
        {"mark": {"type": "text", "fontSize": FONT_SIZE, "fontWeight": "bold"},
         "encoding": {
             "text": {"field": "count", "type": "quantitative"},
             "color": {"condition": [{"test": "datum.correct || datum.mistakes > datum.worst * 0.55",
                                      "value": LIGHT_TEXT},
                                     {"test": "datum.count == 0", "value": ZERO_TEXT}],
                       "value": DARK_TEXT}}},
    ],
}


def _scaled(spec: dict[str, Any], size: int) -> dict[str, Any]:
    """A copy of `spec` whose axis, legend and text marks use `size` pixels."""
    scaled = copy.deepcopy(spec)
    scaled["config"] = {"axis": {"labelFontSize": size, "titleFontSize": size},
                        "legend": {"labelFontSize": size, "orient": "bottom", "symbolSize": size * 12,
                                   "labelLimit": 0}}
    for layer in scaled.get("layer", []):
        mark = layer.get("mark")
        if isinstance(mark, dict) and mark.get("type") == "text":
            mark["fontSize"] = size
    if "height" in scaled:
        scaled["height"] = round(scaled["height"] * size / FONT_SIZE * 0.8)  # a little taller, not 1.5x
    return scaled


@lru_cache(maxsize=32)
def _presenting(spec_id: int) -> dict[str, Any]:
    return _scaled(_SPECS[spec_id], PRESENTER_FONT_SIZE)


def sized(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` as it is, or, when presenting, its copy with text as large as the page's (built once)."""
    if not presenter.active():
        return spec
    _SPECS.setdefault(id(spec), spec)
    return _presenting(id(spec))


_SPECS: dict[int, dict[str, Any]] = {}


@lru_cache(maxsize=64)
def accuracy_spec(epochs: float, presenting: bool = False) -> dict[str, Any]:
    """The accuracy chart with its x axis fixed to the whole run, so the line grows to the right as it learns
    and a stopped run shows how far it got."""
    spec = copy.deepcopy(_scaled(ACCURACY, PRESENTER_FONT_SIZE) if presenting else ACCURACY)
    # Streamlit fits the whole chart (axes and legend included) into the height: the live chart gets more.
    spec["height"] = LIVE_HEIGHT_PRESENTING if presenting else LIVE_HEIGHT
    spec["encoding"]["x"] = {**spec["encoding"]["x"], "scale": {"domain": [0, epochs], "nice": False}}
    return spec


def loss_frame(batches: Sequence[BatchPoint]) -> pd.DataFrame:
    return pd.DataFrame([(p.epoch, p.loss) for p in batches], columns=["epoch", "loss"])


def accuracy_frame(batches: Sequence[BatchPoint], epochs: Sequence[EpochPoint]) -> pd.DataFrame:
    """A result loaded from disk kept only its per-epoch test accuracy: then only the dots are drawn."""
    rows = [(p.epoch, p.accuracy, TRAIN_LABEL) for p in batches]
    rows += [(p.epoch, p.test_accuracy, TEST_LABEL) for p in epochs]
    return pd.DataFrame(rows, columns=["epoch", "accuracy", "kind"])


def probabilities_frame(values: Sequence[float]) -> "pa.Table":
    """The ten probabilities as an Arrow table: the Draw page shows one per network for every drawing, and a
    pandas frame took 1.2 ms to build and convert (Streamlit sends Arrow), this 0.1 ms (bench --suite classroom)."""
    import pyarrow as pa

    values = np.asarray(values, dtype=float)
    return pa.table({"digit": [str(d) for d in range(len(values))], "probability": values,
                     "answer": values == values.max()})


def confusion_frame(matrix: np.ndarray) -> pd.DataFrame:
    rows = [(str(t), str(p), int(matrix[t, p]), t == p) for t in range(len(matrix)) for p in range(len(matrix))]
    frame = pd.DataFrame(rows, columns=["true", "predicted", "count", "correct"])
    return frame.assign(mistakes=frame["count"].where(~frame["correct"], 0))
