"""After a training: what it achieved, in the place the live view had, a replay of it, and where it goes wrong.

While this session's slow motion of the run still plays, the results wait: the slow motion goes on in their
place, and the page shows them once it is over.
"""

from __future__ import annotations

import time

import streamlit as st

from mnist_core import export, snapshots, training
from mnist_core.evaluation import Evaluation, evaluate_model
from mnist_core.models import ZOO, fraction_words
from mnist_core.store import StoredModel
from ui import charts, errors, mistakes_view, models, presenter, slow_motion, state, train_settings, train_words
from ui.train_story import curve_points, recording_of, story
from ui.train_words import plural, recipe_words, run_words, short_duration

REPLAY_SECONDS = 15.0  # a replay lasts this long, whatever the run's real duration
REPLAY_FRAME_SECONDS = 0.5
# The results' numbers, in words an audience reads at once.
RIGHT_LABEL = "Right on the 10,000 test digits"
PUBLISHED_LABEL = "Its authors report"
OURS_LABEL = "We measured"  # short: "When we trained it" was cut at 1366x768 beside the sidebar
TARGET_LABEL = "Time to reach 99%"
TIME_LABEL = "Training time"
AGAIN_LABEL = "Train again from scratch"
AGAIN_WARNING = ("This forgets the result of these settings and trains them again live. Others stay as they are.")
AGAIN_CONFIRM = "Forget it and train again"
REPLAY_NEWS = ("Replay: watching it learn again, from the start. Its final result comes back here when the replay "
               "ends.")


def results(snap: training.Progress) -> None:
    """The finished job: its slow motion's end first when it still plays, then the news, numbers and mistakes."""
    stored = snap.result
    config = snap.config
    recording = recording_of(stored)
    if snap.state == "stopped" or recording is None:
        slow_motion.end(config)  # a stopped run's result is what its stopper asked for; no recording, no frames
    if slow_motion.running(config):
        slow_motion.after_the_run(snap, recording)
        return
    spec = ZOO[config.model]
    done = config.epochs if stored.meta.epochs_done is None else stored.meta.epochs_done
    stopped = snap.state == "stopped"
    said = run_words(config, done, snap.elapsed, stopped)
    accuracy = snap.test_accuracy or 0.0
    reads = f"It reads **{accuracy:.2%}** of the 10,000 test digits right."
    # While a replay runs, the final result is not shown beside an early frame of the run (96% over "10 of 20
    # right"): the replay's own rerun at its end brings the news and the numbers back.
    now_replaying = recording is not None and replaying(config)
    # Replay and Train again sit beside the news, in view: pressing them must not scroll the chart away.
    again = snap.state == "done" and not now_replaying  # a stopped run offers Start above instead
    # Side by side where they fit (1920x1080), one above the other where not (1366x768 when presenting).
    news, room = st.columns([3.2, 2.1], vertical_alignment="center") if recording or again else (st.container(), None)
    actions = room.container(horizontal=True, wrap=True, gap="small") if room is not None else None
    with news:
        if now_replaying:
            st.info(REPLAY_NEWS, icon=":material/replay:")
        elif stopped:
            st.info(f"This training was {said}. {reads}", icon=":material/stop_circle:")
        elif snap.cached:
            st.success(f"Trained before with these exact settings ({said}). {reads}", icon=":material/history:")
        else:
            st.success(f"Training finished: {said}. {reads}", icon=":material/check_circle:")
    if actions is not None and recording is not None:
        actions.button(f"Replay ({REPLAY_SECONDS:.0f} s)", icon=":material/replay:", on_click=start_replay,
                       args=(config,), key=f"replay-button-{config.key}",
                       help="Watch it learn again: the chart, the pictures and the 20 test digits, at a pace "
                            "everyone can follow, whatever the real training took.")
    if actions is not None and again:
        with actions:
            train_again(config)
    # The chart and pictures keep the place they had while it trained; the numbers come after them.
    if now_replaying:
        replay(config, recording)
    else:
        batches, epochs = snap.batches, snap.epochs
        if recording is not None and not batches:  # a stored result: its curve comes from the recording
            batches, epochs = curve_points(recording)
        story(config, batches, epochs, recording.snapshots[-1] if recording else None)
        numbers(snap, accuracy)
    with st.container(horizontal=True, gap="small"):
        st.button("Use this model", type="primary", icon=":material/check:", on_click=state.choose_model,
                  args=(str(stored.path),), disabled=state.selected_model_path() == str(stored.path),
                  help="Read your drawings and uploads with this model, on every page.")
        take_it_home(stored)
    if state.selected_model_path() == str(stored.path):
        st.caption("This model is in use on the Draw & Upload and Inside the model pages.")
    if not presenter.active():  # batch size and learning rate: folded away, never when presenting
        with st.expander("Details"):
            st.caption(f"Batch {config.batch_size}, learning rate {config.learning_rate:g}; trained on the "
                       f"{snap.device or '?'} at {stored.meta.images_per_second or snap.images_per_second:,.0f} "
                       f"images per second. {recipe_words(config.model)}: {spec.published_recipe}.")
            if snap.batches:
                st.vega_lite_chart(charts.loss_frame(snap.batches), charts.LOSS, width="stretch")
    mistakes_view.show(evaluation(stored), config.key)


