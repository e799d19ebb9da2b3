"""The Train page's parts: settings, the live view of a job, and its results.

Jobs belong to the library's registry, not to a browser session: every view
here looks its job up by configuration, so a refresh, a second browser or
another page never starts a duplicate or loses one.
"""

from __future__ import annotations

import re
import time

import streamlit as st

from mnist_core import snapshots, training
from mnist_core.data import NUM_FIT
from mnist_core.evaluation import Evaluation, evaluate_model
from mnist_core.models import ZOO
from mnist_core.store import StoredModel
from ui import charts, errors, images, learning_view, models, presenter, state

DEFAULT_MODEL = "fast"
# The first run anyone sees: the fast preset's own recipe, one epoch on every training image, reaches 99%
# in about 20 s on a busy 2-core CPU. The other models start from one epoch on 30,000 images.
QUICK_EPOCHS = 1
QUICK_SLICE = 30_000
ALL_IMAGES = NUM_FIT  # every training image; the last 5,000 are held out to calibrate the confidence
SLICES = (1_000, 2_000, 5_000, 10_000, 20_000, 30_000, ALL_IMAGES)
BATCH_SIZES = (32, 50, 64, 100, 128, 256, 512)
MAX_EPOCHS = 50
REFRESH_SECONDS = 1.0  # the live chart redraws this often
REPLAY_SECONDS = 15.0  # a replay lasts this long, whatever the run's real duration
REPLAY_FRAME_SECONDS = 0.5
FIRST_LAYER_WIDTH, FIRST_LAYER_WIDTH_PRESENTING = 260, 400  # pixels for the filters or templates
MISTAKES_SHOWN = 24
MISTAKE_DISPLAY = 100  # pixels a side
ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")  # Keras colours its error messages for terminals
HELP = {
    "model": "Which network to train. Each one reads digits in its own way; the box below says how.",
    "epochs": "How many times the network studies every training image. More passes: better reading, "
              "longer wait.",
    "images": "How many handwritten training digits it learns from. Fewer train faster, at some cost in "
              "accuracy. MNIST has 60,000 training digits; 5,000 of them are always kept aside to check how sure "
              "it should be, so it learns from 55,000 at most.",
    "batch": "How many images it looks at before each small correction of its weights.",
    "rate": "How big each correction is: too small learns slowly, too large never settles.",
}
EPOCHS_TERM = " Developers call one pass an epoch."  # the precise word, only where no audience is watching
PASSES_LABEL = "Passes over the images"
DEVELOPER_SETTINGS = "For developers"
# The results' numbers, in words an audience reads at once.
RIGHT_LABEL = "Right on the 10,000 test digits"
PUBLISHED_LABEL = "Its authors report"
OURS_LABEL = "When we trained it"
TARGET_LABEL = "Time to reach 99%"
TIME_LABEL = "Training time"
REPLAY_NEWS = ("Replay: watching it learn again, from the start. Its final result comes back here when the replay "
               "ends.")  # batch size and learning rate, folded away (never when presenting)


def page_style() -> None:
    """The Train page needs its story in view without scrolling (1366x768, and 1920x1080 when presenting)."""
    presenter.compact_top()


