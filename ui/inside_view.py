"""The Inside page's parts: the digit under study, the layer table, filters, activations, attention,
and the test-set patches that excite each filter most."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from mnist_core import inspect
from ui import charts, images, state

if TYPE_CHECKING:
    import keras

    from mnist_core.store import StoredModel

YOURS, TEST = "Your latest digit", "A digit from the test set"
MAX_TEMPLATES = 50  # the mlp has 500 hidden units; the first 50 show the idea
FILTER_DISPLAY = 48  # pixels a side per filter
MAP_DISPLAY = 64  # pixels a side per activation map
PATCH_DISPLAY = 35  # pixels a side per test patch (7 x 7 patches x 5)
PATCH_COLUMNS = 3  # patches per row inside one filter's cell (9 patches: 3 x 3)
CELL_COLUMNS = 4  # filters per row of the patch sheet (about 700 px: shown at full size)
CELL_GAP = 12  # pixels between filters' cells: wider than the gaps inside a cell
FIELD_COLOUR = (255, 196, 0)  # the outline of the receptive field inside a patch shown with context


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
    first, second = np.argsort(-scores)[:2]
    with chart_col:
        st.metric("Prediction", str(int(first)), help=f"with {scores[first]:.0%} probability")
        st.caption(f"Top two answers: **{first}** ({scores[first]:.0%}), then **{second}** ({scores[second]:.1%}).")
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


@st.cache_data(show_spinner=f"Searching {inspect.PATCH_IMAGES:,} test digits for what each filter responds to…",
               max_entries=8)
def _top_patches(path: str, sha256: str, _model: "keras.Model") -> list[inspect.FilterPatches]:
    """Once per model file version for the whole server: `sha256` is in the cache key on purpose."""
    return inspect.top_patches(_model)


def _patch_picture(patch: np.ndarray, field: int, context: int) -> np.ndarray:
    """One test patch as RGB (white ink on black), the receptive field outlined when context surrounds it."""
    picture = images.enlarge(np.repeat(images.grey(patch, 1.0)[..., None], 3, axis=2), PATCH_DISPLAY)
    if context:
        scale = picture.shape[0] // patch.shape[0]
        start, end = context * scale, (context + field) * scale - 1
        cv2.rectangle(picture, (start, start), (end, end), FIELD_COLOUR, 1)
    return picture


def _patch_sheet(found: inspect.FilterPatches, weights: np.ndarray | None) -> np.ndarray:
    """One cell per filter (its weights, when readable, beside its strongest test patches), 8 cells a row."""
    cells = []
    for index, patches in enumerate(found.patches):
        grid = images.tile([_patch_picture(p, found.field, found.context) for p in patches], PATCH_COLUMNS,
                           PATCH_DISPLAY)
        if found.strengths[index].max() <= 0:
            grid[:] = images.GAP_COLOUR  # never responds on these digits: nothing to show
        if weights is not None:
            kernel = images.signed(weights[index])
            factor = max(1, grid.shape[0] // (2 * kernel.shape[0]))
            kernel = np.repeat(np.repeat(kernel, factor, axis=0), factor, axis=1)
            column = np.full((grid.shape[0], kernel.shape[1], 3), 255, np.uint8)
            column[:kernel.shape[0]] = kernel
            grid = np.hstack([column, np.full((grid.shape[0], images.GAP, 3), 255, np.uint8), grid])
        cells.append(grid)
    height, width = cells[0].shape[:2]
    rows = -(-len(cells) // CELL_COLUMNS)
    sheet = np.full((rows * (height + CELL_GAP) - CELL_GAP, CELL_COLUMNS * (width + CELL_GAP) - CELL_GAP, 3), 255,
                    np.uint8)
    for index, cell in enumerate(cells):
        top, left = (index // CELL_COLUMNS) * (height + CELL_GAP), (index % CELL_COLUMNS) * (width + CELL_GAP)
        sheet[top:top + height, left:left + width] = cell
    return sheet


def filter_patches(found: inspect.FilterPatches, weights: np.ndarray | None) -> None:
    """What excites each filter most, as a grid of test patches a person can read."""
    silent = int((found.strengths.max(axis=1) <= 0).sum())
    where = (f"each patch is the {found.field} x {found.field} pixels the filter sees (outlined), "
             "with the digit around it" if found.context else
             f"each patch is the {found.field} x {found.field} pixels the filter sees")
    beside = "the filter's weights on the left of its cell, then " if weights is not None else ""
    st.image(_patch_sheet(found, weights),
             caption=f"For each filter, in the order above: {beside}the {found.patches.shape[1]} patches of "
                     f"{inspect.PATCH_IMAGES:,} test digits it responds to most, strongest first; {where}."
                     + (f" {silent} filter{'s' if silent > 1 else ''} never respond{'s' if silent == 1 else ''} "
                        "(grey)." if silent else ""))


def conv_layers(model: "keras.Model", digit: np.ndarray, stored: "StoredModel | None" = None) -> None:
    """For each conv layer: its learned filters, what they make of the digit, and what excites them most."""
    maps_by_layer = {feature.layer: feature.maps for feature in inspect.activations(model, digit)}
    patches_by_layer = {}
    if stored is not None:
        found = _top_patches(str(stored.path), stored.meta.get("sha256", ""), model)
        patches_by_layer = {layer.layer: layer for layer in found}
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
        if bank.layer in patches_by_layer:
            st.markdown(f"**What excites each filter of {bank.layer} most** (test digits)")
            first = bank.layer == inspect.conv_layer_names(model)[0]  # deeper weights average many channels
            filter_patches(patches_by_layer[bank.layer], bank.weights if first else None)


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
