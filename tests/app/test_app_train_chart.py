"""The Train page's live chart as an audience sees it on a projector: the passes axis runs to the last pass, the
percentages sit on their lines, the practice line is explained in plain words, and older recordings still replay."""

from __future__ import annotations

import json

import numpy as np

from mnist_core import snapshots, training
from mnist_core.practice_window import WINDOW_IMAGES
from mnist_core.training import TrainConfig
from ui import charts, presenter, train_story

JOB_TIMEOUT = 120
PASSES = 3


def charts_of(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def trained_three_passes(app, monkeypatch):
    """Softmax, 3 passes over 1,000 images (30 steps), trained from the Train page in presenter mode."""
    monkeypatch.setenv(presenter.ENV_VAR, "1")
    at = app().run()
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(1_000).run()
    at.number_input(key="epochs-softmax").set_value(PASSES).run()
    at.toggle(key="slow-motion-True").set_value(False).run()  # the results at once (slow motion has its tests)
    config = TrainConfig.for_model("softmax", epochs=PASSES, limit=1_000)
    next(b for b in at.button if b.label == "Start training").click().run()
    progress = training.find_job(config).wait(timeout=JOB_TIMEOUT)
    assert progress.state == "done", progress.error
    at.run()
    assert not at.exception and not at.error
    return at, config, progress


def test_the_presenter_chart_labels_every_pass_and_says_what_its_line_is(app, monkeypatch):
    at, config, progress = trained_three_passes(app, monkeypatch)
    chart = charts_of(at)[0]  # the story's chart comes first, above the mix-ups
    x, y = chart["encoding"]["x"], chart["encoding"]["y"]
    assert x["axis"]["values"][0] == 0 and x["axis"]["values"][-1] == PASSES, "the axis reaches the last pass"
    assert x["scale"]["domain"] == [0, PASSES]
    assert y["axis"]["labelFlush"] is False, "100% and 0% sit on their grid lines, not pushed inside"
    assert y["title"] != "accuracy" and "%" in y["axis"]["format"]
    assert chart["encoding"]["color"]["scale"]["domain"] == [charts.TRAIN_LABEL, charts.TEST_LABEL]
    assert f"last {WINDOW_IMAGES} training images" in charts.TRAIN_LABEL
    heading = next(md for md in at.markdown if md.value.startswith("**How often it is right**"))
    assert f"last {WINDOW_IMAGES} training images it practised on" in heading.proto.help
    assert "smoothly from one pass to the next" in heading.proto.help
    # The mix-ups chart's neighbour on other pages: the probability chart says "how sure".
    assert charts.sized(charts.PROBABILITIES)["encoding"]["y"]["title"] == "how sure"


def test_a_run_recorded_before_the_practice_window_still_replays(app, monkeypatch):
    """A format-1 recording (Keras' averages since each pass began) is shown and replayed as the window's line."""
    at, config, progress = trained_three_passes(app, monkeypatch)
    path = snapshots.path_for(progress.result.path)
    with np.load(path) as data:
        old = {key: data[key] for key in data.files if key != "window"}
    old["format"] = np.array(1)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **old)
    train_story._recording.clear()
    recording = train_story.recording_of(progress.result)
    assert recording is not None and recording.window == WINDOW_IMAGES, "turned into the window's curve"

    training.reset_registry()  # as after a restart: the result comes from disk
    later = app().run()
    later.selectbox(key="train_model").select("softmax").run()
    later.select_slider(key="slice-softmax").set_value(1_000).run()
    later.number_input(key="epochs-softmax").set_value(PASSES).run()
    assert not later.exception and not later.error
    next(b for b in later.button if b.label.startswith("Replay")).click().run()
    assert not later.exception and not later.error
    assert any("Replay" in md.value for md in later.markdown)
    assert charts_of(later)[0]["encoding"]["x"]["axis"]["values"][-1] == PASSES