def settings() -> training.TrainConfig:
    """Model and how-long-to-train widgets in one row; their values persist while the user visits other pages.

    Batch size and learning rate are engineering words: they sit in a closed popover at the end of the row,
    and are not offered at all when presenting (the model's published values are used).
    """
    names = list(ZOO)
    presenting = presenter.active()
    if presenting:
        model_col, epochs_col, slice_col = st.columns([2, 1.2, 1.6], vertical_alignment="bottom")
    else:
        # The last column is wide enough for the popover's whole label at 1366x768 (it is cut off with "…").
        model_col, epochs_col, slice_col, developer_col = st.columns([1.9, 1.2, 1.5, 1.4], vertical_alignment="bottom")
    name = model_col.selectbox("Model", names, index=names.index(DEFAULT_MODEL),
                               format_func=lambda n: ZOO[n].plain_name, key="train_model",
                               persist_state="session", help=HELP["model"])
    spec = ZOO[name]
    batch_size, learning_rate = spec.defaults.batch_size, spec.defaults.learning_rate
    # Keys include the model, so each model keeps its own settings and starts from its own defaults.
    epochs = epochs_col.number_input(PASSES_LABEL, 1, MAX_EPOCHS, QUICK_EPOCHS, key=f"epochs-{name}",
                                     persist_state="session",
                                     help=HELP["epochs"] + ("" if presenting else EPOCHS_TERM))
    images_used = slice_col.select_slider("Training images", SLICES, quick_slice(name), format_func=_slice_label,
                                          key=f"slice-{name}", persist_state="session", help=HELP["images"])
    if not presenting:
        # A popover, not an expander: opening it floats over the page instead of pushing the row down.
        developer = developer_col.popover(DEVELOPER_SETTINGS, width="stretch",
                                          help="Batch size and learning rate, for developers.")
        batch_sizes = sorted({*BATCH_SIZES, batch_size})
        batch_size = developer.selectbox("Batch size", batch_sizes, index=batch_sizes.index(batch_size),
                                         key=f"batch-{name}", persist_state="session", help=HELP["batch"])
        learning_rate = developer.number_input("Learning rate", 1e-5, 10.0, learning_rate, format="%g",
                                              step=learning_rate / 10, key=f"rate-{name}", persist_state="session",
                                              help=HELP["rate"])
    return training.TrainConfig.for_model(name, epochs=int(epochs), batch_size=int(batch_size),
                                          learning_rate=float(learning_rate),
                                          limit=None if images_used == ALL_IMAGES else int(images_used))


def introduce(config: training.TrainConfig) -> None:
    """The chosen network in plain words; its technical recipe folded away for developers (not when presenting)."""
    spec = ZOO[config.model]
    with st.container(border=True):
        st.markdown(f"**{spec.plain_name}.** {spec.intro}")
        st.caption(f"{reported_words(config.model)} {comparison(config)}")
    if not presenter.active():
        with st.expander("Details"):
            recipe = recipe_words(config.model)
            again = (f"  \nTo measure it again: `{reproduce_command(config.model)}`" if is_ours(config.model) else "")
            st.markdown(f"**{spec.title}** ({spec.name}), from {spec.source}  \n"
                        f"Network: {spec.network}  \n{recipe}: {spec.published_recipe}  \n"
                        f"{spec.params:,} parameters{again}")


def is_ours(name: str) -> bool:
    """Whether the model is one of our own presets: its number is what we measured, not what others published."""
    return ZOO[name].ours


def recipe_words(name: str) -> str:
    """What its settings are called in the Details: "Our recipe" for our presets, else "Published recipe"."""
    return "Our recipe" if is_ours(name) else "Published recipe"


def reproduce_command(name: str) -> str:
    """The command that trains our preset with its own settings and prints its test accuracy."""
    return f"python -m mnist_core train --model {name}"


def reported_words(name: str) -> str:
    """Where the number to compare with comes from, said plainly: its authors' report, or our own measurement."""
    spec = ZOO[name]
    if is_ours(name):
        return (f"When we trained it with its own settings, it read about **{spec.reported_accuracy:.1%}** of the "
                "10,000 test digits right.")
    return f"Its authors report that it reads **{spec.reported_accuracy:.1%}** of the 10,000 test digits right."


def is_published_recipe(config: training.TrainConfig) -> bool:
    """Whether `config` trains the model as its authors did: only then is "vs published" a fair comparison."""
    defaults = ZOO[config.model].defaults
    return (config.epochs == defaults.epochs and config.batch_size == defaults.batch_size
            and config.learning_rate == defaults.learning_rate and config.limit is None)


