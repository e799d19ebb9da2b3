"""Teach it your handwriting (ui/teach_view.py): examples in, a taught model out, this session's alone until saved."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import digit_png

from mnist_core import adapt, store
from mnist_core.data import NUM_FIT, load_mnist
from mnist_core.paths import models_dir
from ui import models, presenter, teach_view

DRAW = "app_pages/draw.py"


def writer_examples(count: int) -> list[adapt.Example]:
    """One writer's digits: held-out training digits, all squeezed and turned the same way (already preprocessed)."""
    mnist = load_mnist()
    x, y = mnist.x_train[NUM_FIT:], mnist.y_train[NUM_FIT:]
    matrix = np.array([[1.35, -0.55, 0.0], [0.0, 0.9, 0.0]], np.float32)  # slanted hard and wide, every time
    matrix[:, 2] = np.array([13.5, 13.5]) - matrix[:, :2] @ np.array([13.5, 13.5])
    bent = [np.clip(cv2.warpAffine(digit.astype(np.float32) / 255.0, matrix, (28, 28)), 0, 1) for digit in x[:count]]
    return [adapt.Example(digit, int(label), f"drawing {i}") for i, (digit, label) in enumerate(zip(bent, y))]


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def on_draw_page(app, stored: store.StoredModel, examples: list[adapt.Example]):
    at = app().run()
    at.sidebar.selectbox[0].select(str(stored.path)).run()
    at.session_state[teach_view.EXAMPLES_KEY] = examples
    at.switch_page(DRAW).run()
    assert not at.exception
    return at


def test_fewer_than_ten_examples_cannot_teach_yet(app, tiny_model):
    at = on_draw_page(app, tiny_model, writer_examples(7))
    assert any(header.value == teach_view.HEADING for header in at.header)
    assert button(at, "Teach").disabled
    assert any("add 3 more to teach" in markdown.value for markdown in at.markdown)


def test_teach_switches_this_session_only_and_save_shares_it(app, tiny_model):
    at = on_draw_page(app, tiny_model, writer_examples(40))
    button(at, "Teach").click().run()
    assert not at.exception and not at.error
    taught_path = at.sidebar.selectbox[0].value
    assert taught_path != str(tiny_model.path)  # used here at once
    taught = store.verify(taught_path)
    assert not taught.path.is_relative_to(models_dir())  # not in the folder every session lists
    assert taught.meta.adapted["examples"] == 40 and taught.meta.adapted["base_model"] == str(tiny_model.path)
    assert "taught your handwriting" in models.label(taught)
    result = at.session_state[teach_view.RESULT_KEY]
    assert metric(at, "Your examples read right").value == \
        f"{round(result['examples_accuracy_after'] * 8)} of 8"  # 20% of 40 kept aside
    assert metric(at, "MNIST test digits read right").value == f"{result['mnist_test_accuracy_after']:.2%}"
    assert result["examples_accuracy_after"] > result["examples_accuracy_before"]

    other = app().run()  # another visitor never sees it
    assert models.label(taught) in at.sidebar.selectbox[0].options
    assert not any("taught" in option for option in other.sidebar.selectbox[0].options)

    button(at, "Save for everyone").click().run()
    assert not at.exception
    saved = [stored for stored in store.list_models() if stored.meta.adapted]
    assert len(saved) == 1 and saved[0].meta.adapted["examples"] == 40
    assert at.sidebar.selectbox[0].value == str(saved[0].path)
    assert "Saved" in at.info[-1].value
    other.run()
    assert models.label(saved[0]) in other.sidebar.selectbox[0].options
    assert "a visitor's handwriting" in models.label(saved[0])
    assert store.verify(tiny_model.path).meta.sha256 == tiny_model.meta.sha256  # the base is unchanged


def test_uploaded_pictures_become_examples_of_the_chosen_digit(app, tiny_model):
    at = on_draw_page(app, tiny_model, [])
    uploader = next(u for u in at.file_uploader if u.key and u.key.startswith("teach_upload"))
    uploader.set_value([("a.png", digit_png(3), "image/png"), ("b.png", b"not a picture", "image/png")]).run()
    at.segmented_control(key=teach_view.LABEL_KEY).set_value(3).run()
    button(at, "Add them as 3").click().run()
    assert not at.exception
    examples = at.session_state[teach_view.EXAMPLES_KEY]
    assert [(e.label, e.name) for e in examples] == [(3, "a.png")]
    assert any("b.png" in warning.value for warning in at.warning)


@pytest.mark.parametrize("presenting", [False, True])
def test_engineering_words_stay_in_details(app, tiny_model, presenting, monkeypatch):
    monkeypatch.setenv(presenter.ENV_VAR, "1" if presenting else "0")
    at = on_draw_page(app, tiny_model, writer_examples(12))
    button(at, "Teach").click().run()
    visible = " ".join(m.value for m in [*at.markdown, *at.success, *at.caption]
                       if "temperature" in m.value or "layer" in m.value)
    details = [e for e in at.expander if e.label == "Details"]
    if presenting:
        assert not details and "temperature" not in visible
    else:
        assert details and "temperature" in " ".join(m.value for m in details[-1].markdown)


def section_with_a_drawing():
    """The section beside a canvas drawing of a 7 (the page passes the canvas's picture in)."""
    import numpy as np

    from mnist_core import inspect, synth
    from ui import models, teach_view

    digit, _ = inspect.test_digit(0)  # a 7
    rgba = synth.canvas_like((digit * 255).astype(np.uint8), np.random.default_rng(0), stroke="normal")
    teach_view.section(models.chosen(), rgba)


def test_the_drawing_above_becomes_an_example_with_the_digit_meant():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(section_with_a_drawing, default_timeout=120).run()
    assert button(at, "Add this drawing as an example").disabled  # no digit chosen yet
    at.segmented_control(key=teach_view.LABEL_KEY).set_value(7).run()
    button(at, "Add this drawing as an example").click().run()
    assert not at.exception
    examples = at.session_state[teach_view.EXAMPLES_KEY]
    assert [(e.label, e.name) for e in examples] == [(7, "drawing 1")]
    assert examples[0].digit.shape == (28, 28)
    assert any("Your examples: 1" in markdown.value for markdown in at.markdown)
