"""Altair charts sized for a projector: training curves, probabilities, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from mnist_core.training import BatchPoint, EpochPoint

FONT_SIZE = 16
HEIGHT = 280
HIGHLIGHT = "#0047BB"  # the theme's primary colour
MUTED = "#9AA5B1"
TRAIN_COLOUR, TEST_COLOUR = "#0047BB", "#D1495B"
TRAIN_LABEL, TEST_LABEL = "on training images", "on test images"
_EPOCHS = alt.X("epoch:Q", title="epochs of training", scale=alt.Scale(domainMin=0))


def _styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE).configure_legend(
        labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient="bottom")


def loss(batches: Sequence[BatchPoint]) -> alt.TopLevelMixin:
    """Training loss against epochs: how wrong the network still is, falling as it learns."""
    frame = pd.DataFrame([(p.epoch, p.loss) for p in batches], columns=["epoch", "loss"])
    return _styled(alt.Chart(frame).mark_line(color=TRAIN_COLOUR, strokeWidth=3).encode(
        x=_EPOCHS, y=alt.Y("loss:Q", title="loss (lower is better)")).properties(height=HEIGHT))


def accuracy(batches: Sequence[BatchPoint], epochs: Sequence[EpochPoint]) -> alt.TopLevelMixin:
    """Accuracy on the training batches (line) and on the 10,000 test images after each epoch (dots).

    A result loaded from disk kept only its per-epoch test accuracy: then only the dots are drawn.
    """
    curve = pd.DataFrame([(p.epoch, p.accuracy, TRAIN_LABEL) for p in batches], columns=["epoch", "accuracy", "kind"])
    tests = pd.DataFrame([(p.epoch, p.test_accuracy, TEST_LABEL) for p in epochs],
                         columns=["epoch", "accuracy", "kind"])
    y = alt.Y("accuracy:Q", title="accuracy", axis=alt.Axis(format="%"), scale=alt.Scale(zero=False))
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=[TRAIN_LABEL, TEST_LABEL],
                                                              range=[TRAIN_COLOUR, TEST_COLOUR]))
    return _styled(alt.layer(
        alt.Chart(curve).mark_line(strokeWidth=3).encode(x=_EPOCHS, y=y, color=colour),
        alt.Chart(tests).mark_point(size=200, filled=True, opacity=1).encode(x=_EPOCHS, y=y, color=colour),
    ).properties(height=HEIGHT))


def probabilities(values: Sequence[float]) -> alt.TopLevelMixin:
    """One bar per digit; the answer in the accent colour."""
    values = np.asarray(values, dtype=float)
    frame = pd.DataFrame({"digit": [str(d) for d in range(len(values))], "probability": values,
                          "answer": values == values.max()})
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("digit:N", title="digit", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", title="probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.condition("datum.answer", alt.value(HIGHLIGHT), alt.value(MUTED)),
        tooltip=["digit", alt.Tooltip("probability:Q", format=".1%")],
    ).properties(height=HEIGHT)
    return _styled(bars)


def confusion(matrix: np.ndarray) -> alt.TopLevelMixin:
    """A heat map of true vs predicted digits; off-diagonal cells are the mistakes."""
    rows = [(str(t), str(p), int(matrix[t, p]), t == p) for t in range(10) for p in range(10)]
    frame = pd.DataFrame(rows, columns=["true", "predicted", "count", "correct"])
    mistakes = frame[~frame["correct"]]
    base = alt.Chart(frame).encode(x=alt.X("predicted:N", title="the model said", axis=alt.Axis(labelAngle=0)),
                                   y=alt.Y("true:N", title="the digit really was"))
    cells = base.mark_rect().encode(
        color=alt.condition("datum.correct", alt.value("#DCE6F5"),
                            alt.Color("count:Q", scale=alt.Scale(scheme="reds", domainMin=0,
                                                                 domainMax=max(1, int(mistakes["count"].max()))),
                                      legend=None)),
        tooltip=["true", "predicted", "count"])
    labels = base.mark_text(fontSize=FONT_SIZE - 2).encode(text="count:Q", color=alt.value("#0B0B0B"))
    return _styled((cells + labels).properties(height=420, width="container"))