def comparison(config: training.TrainConfig) -> str:
    """In words, how this run differs from the published one (empty when it is the published recipe)."""
    if is_published_recipe(config):
        if is_ours(config.model):
            return "These are those settings, so you can compare your result with ours."
        return "These settings are its published recipe, so the two numbers can be compared."
    defaults = ZOO[config.model].defaults
    differences = []
    if config.epochs != defaults.epochs:
        differences.append(f"{plural(config.epochs, 'pass')} over the images instead of {defaults.epochs}")
    if config.limit is not None:
        differences.append(f"{config.num_images:,} training images instead of all {ALL_IMAGES:,}")
    if config.batch_size != defaults.batch_size or config.learning_rate != defaults.learning_rate:
        differences.append("other settings for developers")
    return (f"This run is shorter or different ({'; '.join(differences)}), so expect it to differ from that "
            "number: it is not a contest." if differences else "")


def quick_slice(name: str) -> int:
    """Training images offered first: all of them for the fast preset, whose recipe is one epoch."""
    return ALL_IMAGES if name == DEFAULT_MODEL else QUICK_SLICE


def _slice_label(count: int) -> str:
    return f"all {count:,}" if count == ALL_IMAGES else f"{count:,}"


def existing_job(config: training.TrainConfig) -> training.TrainingJob | None:
    """The job anyone started for these settings, or the stored result of an earlier identical run."""
    job = training.find_job(config)
    if job is None and training.stored_result(config) is not None:
        job = training.start_training(config)  # a finished job read from disk: no training happens
    return job


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 'es' if word.endswith('s') else 's'}"


def epochs_words(done: float) -> str:
    """A fraction of the passes over the images as an audience reads it: "0.3", "0.05", "1.5"."""
    return f"{done:.2f}".rstrip("0") if done < 0.1 else f"{done:.1f}".removesuffix(".0")


def run_words(config: training.TrainConfig, epochs_done: float | None, seconds: float | None,
              stopped: bool) -> str:
    """What a run did, e.g. "stopped after 0.3 of 3 passes over 30,000 images, 10 s"."""
    took = f", {duration(seconds)}" if seconds else ""
    if stopped and epochs_done is not None:
        return (f"stopped after {epochs_words(epochs_done)} of {plural(config.epochs, 'pass')} over "
                f"{config.num_images:,} images{took}")
    return f"{plural(config.epochs, 'pass')} over {config.num_images:,} images{took}"


def describe(snap: training.Progress) -> str:
    """A job in words, e.g. "**Quick learner (ours)**, 2 passes over 20,000 images (40% done, about 12 s left)"."""
    config = snap.config
    how_far = f"{snap.fraction:.0%} done"
    if snap.eta_seconds is not None:
        how_far += f", about {duration(snap.eta_seconds)} left"
    return (f"**{ZOO[config.model].plain_name}**, {plural(config.epochs, 'pass')} over {config.num_images:,} images "
            f"({how_far})")


def others(config: training.TrainConfig) -> tuple[list[training.Progress], list[training.Progress]]:
    """Snapshots of the other trainings running and of those waiting, besides the one for `config`."""
    snaps = [job.snapshot() for job in training.active_jobs() if job.config.key != config.key]
    return [s for s in snaps if s.state == "running"], [s for s in snaps if s.state == "queued"]


def other_jobs(config: training.TrainConfig) -> None:
    """Say visibly when someone else's training is running or waiting, and what that means for a new one."""
    running, waiting = others(config)
    for snap in running:
        st.info(f"Another training is running: {describe(snap)}. Only {plural(training.MAX_RUNNING, 'training')} "
                "can run at a time: if you press Start now, yours waits in line and starts by itself as soon as "
                "this one finishes.", icon=":material/groups:")
    if waiting:
        many = "" if len(waiting) == 1 else f" ({len(waiting)} in all)"
        st.info(f"Another training is waiting its turn{many}; waiting trainings start by themselves, one after "
                "another.", icon=":material/hourglass_top:")


@st.fragment(run_every=REFRESH_SECONDS)
def live(config: training.TrainConfig) -> None:
    """Progress, Stop, the live chart and the learning pictures of a queued or running job, redrawn every second.

    A fragment's own reruns skip the page around it, so it guards its own errors.
    """
    with errors.shown_in_words():
        _live(config)


