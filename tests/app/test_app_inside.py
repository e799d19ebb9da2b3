"""Inside the model: the user's own digit with its top two answers and attention, and each filter's test patches."""

from __future__ import annotations

import numpy as np

from mnist_core import inspect
from ui import inside_view, state

INSIDE = "app_pages/inside.py"


def test_your_own_digit_gets_its_top_two_answers_attention_and_filter_patches(app):
    seven, _ = inspect.test_digit(0)
    at = app()
    at.session_state[state.DIGIT_KEY] = np.roll(seven, 2, axis=1)  # as the Draw page leaves it
    at.run()
    at.switch_page(INSIDE).run()
    assert not at.exception and not at.error
    assert at.radio[0].value == inside_view.YOURS
    assert next(metric for metric in at.metric if metric.label == "Prediction").value == "7"
    assert any(caption.value.startswith("Top two answers: **7**") for caption in at.caption)
    image_captions = [caption for image in at.get("image") for caption in image.captions]
    assert any(caption.startswith("Where it looks") for caption in image_captions)
    headings = [markdown.value for markdown in at.markdown]
    assert "**What excites each filter of conv1 most** (test digits)" in headings
    assert "**What excites each filter of conv2 most** (test digits)" in headings
    patch_captions = [caption for caption in image_captions if "test digits it responds to most" in caption]
    assert len(patch_captions) == 2 and "the filter's weights on the left" in patch_captions[0]


def test_patches_are_searched_once_per_model_file(app, monkeypatch):
    calls = []
    real = inspect.top_patches
    monkeypatch.setattr(inspect, "top_patches", lambda model, *args, **kwargs: calls.append(1) or real(model))
    inside_view._top_patches.clear()
    first = app().run()
    first.switch_page(INSIDE).run()
    second = app().run()  # another browser session
    second.switch_page(INSIDE).run()
    assert not first.exception and not second.exception
    assert len(calls) == 1


def test_the_confidence_check_is_explained_with_the_bundled_models_reliability(app):
    from ui import confidence_view

    at = app().run()
    at.switch_page("app_pages/inside.py").run()
    assert not at.exception
    section = next(e for e in at.expander if e.label == confidence_view.HEADING)
    assert "when it says 90%, it is right about 9 times in 10" in section.markdown[0].value
    assert "it was right" in section.caption[0].value and "test digits" in section.caption[0].value
