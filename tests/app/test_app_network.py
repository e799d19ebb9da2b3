"""The network at work beside the answer: one picture per stage, from input to answer, and "Look closer"."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mnist_core import inspection, layer_trace
from mnist_core.inference import load_reader
from ui import network_view


def drawing_with_the_network():
    """A stroke-drawn 7 as the canvas sends it, read and shown with the network at work (the bundled model)."""
    import numpy as np
    import streamlit as st

    from mnist_core import inspection, synth
    from ui import answer_first, draw_view, models, network_view

    reader, stored = models.current()
    digit, _ = inspection.test_digit(0)
    rgba = synth.canvas_like((digit * 255).astype(np.uint8), np.random.default_rng(0), stroke="normal")
    if st.session_state.get("blank"):
        rgba = np.zeros_like(rgba)
    prediction = answer_first.read(rgba, reader, several=False)
    draw_view.answer(prediction)
    network_view.for_prediction(reader.model, stored, prediction)


def test_the_drawing_goes_through_every_layer_to_the_answer_in_pictures():
    at = AppTest.from_function(drawing_with_the_network, default_timeout=120).run()
    assert not at.exception
    pictures = at.get("image")
    captions = [caption.value for caption in at.caption]
    # The bundled best reader: the input, its five conv layers, the ten outputs.
    assert len(pictures) == 7
    assert captions[0].startswith("**In**") and captions[-1] == network_view.OUTPUTS_CAPTION
    assert [caption.split("**")[1] for caption in captions[1:-1]] == [f"Layer {n}" for n in range(1, 6)]
    assert "tiny bits of stroke" in captions[1] and "large parts of digits" in captions[5]
    assert any("The network at work" in markdown.value for markdown in at.markdown)


def test_no_digit_found_means_no_network_row():
    at = AppTest.from_function(drawing_with_the_network, default_timeout=120)
    at.session_state["blank"] = True
    at.run()
    assert not at.exception and not at.get("image")


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    return inspection.test_digit(0)[0]


@pytest.mark.parametrize("name", ["default", "keras_cnn", "mlp", "softmax"])
def test_every_stage_is_drawn_in_the_same_box(name, seven):
    model = load_reader(f"models/{name}.keras").model
    for stage in layer_trace.stages(model, seven):
        picture = network_view.stage_picture(stage, stage.strongest(), arrow=stage.kind != "input")
        assert picture.shape == (network_view.BOX[1], network_view.BOX[0], 3) and picture.dtype == np.uint8
    assert network_view.outputs_picture(np.full(10, 0.1), 3).shape == (network_view.BOX[1], network_view.BOX[0], 3)


def test_the_strongest_map_is_framed_and_the_arrow_joins_the_stage_before(seven):
    stage = layer_trace.stages(load_reader("models/keras_cnn.keras").model, seven)[1]
    framed = network_view.stage_picture(stage, 0)
    plain = network_view.stage_picture(stage, None, arrow=False)
    orange = np.all(framed == network_view.HIGHLIGHT, axis=2)
    assert orange.any() and not np.all(plain == network_view.HIGHLIGHT, axis=2).any()
    middle = network_view.BOX[1] // 2
    assert (framed[middle, 2:network_view.ARROW - 6] == network_view.ARROW_COLOUR).all()
    assert (plain[:, :network_view.ARROW] == network_view.PAPER).all()


def test_the_answer_is_the_blue_bar_and_a_non_answer_has_none():
    probabilities = np.array([0.01] * 7 + [0.91] + [0.01] * 2)
    blue = np.all(network_view.outputs_picture(probabilities, 7) == network_view.BAR_ANSWER, axis=2)
    rows = np.flatnonzero(blue.any(axis=1))
    assert len(rows) and rows.min() > network_view.BOX[1] * 0.6, "the bar of 7, in the lower part"
    assert not np.all(network_view.outputs_picture(probabilities, None) == network_view.BAR_ANSWER, axis=2).any()


def looking_closer():
    """One stage chosen in "Look closer" (the popover's contents), for the session's model and part."""
    import streamlit as st

    from mnist_core import inspection, layer_trace
    from ui import models, network_view

    reader, stored = models.current()
    model = reader.model
    stages = layer_trace.stages(model, inspection.test_digit(0)[0])
    stage = stages[st.session_state["stage"]]
    network_view.focus(model, stored, stage, stage.strongest())


@pytest.mark.parametrize("stage, says", [(1, "looks for tiny bits of stroke"), (5, "looks for large parts of digits")])
def test_looking_closer_at_a_map_shows_it_and_the_test_digits_it_likes(stage, says):
    at = AppTest.from_function(looking_closer, default_timeout=120)
    at.session_state["stage"] = stage
    at.run()
    assert not at.exception
    assert says in at.markdown[0].value and "test digits" in at.markdown[0].value
    assert len(at.get("image")) == 2, "the map on the drawing, then its favourite test digits"
