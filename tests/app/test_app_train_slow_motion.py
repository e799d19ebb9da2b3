"""Learning an audience can follow (issue #23): before Start the page shows what the network learns from; in slow
motion (on by default when presenting) a training's view lasts SECONDS however fast the real run is, and only then
do the results show. Stop still works, and ends the slow motion."""

from __future__ import annotations

import re

from mnist_core import snapshots, training
from mnist_core.training import TrainConfig
from ui import presenter, slow_motion, train_results, train_settings

JOB_TIMEOUT = 120
STRIP_COUNT = re.compile(r"(\d+) of 20 right")


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def tiny_softmax(at) -> TrainConfig:
    """Softmax on 1,000 images, one pass: ten steps, done in about a second."""
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(1_000).run()
    return TrainConfig.for_model("softmax", epochs=1, limit=1_000)


def shown_right(at) -> int:
    """How many of the 20 test digits the view says it reads right now."""
    return int(next(STRIP_COUNT.search(md.value).group(1) for md in at.markdown if STRIP_COUNT.search(md.value)))


def test_before_start_it_shows_the_training_digits_it_learns_from(app):
    at = app().run()
    said = [md.value for md in at.markdown]
    assert train_settings.examples_words(TrainConfig.for_model("fast")) in said
    assert "It learns from 55,000 pictures like these, each with the right answer" in " ".join(said)
    assert at.get("image"), "a row of training digits with their labels"
    tiny_softmax(at)
    assert "It learns from 1,000 pictures like these" in " ".join(md.value for md in at.markdown)


def test_slow_motion_is_on_when_presenting_and_a_choice_otherwise(app, monkeypatch):
    monkeypatch.delenv(presenter.ENV_VAR, raising=False)
    at = app().run()
    slow = at.toggle(key="slow-motion-False")
    assert slow.label == train_settings.SLOW_LABEL and slow.value is False and "15 s" in slow.help
    monkeypatch.setenv(presenter.ENV_VAR, "1")
    presenting = app().run()
    assert presenting.toggle(key="slow-motion-True").value is True


def test_slow_motion_holds_the_results_back_until_its_time_is_over(app, monkeypatch):
    monkeypatch.setenv(presenter.ENV_VAR, "1")
    at = app().run()
    config = tiny_softmax(at)
    button(at, "Start training").click().run()
    progress = training.find_job(config).wait(timeout=JOB_TIMEOUT)
    assert progress.state == "done", progress.error
    final_right = progress.learning.correct(snapshots.strip()[1])
    at.run()
    assert not at.exception
    # The real run is over, but the view goes on from its start: no result, a slow-motion heading, and the bar
    # says what the real training took.
    assert not at.main.success and not at.main.metric and not [b for b in at.button if b.label == "Use this model"]
    assert any(md.value.startswith(slow_motion.HEADING) for md in at.markdown)
    bar = at.get("progress")[0].proto
    assert bar.text.startswith("Slow motion: ") and re.search(r"the real training took (\d+ s|less than a second)$",
                                                              bar.text), bar.text
    assert bar.value < 100 and shown_right(at) < final_right, "an early moment of the run, not its end"
    assert not any("Replay" in b.label for b in at.button)
    # Later in its time, later in the run.
    key = slow_motion._key(config)
    at.session_state[key] = at.session_state[key] - slow_motion.SECONDS * 0.7
    at.run()
    assert at.get("progress")[0].proto.value > bar.value and not at.main.metric
    # Its time is over: the results, with the run's final pictures.
    at.session_state[key] = at.session_state[key] - slow_motion.SECONDS
    at.run()
    assert any("Training finished" in s.value for s in at.success) and at.main.metric
    assert shown_right(at) == final_right
    assert not any(md.value.startswith(slow_motion.HEADING) for md in at.markdown)
    assert not at.exception


def test_skip_shows_the_result_at_once(app, monkeypatch):
    monkeypatch.setenv(presenter.ENV_VAR, "1")
    at = app().run()
    tiny_softmax(at)
    at.number_input(key="epochs-softmax").set_value(2).run()
    config = TrainConfig.for_model("softmax", epochs=2, limit=1_000)
    button(at, "Start training").click().run()
    assert training.find_job(config).wait(timeout=JOB_TIMEOUT).state == "done"
    at.run()
    assert not at.main.metric
    button(at, "Skip").click().run()
    assert any(metric.label == train_results.RIGHT_LABEL for metric in at.main.metric)


def test_stop_during_slow_motion_stops_the_training_and_the_slow_motion(app, monkeypatch):
    monkeypatch.delenv(presenter.ENV_VAR, raising=False)
    at = app().run()
    at.selectbox(key="train_model").select("softmax").run()
    at.number_input(key="epochs-softmax").set_value(5).run()
    at.toggle(key="slow-motion-False").set_value(True).run()  # chosen by hand outside presenter mode
    config = TrainConfig.for_model("softmax", epochs=5, limit=train_settings.QUICK_SLICE, seed=0)
    button(at, "Start training").click().run()
    job = training.find_job(config)
    while job.snapshot().step < 3 and not job.snapshot().finished:
        job.wait(timeout=0.02)
    at.run()
    if not job.snapshot().finished:
        assert any(md.value.startswith(slow_motion.HEADING) for md in at.markdown)
        button(at, "Stop").click().run()
        assert slow_motion._key(config) not in at.session_state
        assert job.wait(timeout=JOB_TIMEOUT).state == "stopped"
        at.run()
        assert any("stopped after" in info.value for info in at.info), "the stopped run's result, at once"
    job.stop()
    job.wait(timeout=JOB_TIMEOUT)
    assert not at.exception
