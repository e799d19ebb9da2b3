"""The Inside page's parts: the digit under study, the layer table, filters, activations, attention."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core import inspect
from ui import charts, images, state

if TYPE_CHECKING:
    import keras

YOURS, TEST = "Your latest digit", "A digit from the test set"
MAX_TEMPLATES = 50  # the mlp has 500 hidden units; the first 50 show the idea
FILTER_DISPLAY = 48  # pixels a side per filter
MAP_DISPLAY = 64  # pixels a side per activation map


def pick_digit() -> np.ndarray:
    """The user's latest drawing or upload, or an MNIST test digit of their choice."""
    latest = state.latest_digit()
    options = [YOURS, TEST] if latest is not None else [TEST]
    source_col, index_col = st.columns([2, 1], vertical_alignment="bottom")
    source = source_col.radio("Digit to look at", options, horizontal=True, key="inside_source")
    if source == YOURS and latest is not None:
        return latest
    if latest is None:
        source_col.caption("Draw a digit on the Draw & Upload page to study your own handwriting here.")
    index = index_col.number_input("Test image number", 0, 9_999, 0, key="inside_test_index",
                                   persist_state="session")
    digit, label = inspect.test_digit(int(index))
    index_col.caption(f"Its label in MNIST: {label}")
    return digit


def overview(model: "keras.Model", digit: np.ndarray) -> None:
    """The digit, the model's answer, and where in the digit the answer comes from."""
    digit_col, chart_col, heat_col = st.columns([1, 2, 1])
    digit_col.image(images.enlarge(images.grey(digit, 1.0), images.DIGIT_DISPLAY),
                    caption="The 28 x 28 input")
    scores = inspect.probabilities(model, digit)
    with chart_col:
        st.metric("Prediction", str(int(scores.argmax())), help=f"with {scores.max():.0%} probability")
        st.vega_lite_chart(charts.probabilities_frame(scores), charts.PROBABILITIES, width="stretch")
    heat_col.image(images.enlarge(images.heat(inspect.occlusion(model, digit), digit), images.DIGIT_DISPLAY),
                   caption="Where it looks: bright spots are where covering the digit changes the answer most")


def layers(model: "keras.Model") -> None:
    """The architecture as a table a non-programmer can follow from top to bottom."""
    rows = inspect.architecture(model)
    table = pd.DataFrame([(r.name, r.kind, r.output_shape, r.params, r.role) for r in rows],
                         columns=["Layer", "Type", "Output shape", "Parameters", "What it does"])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"Parameters": st.column_config.NumberColumn(format="localized")})
    st.caption(f"{sum(r.params for r in rows):,} learned numbers (parameters) in total.")


def _columns_for(count: int) -> int:
    return 8 if count <= 64 else 16


def conv_layers(model: "keras.Model", digit: np.ndarray) -> None:
    """For each conv layer: its learned filters and what they make of the digit."""
    maps_by_layer = {feature.layer: feature.maps for feature in inspect.activations(model, digit)}
    for bank in inspect.filters(model):
        maps = maps_by_layer[bank.layer]
        st.subheader(f"Layer {bank.layer}: {len(bank.weights)} filters")
        filter_col, map_col = st.columns(2, gap="large")
        filter_col.image(images.tile([images.signed(w) for w in bank.weights], _columns_for(len(bank.weights)),
                                     FILTER_DISPLAY),
                         caption="Filters: red looks for ink, blue for no ink (averaged over input channels)")
        # Each map is scaled to its own brightest pixel, so weak but telling patterns stay visible.
        map_col.image(images.tile([images.grey(m) for m in maps], _columns_for(len(maps)), MAP_DISPLAY),
                      caption=f"What each filter finds in the digit ({maps.shape[1]} x {maps.shape[2]} maps; "
                              "bright = strong response, black = nothing found)")


def templates(model: "keras.Model") -> None:
    """For dense-only networks: what each unit of the first layer looks for, as a 28x28 picture."""
    weights = inspect.dense_templates(model)
    shown = weights[:MAX_TEMPLATES]
    if len(weights) == 10:
        st.caption("One template per digit 0-9: red pixels count for that digit, blue pixels against it.")
        st.image([images.enlarge(images.signed(w), images.DIGIT_DISPLAY // 2) for w in shown],
                 caption=[f"digit {d}" for d in range(10)], width=images.DIGIT_DISPLAY // 2)
    else:
        st.caption(f"The first {len(shown)} of {len(weights)} hidden units: red pixels excite the unit, "
                   "blue ones calm it.")
        st.image(images.tile([images.signed(w) for w in shown], 10, MAP_DISPLAY))