def _live(config: training.TrainConfig) -> None:
    job = training.find_job(config)
    if job is None:
        return
    snap = job.snapshot()
    if snap.finished:
        st.rerun()  # the whole page: the results take the live view's place
    if snap.state == "queued":
        st.progress(0.0, text="Queued: waiting for another training to finish…")
        queued(config)
        st.button("Cancel", icon=":material/cancel:", on_click=job.stop, key=f"cancel-{config.key}",
                  help="Take this training out of the line; nothing has been trained yet.")
        return
    bar_col, stop_col = st.columns([4, 1.3], vertical_alignment="bottom")
    with bar_col:
        st.progress(min(snap.fraction, 1.0), text=progress_words(snap))
    with stop_col:
        if snap.stopping:
            st.button("Stopping…", icon=":material/hourglass_top:", disabled=True, key=f"stopping-{config.key}",
                      width="stretch")
        else:
            st.button("Stop", icon=":material/stop_circle:", on_click=job.stop, key=f"stop-{config.key}",
                      width="stretch", help="Stop in a moment; what it has learned so far is kept and tested.")
    # Nothing after the story: the results replace it in place, and a leftover element here would push
    # their chart down while the page redraws (the loss curve is in the results' Details).
    story(config, snap.batches, snap.epochs, snap.learning)


def progress_words(snap: training.Progress) -> str:
    """The progress bar's line: how far, how long, and (once the pace is known) how long still."""
    if snap.stopping:
        return (f"Stopping… after {epochs_words(snap.epochs_done)} of {plural(snap.config.epochs, 'pass')}: "
                "testing what it has learned so far on the 10,000 test images and saving it")
    if snap.step >= snap.total_steps:
        return f"All {snap.total_steps:,} steps done: testing it on the 10,000 test images and saving it…"
    left = f" · about {duration(snap.eta_seconds)} left" if snap.eta_seconds is not None else ""
    tested = f" · test accuracy so far {snap.test_accuracy:.1%}" if snap.test_accuracy else ""
    return (f"Training: {snap.fraction:.0%} · {duration(snap.elapsed)}{left}{tested} · "
            f"step {snap.step:,} of {snap.total_steps:,}")


def queued(config: training.TrainConfig) -> None:
    """What a queued training waits for, and that it starts without anyone pressing anything."""
    running, waiting = others(config)
    if running:
        now = " and ".join(describe(snap) for snap in running)
        also = (f" {plural(len(waiting), 'other training')} {'is' if len(waiting) == 1 else 'are'} also waiting."
                if waiting else "")
        st.info(f"Your training is queued: only {plural(training.MAX_RUNNING, 'training')} can run at a time, "
                f"and {now} is running now. Yours **starts by itself** as soon as a place is free — there is "
                f"nothing to press, and you can draw on the other pages meanwhile.{also}",
                icon=":material/hourglass_top:")
    else:
        st.info("Your training is about to start…", icon=":material/hourglass_top:")


def failure(snap: training.Progress) -> None:
    """A failed job in plain words; technical details folded away (or only in the server's log)."""
    retry = "Press Start to try again, or change the settings."
    if snap.unexpected:  # a fault in the program or the machine: its text means nothing to the audience
        errors.explain("The last training with these settings stopped because of a problem inside the app, "
                       f"not because of anything you chose. {retry}",
                       details=ANSI_ESCAPES.sub("", snap.error or "") or None)
    else:  # the library's own message, written for people
        errors.explain(f"The last training with these settings stopped: {ANSI_ESCAPES.sub('', snap.error or '')} "
                       f"{retry}")


def story(config: training.TrainConfig, batches, epochs, learning: snapshots.Snapshot | None,
          heading: str = "**How often it is right**, pass by pass") -> None:
    """The moment that matters: accuracy growing on the left, the network's pictures and answers on the right."""
    chart_col, learn_col = st.columns([1.15, 1], gap="medium")
    with chart_col:
        st.markdown(heading, help=charts.ACCURACY_HELP)
        spec = charts.accuracy_spec(float(config.epochs), presenter.active())
        st.vega_lite_chart(charts.accuracy_frame(batches, epochs), spec, width="stretch")
    with learn_col:
        if learning is None:
            st.caption("Getting ready: its pictures appear here as soon as it starts.")
            return
        first_layer, strip = learning_view.pictures(learning)
        st.markdown(learning_view.first_layer_caption(learning.kind, presenter.active()))
        # Narrower than the column, so the strip of test digits below stays in view at 1366x768.
        st.image(first_layer, width=FIRST_LAYER_WIDTH_PRESENTING if presenter.active() else FIRST_LAYER_WIDTH)
        # The strip's heading and picture in one element, from one snapshot: they change together.
        st.markdown(strip, unsafe_allow_html=True)


