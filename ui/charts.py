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

from mnist_core.practice_window import WINDOW_IMAGES
from mnist_core.training import BatchPoint, EpochPoint
from ui import presenter

if TYPE_CHECKING:
    import pyarrow as pa

FONT_SIZE = 16
PRESENTER_FONT_SIZE = 24  # the presenter page's root size (ui/presenter.py): chart text matches body text
HEIGHT = 280
LIVE_HEIGHT, LIVE_HEIGHT_PRESENTING = 360, 480  # the live chart: as tall as the learning pictures beside it
HIGHLIGHT = "#0047BB"  # the theme's primary colour
MUTED = "#9AA5B1"
TRAIN_COLOUR, TEST_COLOUR = "#0047BB", "#D1495B"
# The line: how often it was right on the training images it practised on most recently (a window that slides on
# across passes: Keras' own average restarts at each pass and made the line jump there); the dots: the test set.
TRAIN_LABEL, TEST_LABEL = f"on the last {WINDOW_IMAGES} training images", "on the 10,000 test images"
ACCURACY_HELP = (f"The line: how often it was right on the last {WINDOW_IMAGES} training images it practised on, "
                 "just before it learned from them. It moves on smoothly from one pass to the next. The dots: how "
                 "often it is right on 10,000 test images it never learns from, checked after each pass.")
MOST_TICKS = 6  # labels on the passes axis: few enough not to collide at presenter size, the last pass always one
CORRECT_COLOUR = "#0047BB"  # the diagonal: right answers, in the theme's blue with white numbers
ZERO_COLOUR = "#F4F5F7"  # a mix-up that never happened: neutral, not a faint error
ZERO_TEXT = "#B8C0CA"
MISTAKE_RANGE = ["#F9C9C4", "#A50F15"]  # one mistake is clearly pink, the most common mix-up deep red
DARK_TEXT, LIGHT_TEXT = "#0B0B0B", "#FFFFFF"
# A count in the confusion matrix stays inside its cell at every size: its text is as large as the page's, unless
# four bold digits and a margin (COUNT_EMS font sizes) would not fit the cell's width, or a row's height.
COUNT_EMS, COUNT_ROW_SHARE = 2.5, 0.7

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
         "scale": {"domain": [TRAIN_LABEL, TEST_LABEL], "range": [TRAIN_COLOUR, TEST_COLOUR]},
         "legend": {"columns": 1}}  # one under the other: side by side, the second was cut at 1366x768
# Streamlit's theme sets labelFlush on every axis, which pushed "100%" below its grid line and "0%" above its
# own: a percentage axis keeps each label centred on its line.
_PERCENT_AXIS = {"format": "%", "labelFlush": False}
_ACCURACY = {"field": "accuracy", "type": "quantitative", "title": "how often right", "axis": _PERCENT_AXIS,
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
        "y": {"field": "probability", "type": "quantitative", "title": "how sure",
              "scale": {"domain": [0, 1]}, "axis": _PERCENT_AXIS},
        "color": {"condition": {"test": "datum.answer", "value": HIGHLIGHT}, "value": MUTED},
        "tooltip": [{"field": "digit"}, {"field": "probability", "title": "how sure", "format": ".1%"}],
    },
}

def count_font(size: int) -> dict[str, str]:
    """The confusion matrix's count size: `size` pixels, or less where a cell is too small for "1134" in it
    (`width` and `height` are the chart's plot in Vega's own signals, so it follows the column it is drawn in)."""
    return {"expr": f"min({size}, width / {10 * COUNT_EMS:g}, height / 10 * {COUNT_ROW_SHARE:g})"}


# Every digit labelled on both axes: left to itself, Vega dropped every other row's label at presenter size; each
# label on its row or column (the theme's labelFlush pushed the first row's "0" below its row).
_DIGIT_AXIS = {"labelAngle": 0, "labelOverlap": False, "labelFlush": False, "values": [str(d) for d in range(10)]}

CONFUSION: dict[str, Any] = {
    "height": 460, "config": _CONFIG,  # rows tall enough for counts as large as the page's text
    # The commonest mix-up, so the numbers on the darkest reds can turn white.
    "transform": [{"joinaggregate": [{"op": "max", "field": "mistakes", "as": "worst"}]}],
    "encoding": {
        "x": {"field": "predicted", "type": "nominal", "title": "the model said", "axis": _DIGIT_AXIS},
        "y": {"field": "true", "type": "nominal", "title": "the digit really was", "axis": _DIGIT_AXIS},
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
        {"mark": {"type": "text", "fontSize": count_font(FONT_SIZE), "fontWeight": "bold"},
         "encoding": {
             "text": {"field": "count", "type": "quantitative"},
             "color": {"condition": [{"test": "datum.correct || datum.mistakes > datum.worst * 0.55",
                                      "value": LIGHT_TEXT},
                                     {"test": "datum.count == 0", "value": ZERO_TEXT}],
                       "value": DARK_TEXT}}},
    ],
}


def _scaled(spec: dict[str, Any], size: int) -> dict[str, Any]:
    """A copy of `spec` whose axis, legend and text marks use `size` pixels (the legend where the spec puts it,
    else under the plot)."""
    scaled = copy.deepcopy(spec)
    orient = spec.get("config", {}).get("legend", {}).get("orient", "bottom")
    scaled["config"] = {"axis": {"labelFontSize": size, "titleFontSize": size},
                        "legend": {"labelFontSize": size, "orient": orient, "symbolSize": size * 12,
                                   "labelLimit": 0}}
    for layer in scaled.get("layer", []):
        mark = layer.get("mark")
        if isinstance(mark, dict) and mark.get("type") == "text":
            mark["fontSize"] = count_font(size) if isinstance(mark.get("fontSize"), dict) else size
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
    spec["encoding"]["x"] = {**spec["encoding"]["x"], "scale": {"domain": [0, epochs], "nice": False},
                             "axis": {"values": pass_ticks(epochs), "format": "~g"}}
    return spec


def pass_ticks(epochs: float, most: int = MOST_TICKS) -> list[float]:
    """Where the passes axis is labelled: from 0 to the last pass, at a round step (0.2, 0.5, 1, 2, 5, ...).

    Given to the chart as it is: left to itself, Vega labelled a 3-pass run every 0.2 and then dropped every
    other label that collided, ending the axis at 2.8.
    """
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 3, 4, 5, 10, 15, 20, 25, 50, 100):
        count = epochs / step
        if 3 <= count <= most and abs(count - round(count)) < 1e-9:  # a step that lands on the last pass
            return [round(i * step, 4) for i in range(round(count) + 1)]
    # No round step lands on it (7, 11, 13 passes...): round steps, then the last pass.
    step = next(step for step in (1, 2, 5, 10, 20, 25, 50, 100, 250) if epochs / step <= most)
    ticks = [float(i * step) for i in range(int(epochs // step) + 1)]
    if epochs - ticks[-1] < step / 2:  # too close to the last pass's label: that one takes its place
        ticks.pop()
    return ticks + [float(epochs)]


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
