"""Which digits get mixed up: the confusion matrix, and the test digits behind any of its squares.

Choosing a square (on the matrix, or with the two pickers beside it) shows those test digits with how sure the
network was: a mix-up's surest first; on the diagonal, the digits it read right but was least sure of.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from mnist_core.evaluation import Evaluation
from ui import charts, draw_view, images

SHOWN = 24  # test digits shown for one square
DISPLAY = 100  # pixels a side
CELL = "cell"  # the matrix's selection: one square, by its two fields
DIGITS = list(range(10))


def _selectable(spec: dict[str, Any]) -> dict[str, Any]:
    """The matrix with its squares selectable by a click: the rect layer gets a point selection on both fields."""
    squares, *rest = spec["layer"]
    return {**spec, "layer": [{**squares, "params": [{"name": CELL, "select": {"type": "point",
                                                                            "fields": ["true", "predicted"]}}]},
                              *rest]}


CONFUSION = _selectable(charts.CONFUSION)


def _picked(event: Any) -> tuple[int, int] | None:
    """The square clicked on the matrix, as (true, predicted); None when none is."""
    chosen = (getattr(event, "selection", None) or {}).get(CELL) or []
    if not chosen:
        return None
    first = chosen[0]
    return int(first["true"]), int(first["predicted"])


def show(result: Evaluation, key: str) -> None:
    """The matrix beside the test digits of the chosen square (at first the commonest mix-up)."""
    true_key, said_key, clicked_key = f"cell-true-{key}", f"cell-said-{key}", f"cell-clicked-{key}"
    first = result.worst_mix_up() or (0, 0)
    st.session_state.setdefault(true_key, first[0])
    st.session_state.setdefault(said_key, first[1])
    matrix_col, digits_col = st.columns([1.2, 1])  # the matrix a little wider: its counts as large as the text
    with matrix_col:
        st.subheader("Which digits get mixed up")
        event = st.vega_lite_chart(charts.confusion_frame(result.confusion), charts.sized(CONFUSION),
                                   width="stretch", on_select="rerun", key=f"confusion-{key}")
        clicked = _picked(event)
        if clicked is not None and clicked != st.session_state.get(clicked_key):  # a new click moves the pickers
            st.session_state[clicked_key] = clicked
            st.session_state[true_key], st.session_state[said_key] = clicked
    with digits_col:
        st.subheader(f"Mistakes: {result.error_count:,} of {result.total:,}")
        written_col, said_col = st.columns(2)
        true = written_col.selectbox("The digit really was", DIGITS, key=true_key)
        said = said_col.selectbox("The model said", DIGITS, key=said_key)
        square(result, true, said)


def square(result: Evaluation, true: int, said: int) -> None:
    """The test digits of one square, each with how sure the network was of its answer."""
    count = int(result.confusion[true, said])
    shown = result.cell(true, said, SHOWN)
    if true == said:
        st.caption(f"It read {count:,} of the {true}s right. These are the {len(shown)} it was least sure of:")
    elif count:
        st.caption(f"It read {count:,} {'digit' if count == 1 else 'digits'} written as {true} as a {said}"
                   f"{'' if count <= len(shown) else f'; here are the {len(shown)} it was surest of'}. Would you "
                   "have read them right?")
    else:
        st.caption(f"It never read a {true} as a {said}. Choose a red square on the matrix to see a mix-up.")
    if shown:
        st.image([images.enlarge(m.image, DISPLAY) for m in shown],
                 caption=[f"{draw_view.percent(m.confidence)} sure" for m in shown], width=DISPLAY)
