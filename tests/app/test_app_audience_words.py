"""The audience never reads "epoch": the Train page and the sidebar say "passes over the images" instead.

Every piece of text a person can see is gathered from the page (labels, values, options, captions, the progress
bar, metrics), except help tooltips and what a closed expander or popover holds for developers. In presenter mode
nothing is folded away from that rule: there are none for developers then, and the help says no "epoch" either.
"""

from __future__ import annotations

from datetime import date

from google.protobuf.message import Message

from mnist_core import training
from mnist_core.training import TrainConfig
from ui import models, presenter, slow_motion, train_live, train_results, train_settings, train_words

JOB_TIMEOUT = 120
SHOWN_FIELDS = {"label", "body", "text", "options", "caption", "delta", "placeholder"}  # what a person reads
FOLDED = ("expander", "popover")  # Block types whose label is seen, and what they hold only once opened


def _texts(message: Message, with_help: bool) -> list[str]:
    found = []
    for field, value in message.ListFields():
        shown = field.name in SHOWN_FIELDS or (with_help and field.name == "help")
        if field.type not in (field.TYPE_MESSAGE, field.TYPE_STRING):
            continue
        values = [value] if isinstance(value, (str, Message)) else list(value)  # a repeated field gives a list
        if field.type == field.TYPE_MESSAGE:
            for item in values:
                found += _texts(item, with_help)
        elif shown and field.type == field.TYPE_STRING:
            found += values
    return found


def folded_label(node) -> str:
    return node.label if node.type == "expander" else node.proto.popover.label


def folded(node) -> list:
    """Every closed expander and popover under `node`."""
    children = getattr(node, "children", None) or {}
    found = [node] if getattr(node, "type", None) in FOLDED else []
    return found + [block for child in children.values() for block in folded(child)]


def seen_text(node, inside_expanders: bool, with_help: bool = False) -> str:
    """Everything on screen under `node`: the labels of expanders and popovers always, what they hold only when
    `inside_expanders`."""
    children = getattr(node, "children", None)
    if children is None:  # an element
        return " ".join(_texts(node.proto, with_help)) if node.proto is not None else ""
    parts = []
    if node.type in FOLDED:
        parts.append(folded_label(node))
        if not inside_expanders:
            return " ".join(parts)
    parts += [seen_text(child, inside_expanders, with_help) for child in children.values()]
    return " ".join(parts)


PRESENTER_UNSAID = ("epoch", "batch", "learning rate", "logits", "step")  # engineering words, never before an audience


def assert_no_epoch(at, inside_expanders: bool, with_help: bool, moment: str,
                    unsaid: tuple[str, ...] = ("epoch",)) -> None:
    for where, root in (("page", at.main), ("sidebar", at.sidebar)):
        text = seen_text(root, inside_expanders, with_help).lower()
        said = [word for word in unsaid if word in text]
        assert not said, f"{where}, {moment}: {said} in {text}"


def choose(at, images: int, passes: int) -> TrainConfig:
    at.selectbox(key="train_model").select("softmax").run()
    at.select_slider(key="slice-softmax").set_value(images).run()
    at.number_input(key="epochs-softmax").set_value(passes).run()
    return TrainConfig.for_model("softmax", epochs=passes, limit=images)


def test_the_collector_sees_labels_options_and_help_but_not_what_a_closed_expander_holds(app, monkeypatch):
    monkeypatch.delenv(presenter.ENV_VAR, raising=False)
    at = app().run()
    seen = seen_text(at.main, inside_expanders=False)
    assert train_settings.PASSES_LABEL in seen and "Quick learner (ours)" in seen and "all 55,000" in seen
    assert train_settings.DEVELOPER_SETTINGS in seen and "Batch size" not in seen, "folded away for developers"
    assert "Batch size" in seen_text(at.main, inside_expanders=True)
    assert "epoch" in seen_text(at.main, inside_expanders=True, with_help=True), "the precise word, in help"
    assert "Ships with the app" in seen_text(at.sidebar, inside_expanders=False)


def finish_and_use(at, config, moment: str | None = None) -> None:
    """Wait for the started training to finish, then press "Use this model"; with a `moment`, first check the
    words of its slow motion's end (shown from the recording before the results) at that moment."""
    progress = training.find_job(config).wait(timeout=JOB_TIMEOUT)
    assert progress.state == "done", progress.error
    at.run()
    if moment is not None:
        assert any("Slow motion" in md.value for md in at.markdown), "the slow motion plays on after the run"
        assert_no_epoch(at, inside_expanders=True, with_help=True, moment=moment, unsaid=PRESENTER_UNSAID)
        at.session_state[slow_motion._key(config)] -= slow_motion.SECONDS + 1  # its time is over
        at.run()
    next(b for b in at.button if b.label == "Use this model").click().run()


