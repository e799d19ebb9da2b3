"""A bounded line in the app, and a public host (MNIST_STUDIO_PUBLIC=1): limits said in words (issue 27)."""

from __future__ import annotations

import threading

import pytest

from mnist_core import host, training
from mnist_core.errors import TrainingError
from mnist_core.training import TrainConfig
from ui import state, train_live, train_settings

JOB_TIMEOUT = 120


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def held(monkeypatch) -> threading.Event:
    """Jobs wait in _train until the event is set: the line fills without training anything."""
    release = threading.Event()

    def hold(job):
        release.wait(timeout=60)
        raise TrainingError("released")

    monkeypatch.setattr(training.TrainingJob, "_train", hold)
    yield release
    release.set()


def on_train_page(app):
    at = app().run()
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(1_000).run()
    return at


def test_start_on_a_full_line_is_refused_in_words(app, held):
    for seed in range(training.MAX_WAITING):
        training.start_training(TrainConfig.for_model("softmax", epochs=1, limit=500, seed=seed))
    at = on_train_page(app)
    button(at, "Start training").click().run()
    assert not at.exception
    assert any("8 trainings are already waiting their turn" in error.value for error in at.error)
    assert training.find_job(TrainConfig.for_model("softmax", epochs=1, limit=1_000)) is None


def test_a_session_has_at_most_two_trainings_in_line(app, held):
    at = on_train_page(app)
    me = at.session_state[state.OWNER_KEY]
    for seed in (1, 2):
        training.start_training(TrainConfig.for_model("softmax", epochs=1, limit=500, seed=seed), owner=me)
    button(at, "Start training").click().run()
    assert any("You already have 2 trainings waiting or running" in error.value for error in at.error)
    other = on_train_page(app)  # another visitor still gets in
    button(other, "Start training").click().run()
    job = training.find_job(TrainConfig.for_model("softmax", epochs=1, limit=1_000))
    assert job is not None and job.owner == other.session_state[state.OWNER_KEY]


def test_on_a_public_host_only_the_visitor_who_started_a_training_can_stop_it(app, held, monkeypatch):
    monkeypatch.setenv(host.PUBLIC_ENV, "1")
    first = on_train_page(app)
    button(first, "Start training").click().run()
    config = TrainConfig.for_model("softmax", epochs=1, limit=1_000)
    job = training.find_job(config)
    assert job.owner == first.session_state[state.OWNER_KEY]
    second = on_train_page(app)  # the same settings: the second visitor follows the first one's training
    assert not second.exception
    stops = [b for b in second.button if b.label in ("Stop", "Cancel")]
    assert all(b.disabled for b in stops)
    assert any(train_live.NOT_YOURS in caption.value for caption in second.caption)
    first.run()
    assert not button(first, "Stop").disabled and not any(train_live.NOT_YOURS in c.value for c in first.caption)
    monkeypatch.delenv(host.PUBLIC_ENV)  # a classroom: anyone may stop it
    second.run()
    assert not button(second, "Stop").disabled
    button(second, "Stop").click().run()
    assert job.wait(timeout=JOB_TIMEOUT).finished


def test_a_public_host_refuses_a_training_longer_than_a_few_minutes(app, held, monkeypatch):
    monkeypatch.setenv(host.PUBLIC_ENV, "1")
    at = app().run()
    at.selectbox(key="train_model").select("keras_cnn").run()
    at.select_slider(key="slice-keras_cnn").set_value(train_settings.ALL_IMAGES).run()
    at.number_input(key="epochs-keras_cnn").set_value(5).run()
    button(at, "Start training").click().run()
    assert not at.exception
    assert any("On this public server one training may take about 3 minutes at most" in error.value
               for error in at.error)


def test_a_public_host_offers_no_save_for_everyone(app, tiny_model, monkeypatch):
    from test_app_teach import on_draw_page, writer_examples

    monkeypatch.setenv(host.PUBLIC_ENV, "1")
    at = on_draw_page(app, tiny_model, writer_examples(20))
    button(at, "Teach").click().run()
    assert not at.exception and not at.error
    assert not [b for b in at.button if b.label == "Save for everyone"]
    assert any("Only you see it" in success.value and "save it for everyone" not in success.value
               for success in at.success)