def results(snap: training.Progress) -> None:
    """What the finished job achieved, in the place the live view had, then where it goes wrong."""
    stored = snap.result
    spec = ZOO[snap.config.model]
    config = snap.config
    done = config.epochs if stored.meta.epochs_done is None else stored.meta.epochs_done
    stopped = snap.state == "stopped"
    said = run_words(config, done, snap.elapsed, stopped)
    accuracy = snap.test_accuracy or 0.0
    reads = f"It reads **{accuracy:.2%}** of the 10,000 test digits right."
    recording = recording_of(stored)
    # While a replay runs, the final result is not shown beside an early frame of the run (96% over "10 of 20
    # right"): the replay's own rerun at its end brings the news and the numbers back.
    now_replaying = recording is not None and replaying(config)
    # Replay sits beside the news, in view: pressing it must not scroll the chart away.
    news, replay_col = st.columns([4, 1.3], vertical_alignment="center") if recording else (st.container(), None)
    with news:
        if now_replaying:
            st.info(REPLAY_NEWS, icon=":material/replay:")
        elif stopped:
            st.info(f"This training was {said}. {reads}", icon=":material/stop_circle:")
        elif snap.cached:
            st.success(f"Trained before with these exact settings ({said}). {reads} Press Replay to watch it "
                       "learn.", icon=":material/history:")
        else:
            st.success(f"Training finished: {said}. {reads}", icon=":material/check_circle:")
    if replay_col is not None:
        replay_col.button(f"Replay ({REPLAY_SECONDS:.0f} s)", icon=":material/replay:", on_click=start_replay,
                          args=(config,), key=f"replay-button-{config.key}", width="stretch",
                          help="Watch it learn again: the chart, the pictures and the 20 test digits, at a pace "
                               "everyone can follow, whatever the real training took.")
    # The chart and pictures keep the place they had while it trained; the numbers come after them.
    if now_replaying:
        replay(config, recording)
    else:
        batches, epochs = snap.batches, snap.epochs
        if recording is not None and not batches:  # a stored result: its curve comes from the recording
            batches, epochs = curve_points(recording)
        story(config, batches, epochs, recording.snapshots[-1] if recording else None)
    if not now_replaying:
        numbers(snap, accuracy)
    st.button("Use this model", type="primary", icon=":material/check:", on_click=state.choose_model,
                   args=(str(stored.path),), disabled=state.selected_model_path() == str(stored.path),
                   help="Read your drawings and uploads with this model, on every page.")
    if state.selected_model_path() == str(stored.path):
        st.caption("This model is in use on the Draw & Upload and Inside the model pages.")
    if not presenter.active():
        with st.expander("Details"):
            st.caption(f"Batch {config.batch_size}, learning rate {config.learning_rate:g}; trained on the "
                       f"{snap.device or '?'} at {stored.meta.images_per_second or snap.images_per_second:,.0f} "
                       f"images per second. {recipe_words(config.model)}: "
                       f"{spec.published_recipe}.")
            if snap.batches:
                st.vega_lite_chart(charts.loss_frame(snap.batches), charts.LOSS, width="stretch")
    mistakes(evaluation(stored))