def test_presenting_never_says_epoch_before_during_or_after_a_training(app, monkeypatch):
    monkeypatch.setenv(presenter.ENV_VAR, "1")
    at = app().run()
    assert_no_epoch(at, inside_expanders=True, with_help=True, moment="before", unsaid=PRESENTER_UNSAID)
    config = choose(at, 2_000, 3)
    assert train_settings.PASSES_LABEL in seen_text(at.main, inside_expanders=True)
    next(b for b in at.button if b.label == "Start training").click().run()
    # Queued, running (in slow motion: on by default when presenting) or done.
    assert_no_epoch(at, inside_expanders=True, with_help=True, moment="started", unsaid=PRESENTER_UNSAID)
    finish_and_use(at, config, moment="slow motion after the run")
    assert_no_epoch(at, inside_expanders=True, with_help=True, moment="finished and in use", unsaid=PRESENTER_UNSAID)
    assert "3 passes over 2,000 images" in seen_text(at.main, inside_expanders=True)
    assert "3 passes over 2,000 images" in seen_text(at.sidebar, inside_expanders=True)
    assert not at.exception


def test_normal_mode_keeps_epoch_to_details_and_help(app, monkeypatch):
    monkeypatch.delenv(presenter.ENV_VAR, raising=False)
    at = app().run()
    config = choose(at, 1_000, 2)
    assert_no_epoch(at, inside_expanders=False, with_help=False, moment="before")
    next(b for b in at.button if b.label == "Start training").click().run()
    finish_and_use(at, config)
    assert_no_epoch(at, inside_expanders=False, with_help=False, moment="finished and in use")
    assert "2 passes over 1,000 images" in seen_text(at.sidebar, inside_expanders=False)
    assert not at.exception


def test_what_a_run_did_is_said_in_passes():
    config = TrainConfig.for_model("softmax", epochs=3, limit=20_000)
    assert train_words.run_words(config, 0.3, 24, stopped=True) == \
        "stopped after 0.3 of 3 passes over 20,000 images, 24 s"
    assert train_words.run_words(TrainConfig.for_model("fast", epochs=1), 1, 20, stopped=False) == \
        "1 pass over 55,000 images, 20 s"


def test_a_models_time_is_said_as_people_say_it():
    today = date.today()
    assert models.when(f"{today:%Y-%m-%d}T09:05:07+0000") == "today at 09:05"
    assert models.when("2020-03-04T10:05:00+0000") == "on 4 March 2020 at 10:05"
    assert models.when("yesterday") == "on yesterday"  # an odd sidecar is shown as it is, never an error


def test_a_sub_second_run_took_less_than_a_second_not_0_s():
    config = TrainConfig.for_model("softmax", epochs=1, limit=1_000)
    assert train_words.run_words(config, 1, 0.3, stopped=False) == "1 pass over 1,000 images, less than a second"
    assert train_words.short_duration(0.3) == "< 1 s" and train_words.short_duration(0.6) == "1 s"


def test_the_progress_line_counts_steps_only_for_developers():
    config = TrainConfig.for_model("softmax", epochs=1, limit=1_000)
    running = training.Progress(config=config, state="running", step=5, total_steps=10, elapsed=3.0)
    assert "step" not in train_live.progress_words(running).lower()
    assert train_live.progress_words(running, developer=True).endswith("step 5 of 10")
    assert train_live.progress_words(running).startswith("Training: 50% done · 3 s")
    # Every step done: it is testing and saving, and says so, in both modes.
    testing = training.Progress(config=config, state="running", step=10, total_steps=10, elapsed=5.0)
    assert testing.testing
    assert train_live.progress_words(testing, developer=True).startswith("Testing and saving…")


def test_a_difference_of_percentages_is_said_in_points():
    assert train_results.points(0.9911, 0.99) == "+0.11 points"
    assert train_results.points(0.98, 0.99) == "-1.00 points"
    assert train_results.points(0.99, 0.99) == "+0.00 points"


def test_the_images_help_says_how_many_a_model_trained_here_learns_from():
    assert "Models trained here learn from 55,000 at most." in train_settings.HELP["images"]
