"""Can you trust how sure it is? The model's reliability diagram, in words.

The sidecar keeps, for the 10,000 test digits, how sure the model said it was
(in bins of confidence) and how often it was then right. A calibrated model's
points sit on the diagonal: when it says 90%, it is right 9 times in 10.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from mnist_core.meta import CalibrationCheck, ReliabilityBin
from mnist_core.store import StoredModel
from ui import charts

HEADING = "Can you trust how sure it is?"
# Streamlit fits the axes and the legend into the chart's height: a legend under the plot left it 50-70 px tall
# when presenting. The legend sits on the right, and the height leaves the plot at least 200 px at every size.
RELIABILITY_HEIGHT = 400
_QUARTERS = [0, 0.25, 0.5, 0.75, 1]
RELIABILITY: dict[str, Any] = {
    "height": RELIABILITY_HEIGHT,
    "config": {"axis": {"labelFontSize": charts.FONT_SIZE, "titleFontSize": charts.FONT_SIZE},
               "legend": {"labelFontSize": charts.FONT_SIZE, "orient": "right"}},
    "layer": [
        {"data": {"values": [{"said": 0.0, "right": 0.0}, {"said": 1.0, "right": 1.0}]},
         "mark": {"type": "line", "color": charts.MUTED, "strokeDash": [6, 4]},
         "encoding": {"x": {"field": "said", "type": "quantitative"},
                      "y": {"field": "right", "type": "quantitative"}}},
        {"mark": {"type": "circle", "color": charts.HIGHLIGHT, "opacity": 0.85},
         "encoding": {
             "x": {"field": "said", "type": "quantitative", "title": "how sure it said it was",
                   "scale": {"domain": [0, 1]}, "axis": {"format": "%", "values": _QUARTERS}},
             "y": {"field": "right", "type": "quantitative", "title": "how often it was right",
                   "scale": {"domain": [0, 1]}, "axis": {"format": "%", "values": _QUARTERS}},
             "size": {"field": "digits", "type": "quantitative", "title": "test digits",
                      "scale": {"range": [40, 900]}},
             "tooltip": [{"field": "said", "format": ".1%", "title": "it said"},
                         {"field": "right", "format": ".1%", "title": "it was right"},
                         {"field": "digits", "format": ",", "title": "test digits"}]}},
    ],
}


def reliability_frame(bins: tuple[ReliabilityBin, ...]) -> pd.DataFrame:
    return pd.DataFrame({"said": [b.confidence for b in bins], "right": [b.accuracy for b in bins],
                         "digits": [b.count for b in bins]})


def in_words(test: CalibrationCheck) -> str:
    """One sentence an audience can check against the chart."""
    sure = [b for b in test.reliability if b.low >= 0.9]
    count = sum(b.count for b in sure)
    right = sum(b.count * b.accuracy for b in sure) / count if count else 0.0
    said = sum(b.count * b.confidence for b in sure) / count if count else 0.0
    return (f"On the {test.images:,} test digits, which it never trained on, it said it was at least 90% sure "
            f"{count:,} times, {said:.1%} sure on average, and it was right {right:.1%} of those times. "
            f"Overall its stated confidence is off by {test.ece:.1%} on average.")


def tuned_on(stored: StoredModel) -> str:
    """Which digits tuned the confidence, as the model's own record says: set aside from its training, or (for a
    model that learned from all 60,000) some it had also learned from."""
    fitted_on = stored.meta.calibration.fitted_on if stored.meta.calibration else ""
    if "seen in training" in fitted_on:
        return ("5,000 of the handwritten digits it learned from (it learned from all 60,000), and checked on "
                "10,000 test digits it never saw")
    return "5,000 handwritten digits set aside from its training"


def honesty(stored: StoredModel) -> None:
    """The reliability diagram of `stored` and what it means, or why there is none."""
    test = stored.meta.calibration.test if stored.meta.calibration else None
    if test is None or not test.reliability:
        st.info("This model was saved before MNIST Studio checked its confidence. Its percentages are the "
                "network's raw scores, which tend to sound surer, or less sure, than it really is.")
        return
    st.markdown(f"Every answer comes with how sure the network is. Those numbers were tuned on {tuned_on(stored)}, "
                "so that **when it says 90%, it is right about 9 times in 10**. Each dot below is a group of test "
                "digits: how sure it said it was, against how often it was right. On the dashed line, the two agree.")
    st.vega_lite_chart(reliability_frame(test.reliability), charts.sized(RELIABILITY), width="stretch")
    st.caption(in_words(test))
