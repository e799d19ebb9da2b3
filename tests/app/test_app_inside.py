"""Inside the model: the user's own digit with its answer and attention, the layer table, and one collapsed step
per part of the network, from input to answer, whose pictures each come with a sentence on what to look for."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.proto.Block_pb2 import Block

from mnist_core import inspection
from mnist_core.models import ZOO
from mnist_core.paths import BUNDLED_DIR
from ui import inside_view, presenter, state

INSIDE = "app_pages/inside.py"
BEST_LAYERS = ["conv1", "conv2", "conv3", "conv4", "conv5"]  # the bundled network, input side first


def inside_with_my_seven(app, **open_steps: bool):
    """The Inside page studying a drawn 7 (as the Draw page leaves it), with the named steps open."""
    seven, _ = inspection.test_digit(0)
    at = app()
    at.session_state[state.DIGIT_KEY] = np.roll(seven, 2, axis=1)
    for name, is_open in open_steps.items():
        at.session_state[inside_view.STEP_KEY.format(name)] = is_open
    at.run()
    at.switch_page(INSIDE).run()
    assert not at.exception and not at.error
    return at


def image_captions(at) -> list[str]:
    return [caption for image in at.get("image") for caption in image.captions]


def step_labels(at) -> list[str]:
    return [expander.label for expander in at.expander if expander.proto.type == Block.Expandable.STEP]


def test_your_own_digit_is_read_and_every_conv_layer_is_a_step_in_order(app):
    at = inside_with_my_seven(app)
    assert at.radio[0].value == inside_view.YOURS
    assert at.get("html") and any(inside_view.OVERVIEW_KEY in html.proto.body for html in at.get("html"))
    assert next(metric for metric in at.metric if metric.label == "Prediction").value == "7"
    assert any(caption.value.startswith("Top two answers: **7**") for caption in at.caption)
    assert any(caption.startswith("Where it looks") for caption in image_captions(at))
    labels = step_labels(at)
    assert [label.split(":")[0] for label in labels[:-1]] == [f"Layer {n} of 5" for n in range(1, 6)]
    assert not any(name in label for label in labels for name in BEST_LAYERS)  # no Keras names for the audience
    assert labels[0].startswith("Layer 1 of 5") and "tiny bits of stroke" in labels[0]
    assert "large parts of digits" in labels[4]
    assert labels[-1] == "The answer: 7"
    # Collapsed, a step holds one sentence and no picture: its pictures are made only when it is opened.
    assert len(at.get("image")) == 2  # the digit and where it looks
    assert [e.label for e in at.main.expander if e.proto.type != Block.Expandable.STEP][-2:] == [
        "Can you trust how sure it is?", "Details for developers"]


def test_an_open_step_shows_every_filter_the_most_active_and_what_they_look_for(app):
    at = inside_with_my_seven(app, conv1=True, conv5=True)
    headings = [markdown.value for markdown in at.markdown]
    assert "**Your digit through each of the 32 filters.**" in " ".join(headings)
    assert "**Your digit through each of the 128 filters.**" in " ".join(headings)
    assert sum(value.startswith("**What the framed filters look for:**") for value in headings) == 2
    assert "the filter itself: red wants ink" in next(v for v in headings if v.startswith("**What the framed"))
    captions = image_captions(at)
    # The four most active filters of each open layer, numbered as in the grid above them.
    rows = [caption for caption in captions if caption.startswith("The 4 framed filters, in the order")]
    assert len(rows) == 2 and inside_view.TOP_CHANNELS == 4
    assert all(caption for caption in captions), "every picture says what to look for"
    looks = [caption.value for caption in at.caption if caption.value.startswith("Look for:")]
    assert len(looks) == 2 and "large parts of digits" in looks[1]
    # Every filter's favourite patches, on request, for the deepest layer too.
    at.toggle(key=inside_view.ALL_KEY.format("conv5")).set_value(True).run()
    assert not at.exception
    sheet = [caption for caption in image_captions(at) if caption.startswith("Every filter, in order")]
    assert len(sheet) == 1 and "24 x 24 pixels the filter sees" in sheet[0]


def test_patches_are_searched_once_per_model_file_and_only_for_an_open_step(app, monkeypatch):
    calls = []
    real = inspection.top_patches
    monkeypatch.setattr(inspection, "top_patches", lambda model, *args, **kwargs: calls.append(1) or real(model))
    inside_view._top_patches.clear()
    inside_with_my_seven(app)
    assert calls == [], "nothing is searched while every step is closed"
    inside_with_my_seven(app, conv2=True)
    inside_with_my_seven(app, conv4=True)  # another browser session, another layer
    assert len(calls) == 1


def test_the_layer_table_lists_what_a_digit_passes_through_in_full(app):
    at = inside_with_my_seven(app)
    assert not at.dataframe, "a table that scrolls inside itself cuts its text"
    table = at.table[0].value
    assert list(table.columns) == ["Layer", "What it does", "Learned numbers"]
    assert not any(name.startswith("augment") or name == "dropout" for name in table["Layer"])
    assert table["Layer"].iloc[0] == "input" and "scores" in set(table["Layer"]) and "logits" not in set(table["Layer"])
    # Everyday names, the pattern-finding layers numbered as the steps below; no Keras names such as "conv1_bn".
    assert [name for name in table["Layer"] if name.startswith("layer ")] == [f"layer {n}" for n in range(1, 6)]
    assert not [name for name in table["Layer"] if "_" in name or "conv" in name or "pool" in name], list(table["Layer"])
    assert {"rescale", "keep positives", "shrink"} <= set(table["Layer"])
    assert all(role for role in table["What it does"])
    assert "Not listed: 4 layers that only act while the network learns" in " ".join(c.value for c in at.caption)


@pytest.fixture
def bundled_dense_models() -> dict[str, str]:
    """The small bundled copies of the softmax and the mlp, which the sidebar offers beside the default."""
    return {name: str(BUNDLED_DIR / f"{name}.keras") for name in ("softmax", "mlp")}


def inside_with(app, model_path: str, open_step: str):
    """The Inside page studying test digit 0 (a 7) with the model at `model_path`, one step opened."""
    at = app()
    at.session_state[state.DIGIT_KEY], _ = inspection.test_digit(0)
    at.session_state[inside_view.STEP_KEY.format(open_step)] = True
    at.run()
    at.sidebar.selectbox[0].select(model_path).run()
    at.switch_page(INSIDE).run()
    return at


def test_the_softmax_shows_its_ten_templates_and_which_one_your_digit_matches(app, bundled_dense_models):
    at = inside_with(app, bundled_dense_models["softmax"], open_step="templates")
    assert not at.exception and not at.error
    assert at.sidebar.markdown[0].value == f"**{ZOO['softmax'].plain_name}**"
    assert at.sidebar.caption[0].value.startswith("Ships with the app")
    assert "CPU" not in at.sidebar.caption[0].value and "GPU" not in at.sidebar.caption[0].value
    assert step_labels(at) == ["The ten templates: which one your digit matches best", "The answer: 7"]
    assert "Look for the most red under your ink: the framed one, 7, collects the most" in image_captions(at)[-1]


def test_the_mlp_shows_its_detectors_and_the_ones_your_digit_sets_off(app, bundled_dense_models):
    at = inside_with(app, bundled_dense_models["mlp"], open_step="detectors")
    assert not at.exception and not at.error
    assert step_labels(at)[0] == "Layer 1: 500 pixel detectors, and the ones your digit sets off most"
    captions = image_captions(at)
    assert any(caption.endswith("stay silent for your digit: its ink falls mostly on their blue.")
               for caption in captions)
    assert f"**The {inside_view.TOP_DETECTORS} detectors your digit sets off most**" in " ".join(
        markdown.value for markdown in at.markdown)


def test_presenting_hides_the_developer_details(app, monkeypatch):
    monkeypatch.setenv(presenter.ENV_VAR, "1")
    at = inside_with_my_seven(app, conv1=True)
    assert "Details for developers" not in [expander.label for expander in at.expander]
    shown = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + image_captions(at)
                     + [e.label for e in at.expander] + list(at.table[0].value.columns))
    for jargon in ("logits", "Output shape", "ReLU", "polarity", "channel"):
        assert jargon not in shown
    table = " ".join(" ".join(map(str, column)) for column in at.table[0].value.to_dict("list").values())
    for jargon in ("feature map", "units", "probabilit"):
        assert jargon not in table.lower(), table


def test_the_confidence_check_is_explained_with_the_bundled_models_reliability(app):
    from ui import confidence_view

    at = app().run()
    at.switch_page("app_pages/inside.py").run()
    assert not at.exception
    section = next(e for e in at.expander if e.label == confidence_view.HEADING)
    assert "when it says 90%, it is right about 9 times in 10" in section.markdown[0].value
    assert "it was right" in section.caption[0].value and "test digits" in section.caption[0].value


def test_a_drawing_that_is_no_digit_gets_no_answer_here_either(app):
    """The Draw page answered "?" for a star; Inside said "Prediction 3" for the same drawing."""
    import cv2

    from mnist_core.digit_check import not_a_digit

    star = np.zeros((28, 28), np.float32)
    points = [(14 + 10 * np.sin(k * 4 * np.pi / 5), 14 - 10 * np.cos(k * 4 * np.pi / 5)) for k in range(6)]
    cv2.polylines(star, [np.round(np.array(points)).astype(np.int32)], False, 1.0, 2, cv2.LINE_AA)
    assert not_a_digit(star.reshape(1, 28, 28, 1)) is not None  # what the Draw page said of it
    at = app()
    at.session_state[state.DIGIT_KEY] = star
    at.run()
    at.switch_page(INSIDE).run()
    assert not at.exception and not at.error
    assert next(metric for metric in at.metric if metric.label == "Prediction").value == "?"
    assert any(caption.value.startswith("This doesn't look like a digit to it. If it had to pick")
               for caption in at.caption)


def test_before_anything_is_drawn_there_is_no_one_option_choice(app):
    at = app().run()
    at.switch_page("app_pages/inside.py").run()
    assert not at.exception
    assert not at.radio, "a radio with one option is no choice"
    assert any("Draw a digit on the Draw & Upload page" in markdown.value for markdown in at.markdown)
    assert at.number_input(key="inside_test_index").value == 0
