"""The Train page's parts: settings, the live view of a job, and its results.

Jobs belong to the library's registry, not to a browser session: every view
here looks its job up by configuration, so a refresh, a second browser or
another page never starts a duplicate or loses one.
"""

from __future__ import annotations

import re

import streamlit as st

from mnist_core import training
from mnist_core.evaluation import Evaluation, evaluate_model
from mnist_core.models import ZOO
from mnist_core.store import StoredModel
from ui import charts, errors, images, models, presenter, state

DEFAULT_MODEL = "fast"
# The first run anyone sees: the fast preset's own recipe, one epoch on all 60,000 images, reaches 99%
# in about 20 s on a busy 2-core CPU. The other models start from one epoch on half the images.
QUICK_EPOCHS = 1
QUICK_SLICE = 30_000
ALL_IMAGES = 60_000
SLICES = (1_000, 2_000, 5_000, 10_000, 20_000, 30_000, ALL_IMAGES)
BATCH_SIZES = (32, 50, 64, 100, 128, 256, 512)
MAX_EPOCHS = 50
REFRESH_SECONDS = 1.0  # the live chart redraws this often
MISTAKES_SHOWN = 24
MISTAKE_DISPLAY = 100  # pixels a side
ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")  # Keras colours its error messages for terminals


def settings() -> training.TrainConfig:
    """Model and hyperparameter widgets; their values persist while the user visits other pages.

    When presenting, batch size and learning rate are not offered: the model's published values are used.
    """
    names = list(ZOO)
    name = st.selectbox("Model", names, index=names.index(DEFAULT_MODEL), format_func=lambda n: ZOO[n].title,
                        key="train_model", persist_state="session")
    spec = ZOO[name]
    with st.container(border=True):
        st.markdown(f"**{spec.title}** — {spec.source}")
        st.markdown(f"Network: {spec.network}  \nPublished recipe: {spec.published_recipe}  \n"
                    f"Published test accuracy: **{spec.reported_accuracy:.1%}** · {spec.params:,} parameters")
    batch_size, learning_rate = spec.defaults.batch_size, spec.defaults.learning_rate
    if presenter.active():
        epochs_col, slice_col = st.columns(2)
    else:
        epochs_col, batch_col, rate_col, slice_col = st.columns(4)
    # Keys include the model, so each model keeps its own settings and starts from its own defaults.
    epochs = epochs_col.number_input("Epochs (passes over the data)", 1, MAX_EPOCHS, QUICK_EPOCHS,
                                     key=f"epochs-{name}", persist_state="session")
    if not presenter.active():
        batch_sizes = sorted({*BATCH_SIZES, batch_size})
        batch_size = batch_col.selectbox("Batch size", batch_sizes, index=batch_sizes.index(batch_size),
                                         key=f"batch-{name}", persist_state="session")
        learning_rate = rate_col.number_input("Learning rate", 1e-5, 10.0, learning_rate, format="%g",
                                              step=learning_rate / 10, key=f"rate-{name}", persist_state="session")
    images_used = slice_col.select_slider("Training images", SLICES, quick_slice(name), format_func=_slice_label,
                                          key=f"slice-{name}", persist_state="session",
                                          help="Fewer images train faster, at some cost in accuracy.")
    return training.TrainConfig.for_model(name, epochs=int(epochs), batch_size=int(batch_size),
                                          learning_rate=float(learning_rate),
                                          limit=None if images_used == ALL_IMAGES else int(images_used))


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
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def describe(snap: training.Progress) -> str:
    """A job in words, e.g. "**Fast preset (ours)**, 2 epochs on 20,000 images (40% done, about 12 s left)"."""
    config = snap.config
    how_far = f"{snap.fraction:.0%} done"
    if snap.eta_seconds is not None:
        how_far += f", about {duration(snap.eta_seconds)} left"
    return (f"**{ZOO[config.model].title}**, {plural(config.epochs, 'epoch')} on {config.num_images:,} images "
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
    """Progress, chart and Stop button of a queued or running job, redrawn every second.

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
        st.rerun()  # the whole page, to show the results
    if snap.state == "queued":
        st.progress(0.0, text="Queued: waiting for another training to finish…")
        queued(config)
        st.button("Cancel", icon=":material/cancel:", on_click=job.stop, key=f"cancel-{config.key}",
                  help="Take this training out of the line; nothing has been trained yet.")
        return
    if snap.step >= snap.total_steps:
        st.progress(1.0, text="All batches done: testing on the 10,000 test images and saving the model…")
    else:
        left = f" · about {duration(snap.eta_seconds)} left" if snap.eta_seconds is not None else ""
        st.progress(snap.fraction, text=f"Training: {snap.fraction:.0%}{left} · step {snap.step:,} of "
                                        f"{snap.total_steps:,}")
    device_col, speed_col, elapsed_col, accuracy_col = st.columns(4)
    device_col.metric("Running on", snap.device or "…")
    speed_col.metric("Images per second", f"{snap.images_per_second:,.0f}")
    elapsed_col.metric("Elapsed", duration(snap.elapsed))
    accuracy_col.metric("Test accuracy", f"{snap.test_accuracy:.1%}" if snap.test_accuracy else "—",
                        help="Measured on the 10,000 test images at the end of each epoch.")
    curves(snap)
    st.button("Stop", icon=":material/stop_circle:", on_click=job.stop, key=f"stop-{config.key}",
              help="Stop after the current batch; the model so far is kept.")


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


def curves(snap: training.Progress) -> None:
    """Loss and accuracy side by side, as far as the job has got."""
    loss_col, accuracy_col = st.columns(2)
    if snap.batches:
        loss_col.vega_lite_chart(charts.loss_frame(snap.batches), charts.LOSS, width="stretch")
    if snap.batches or snap.epochs:
        accuracy_col.vega_lite_chart(charts.accuracy_frame(snap.batches, snap.epochs), charts.ACCURACY,
                                     width="stretch")


def results(snap: training.Progress) -> None:
    """What the finished job achieved, next to what its authors published, and where it goes wrong."""
    stored = snap.result
    spec = ZOO[snap.config.model]
    if snap.state == "stopped":
        st.warning("This training was stopped early; the model below is what it had learned by then.")
    elif snap.cached:
        st.success("These exact settings were trained before: here is the stored result.", icon=":material/history:")
    else:
        st.success("Training finished.", icon=":material/check_circle:")
    ours, published, target, spent = st.columns(4)
    accuracy = snap.test_accuracy or 0.0
    ours.metric("Test accuracy (ours)", f"{accuracy:.2%}",
                delta=f"{accuracy - spec.reported_accuracy:+.2%} vs published")
    published.metric("Published", f"{spec.reported_accuracy:.1%}", help=spec.published_recipe)
    target.metric("Time to 99%", duration(snap.seconds_to_target) if snap.seconds_to_target else "—",
                  help="Training time until the first epoch whose test accuracy reached 99% "
                       "(— when no epoch reached it).")
    spent.metric("Training time", duration(snap.elapsed))
    config = snap.config
    recipe = "" if presenter.active() else f", batch {config.batch_size}, learning rate {config.learning_rate:g}"
    st.caption(f"{plural(config.epochs, 'epoch')} on {config.num_images:,} images{recipe} · trained on the "
               f"{snap.device or '?'} at {stored.meta.get('images_per_second', snap.images_per_second):,.0f} "
               "images per second.")
    curves(snap)
    st.button("Use this model", type="primary", icon=":material/check:", on_click=state.choose_model,
              args=(str(stored.path),), disabled=state.selected_model_path() == str(stored.path),
              help="Read your drawings and uploads with this model, on every page.")
    if state.selected_model_path() == str(stored.path):
        st.caption("This model is in use on the Draw & Upload and Inside the model pages.")
    mistakes(evaluation(stored))


@st.cache_resource(max_entries=8, show_spinner="Checking all 10,000 test digits…")
def _evaluation(path: str, sha256: str, _stored: StoredModel) -> Evaluation:
    return evaluate_model(models.load(_stored), max_mistakes=MISTAKES_SHOWN)


def evaluation(stored: StoredModel) -> Evaluation:
    """The test-set evaluation of `stored`, computed once per model file version."""
    return _evaluation(str(stored.path), stored.meta.get("sha256", ""), stored)


def mistakes(result: Evaluation) -> None:
    """The confusion matrix and the test digits the model got wrong."""
    matrix_col, grid_col = st.columns([1, 1])
    with matrix_col:
        st.subheader("Which digits get mixed up")
        st.vega_lite_chart(charts.confusion_frame(result.confusion), charts.CONFUSION, width="stretch")
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
