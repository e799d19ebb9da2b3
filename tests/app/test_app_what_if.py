"""What if…? One click trains a pair of networks that differ in one thing; the lesson first, then both results."""

from __future__ import annotations

import pytest

from mnist_core import training
from ui import what_if_view

JOB_TIMEOUT = 180


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_each_experiment_changes_one_thing_of_a_run_like_the_one_on_the_page():
    page = training.TrainConfig.for_model("keras_cnn", epochs=2, limit=5_000)
    found = {e.name: e for e in what_if_view.experiments(page)}
    assert set(found) == {"rate", "few", "conv", "passes"}
    rate, few, conv, passes = found["rate"], found["few"], found["conv"], found["passes"]
    assert rate.usual == page and rate.what_if.learning_rate == what_if_view.ADAM_TOO_HIGH
    assert few.usual == page and few.what_if.limit == what_if_view.FEW_IMAGES and few.what_if.epochs == 2
    assert (conv.usual.model, conv.what_if.model) == ("keras_cnn", "mlp") and conv.what_if.limit == 5_000
    assert (passes.usual.epochs, passes.what_if.epochs) == (1, what_if_view.MANY_PASSES)
    flat = {e.name: e for e in what_if_view.experiments(training.TrainConfig.for_model("softmax", epochs=1))}
    assert (flat["conv"].usual.model, flat["conv"].what_if.model) == ("fast", "softmax"), "with vs without"
    assert flat["rate"].usual.model == "fast", "a rate far too high for Adam: the SGD networks settle anyway"


@pytest.mark.parametrize("experiment", ["few"])
def test_one_click_trains_the_pair_and_shows_the_lesson_then_both_results(app, experiment):
    at = app().run()
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(1_000).run()
    at.number_input(key="epochs-softmax").set_value(1).run()
    chosen = next(e for e in what_if_view.experiments(training.TrainConfig.for_model("softmax", epochs=1,
                                                                                      limit=1_000))
                  if e.name == experiment)
    button(at, chosen.title).click().run()
    assert not at.exception and not at.error
    assert any(chosen.expect in info.value for info in at.info), "the lesson before the results"
    for config in (chosen.usual, chosen.what_if):
        assert training.find_job(config).wait(timeout=JOB_TIMEOUT).state == "done"
    at.run()
    assert not at.exception
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown[chosen.usual_label].endswith("%") and shown[chosen.what_if_label].endswith("%")
    assert any(markdown.value.startswith("**What happened:** From 500 images") for markdown in at.markdown)