def take_it_home(stored: StoredModel) -> None:
    """The model, a short Keras script that trains the same network the same way, and a README, as one zip (made
    only when it is asked for)."""
    st.download_button("Take it home", data=lambda: export.archive(stored.path), on_click="ignore",
                       file_name=f"mnist-studio-{stored.meta.model or 'model'}.zip", mime="application/zip",
                       icon=":material/download:", key=f"take-home-{stored.path.stem}",
                       help="The trained model, a short Python script that trains it again the same way on your "
                            "own computer (python train.py), and a page on how to use them.")


def train_again(config: training.TrainConfig) -> None:
    """"Train again from scratch", confirmed in a popover: a rehearsal's result must not spoil the live moment.

    Only this setting's result is forgotten (training.forget_result: its model, sidecar and recording); then it
    trains live, in slow motion when this session chose it, as Start would."""
    with st.popover(AGAIN_LABEL, icon=":material/restart_alt:",
                    help="Forget this result and watch it learn again, live."):
        st.markdown(AGAIN_WARNING)
        if st.button(AGAIN_CONFIRM, type="primary", icon=":material/play_arrow:", key=f"again-{config.key}"):
            with errors.shown_in_words():
                training.forget_result(config)
                training.start_training(config)
                if train_settings.slow_motion_chosen():
                    slow_motion.begin(config)
                st.rerun()


def numbers(snap: training.Progress, accuracy: float) -> None:
    """The finished run's numbers in a row: only those that mean something for this run.

    The number to compare with shows only when the run used the same settings (DESIGN.md: "vs published"
    only for the published recipe); the time to 99% only when a pass reached 99%."""
    config, spec = snap.config, ZOO[snap.config.model]
    fair = train_words.is_published_recipe(config)
    ours = train_words.is_ours(config.model)
    # The first column is wider: its label is the longest, and must not be cut at 1366x768.
    columns = iter(st.columns([1.7, 1, 1, 1]))
    against = "vs ours" if ours else "vs published"
    delta = f"{points(accuracy, spec.reported_accuracy)} {against}" if fair else None
    next(columns).metric(RIGHT_LABEL, f"{accuracy:.2%}", delta=delta,
                         help="Share of the 10,000 test digits it reads right: digits it never learned from.")
    if fair:  # a fair comparison: the same settings as the number it is compared with
        if ours:
            next(columns).metric(OURS_LABEL, f"{spec.reported_accuracy:.1%}",
                                 help="What we measured when we trained it with these same settings.")
        else:
            next(columns).metric(PUBLISHED_LABEL, f"{spec.reported_accuracy:.1%}",
                                 help="What its authors report with these same settings"
                                      + ("." if presenter.active() else f": {spec.published_recipe}."))
    if snap.seconds_to_target is not None:
        next(columns).metric(TARGET_LABEL, short_duration(snap.seconds_to_target),
                             help="Training time until the first pass after which it read 99 test digits in 100 "
                                  "right.")
    next(columns).metric(TIME_LABEL, short_duration(snap.elapsed), help="Time spent training, without the tests.")
    if not fair:
        st.caption(train_words.comparison(config))


def points(accuracy: float, other: float) -> str:
    """How far apart two percentages are, in percentage points: "+0.11 points" (not "+0.11%", which would be
    a share of a share)."""
    return f"{(accuracy - other) * 100:+.2f} points"


def _replay_key(config: training.TrainConfig) -> str:
    return f"replay-started-{config.key}"


def start_replay(config: training.TrainConfig) -> None:
    st.session_state[_replay_key(config)] = time.monotonic()


def replaying(config: training.TrainConfig) -> bool:
    started = st.session_state.get(_replay_key(config))
    return started is not None and time.monotonic() - started < REPLAY_SECONDS + REPLAY_FRAME_SECONDS


@st.fragment(run_every=REPLAY_FRAME_SECONDS)
def replay(config: training.TrainConfig, recording: snapshots.Recording) -> None:
    """The recorded run again, at an audience's pace: each snapshot gets the same share of REPLAY_SECONDS."""
    with errors.shown_in_words():
        started = st.session_state.get(_replay_key(config))
        fraction = 1.0 if started is None else (time.monotonic() - started) / REPLAY_SECONDS
        if fraction >= 1.0 + REPLAY_FRAME_SECONDS / REPLAY_SECONDS:
            st.session_state.pop(_replay_key(config), None)
            st.rerun()  # the whole page: the finished picture again
        shown = recording.snapshots[snapshots.at_fraction(recording, min(fraction, 1.0))]
        batches, epochs = curve_points(recording, shown)
        # The replay says where it is in the chart's own heading: nothing moves the chart down.
        story(config, batches, epochs, shown, heading=replay_heading(shown, recording.epochs, config.num_images))


def replay_heading(shown: snapshots.Snapshot, epochs: int, images: int) -> str:
    """Where a replay is, in the chart's heading: passes and the training images seen so far (no steps)."""
    seen = min(round(shown.epoch * images), epochs * images)
    return (f":material/replay: **Replay**: {fraction_words(shown.epoch)} of {plural(epochs, 'pass')} · "
            f"{seen:,} images seen")


@st.cache_resource(max_entries=8, show_spinner="Checking all 10,000 test digits…")
def _evaluation(path: str, sha256: str, _stored: StoredModel) -> Evaluation:
    return evaluate_model(models.load(_stored), max_mistakes=mistakes_view.SHOWN)


def evaluation(stored: StoredModel) -> Evaluation:
    """The test-set evaluation of `stored`, computed once per model file version."""
    return _evaluation(str(stored.path), stored.meta.sha256, stored)

