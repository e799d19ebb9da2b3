"""Teach it your handwriting (ui/teach_view.py): examples in, a taught model out, this session's alone until saved."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import digit_png
from streamlit.proto.Metric_pb2 import Metric as MetricProto

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
    assert models.label(taught).endswith("· your handwriting")
    result = at.session_state[teach_view.RESULT_KEY]
    assert metric(at, "Your examples read right").value == \
        f"{round(result['examples_accuracy_after'] * 8)} of 8"  # 20% of 40 kept aside
    assert metric(at, "Everyone's digits read right").value == f"{result['mnist_test_accuracy_after']:.2%}"
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
    assert models.label(saved[0]).endswith("· a visitor's handwriting")
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

    from mnist_core import inspection, synth
    from ui import models, teach_view

    digit, _ = inspection.test_digit(0)  # a 7
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


def answer_with_teaching():
    """The teaching controls beside the answer, for a canvas drawing of a 7."""
    import numpy as np

    from mnist_core import inspection, synth
    from ui import models, teach_view

    digit, _ = inspection.test_digit(0)
    rgba = synth.canvas_like((digit * 255).astype(np.uint8), np.random.default_rng(0), stroke="normal")
    teach_view.beside_answer(models.chosen(), rgba)


def test_beside_the_answer_one_drawing_becomes_an_example_in_two_clicks():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(answer_with_teaching, default_timeout=120).run()
    assert button(at, "Add as an example").disabled and button(at, "Teach").disabled
    assert at.caption[-1].value == "0 so far, 10 more to teach"
    at.segmented_control(key=teach_view.QUICK_LABEL_KEY).set_value(1).run()
    button(at, "Add as an example").click().run()
    assert not at.exception
    assert [(e.label, e.name) for e in at.session_state[teach_view.EXAMPLES_KEY]] == [(1, "drawing 1")]
    assert at.caption[-1].value == "1 so far, 9 more to teach"


def taught(before_right: int, after_right: int, mnist_before: float, mnist_after: float, turned_away: int = 0,
           still_turned_away: int = 0):
    """The section after a teaching with these results (2 examples kept aside)."""
    return {"examples_accuracy_before": before_right / 2, "examples_accuracy_after": after_right / 2,
            "examples_turned_away_before": turned_away, "examples_turned_away_after": still_turned_away,
            "nothing_to_learn": before_right == 2 and not turned_away,
            "mnist_test_accuracy_before": mnist_before, "mnist_test_accuracy_after": mnist_after,
            "held_out": [(np.zeros((28, 28), np.float32), 3), (np.zeros((28, 28), np.float32), 5)],
            "before": [3, 5], "after": [3, 5], "base_label": "x", "path": "nowhere.keras", "epochs": 1, "steps": 1,
            "examples_trained": 8, "seconds": 1.0, "prepare_seconds": 0.0, "temperature": 1.0}


RED, DOWN = MetricProto.MetricColor.RED, MetricProto.MetricDirection.DOWN


def test_a_drop_is_shown_as_a_drop_and_no_change_as_none(app):
    at = app().run()
    at.session_state[teach_view.RESULT_KEY] = taught(1, 2, 0.9964, 0.9864)
    at.switch_page(DRAW).run()
    assert not at.exception
    everyone = metric(at, "Everyone's digits read right")
    assert everyone.delta == "-1.00 points"
    assert (everyone.proto.color, everyone.proto.direction) == (RED, DOWN), "a drop: red and down, never green"
    assert metric(at, "Your examples read right").delta.startswith("+1")
    at.session_state[teach_view.RESULT_KEY] = taught(1, 1, 0.99, 0.99)
    at.run()
    assert metric(at, "Your examples read right").delta == "no change"
    assert metric(at, "Everyone's digits read right").delta == "no change"
    assert not any("nothing for it to learn" in info.value for info in at.info)


def test_nothing_to_learn_is_said_and_a_simpler_network_offered(app):
    at = app().run()
    at.session_state[teach_view.RESULT_KEY] = taught(2, 2, 0.99, 0.99)
    at.switch_page(DRAW).run()
    assert any("nothing for it to learn" in info.value for info in at.info)
    offer = next(b for b in at.button if b.key == "teach_simpler")
    assert offer.label.startswith("Use Ten templates")
    offer.click().run()
    assert not at.exception
    assert store.verify(at.sidebar.selectbox[0].value).meta.model == teach_view.SIMPLER


def test_digits_no_longer_turned_away_are_said_and_there_was_something_to_learn(app):
    at = app().run()
    at.session_state[teach_view.RESULT_KEY] = taught(2, 2, 0.99, 0.99, turned_away=2)
    at.switch_page(DRAW).run()
    said = [info.value for info in at.info]
    assert any('"not a digit" to 2 of these 2 examples; now it reads every one of them' in text for text in said)
    assert not any("nothing for it to learn" in text for text in said)