def numbers(snap: training.Progress, accuracy: float) -> None:
    """The finished run's numbers in a row: only those that mean something for this run.

    The number to compare with shows only when the run used the same settings (DESIGN.md: "vs published"
    only for the published recipe); the time to 99% only when a pass reached 99%."""
    config, spec = snap.config, ZOO[snap.config.model]
    fair = is_published_recipe(config)
    ours = is_ours(config.model)
    # The first column is wider: its label is the longest, and must not be cut at 1366x768.
    columns = iter(st.columns([1.7, 1, 1, 1]))
    against = "vs ours" if ours else "vs published"
    next(columns).metric(RIGHT_LABEL, f"{accuracy:.2%}",
                         delta=f"{accuracy - spec.reported_accuracy:+.2%} {against}" if fair else None,
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
        st.caption(comparison(config))


@st.cache_resource(max_entries=16, show_spinner=False)
def _recording(path: str, sha256: str, batch_size: int | None, images: int) -> snapshots.Recording | None:
    return snapshots.load(path, sha256, batch_size=batch_size, images=images)


def recording_of(stored: StoredModel) -> snapshots.Recording | None:
    """The learning snapshots kept with `stored` (None for a model trained before they were kept); an older
    recording's line is redrawn as the last few hundred images' (its batch size from the model's settings)."""
    if not stored.meta.sha256:
        return None
    batch_size = stored.meta.config.get("batch_size")
    return _recording(str(stored.path), stored.meta.sha256, batch_size if isinstance(batch_size, int) else None,
                      stored.meta.images_trained)


def curve_points(recording: snapshots.Recording, upto_step: int | None = None
                 ) -> tuple[list[training.BatchPoint], list[training.EpochPoint]]:
    """The chart's points from a recording, up to `upto_step` (all of them without)."""
    last = recording.total_steps if upto_step is None else upto_step
    batches = [training.BatchPoint(step=int(step), epoch=float(epoch), loss=float(loss), accuracy=float(accuracy))
               for step, epoch, loss, accuracy in recording.curve if step <= last]
    reached = batches[-1].epoch if batches else 0.0
    if upto_step is not None and recording.snapshots:
        reached = max(reached, max(s.epoch for s in recording.snapshots if s.step <= last))
    epochs = [training.EpochPoint(epoch=float(epoch), test_accuracy=float(accuracy), elapsed=float(elapsed))
              for epoch, accuracy, elapsed in recording.tests if upto_step is None or epoch <= reached + 1e-6]
    return batches, epochs


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
        batches, epochs = curve_points(recording, shown.step)
        # The replay says where it is in the chart's own heading: nothing moves the chart down.
        story(config, batches, epochs, shown,
              heading=f":material/replay: **Replay**: {epochs_words(shown.epoch)} of "
                      f"{plural(recording.epochs, 'pass')} · step {shown.step:,}")


@st.cache_resource(max_entries=8, show_spinner="Checking all 10,000 test digits…")
def _evaluation(path: str, sha256: str, _stored: StoredModel) -> Evaluation:
    return evaluate_model(models.load(_stored), max_mistakes=MISTAKES_SHOWN)


def evaluation(stored: StoredModel) -> Evaluation:
    """The test-set evaluation of `stored`, computed once per model file version."""
    return _evaluation(str(stored.path), stored.meta.sha256, stored)


def mistakes(result: Evaluation) -> None:
    """The confusion matrix and the test digits the model got wrong."""
    matrix_col, grid_col = st.columns([1, 1])
    with matrix_col:
        st.subheader("Which digits get mixed up")
        st.vega_lite_chart(charts.confusion_frame(result.confusion), charts.sized(charts.CONFUSION), width="stretch")
    with grid_col:
        st.subheader(f"Mistakes: {result.error_count:,} of {result.total:,}")
        shown = result.mistakes
        if shown:
            st.caption("The wrong answers the model was surest about. Would you have read them correctly?")
            st.image([images.enlarge(m.image, MISTAKE_DISPLAY) for m in shown],
                     caption=[f"{m.true}, read as {m.predicted}" for m in shown], width=MISTAKE_DISPLAY)
        else:
            st.caption("Not a single test digit was misread.")


def duration(seconds: float | None) -> str:
    """Seconds as "45 s" or "3 min 05 s"."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def short_duration(seconds: float | None) -> str:
    """For a big number in a narrow column: "75 s" up to ten minutes, then "12 min"."""
    if seconds is None:
        return "—"
    return f"{round(seconds)} s" if seconds < 600 else f"{round(seconds / 60)} min"
