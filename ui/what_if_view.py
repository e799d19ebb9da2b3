"""What if…? Four guided experiments on the Train page, one click each, with the lesson said beforehand.

Each experiment is a pair of trainings that differ in one thing: the usual run and the "what if" run (a learning
rate far too high, only 500 training images, no convolutions, more passes). Both go through the usual line (a
pair trained before comes straight from the cache), and their results stand side by side under the lesson, so
an audience first says what it expects, then sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from mnist_core import training
from mnist_core.data import NUM_FIT
from mnist_core.models import ZOO
from ui import errors
from ui.train_words import duration

CHOSEN_KEY = "what_if_chosen"  # the experiment this session looks at: its name
REFRESH_SECONDS = 1.0
CONV_FREE = ("softmax", "mlp")  # the networks without convolutions
ADAM_TOO_HIGH = 0.5  # for the networks trained with Adam (rates of 0.0001 to 0.008): far past what works
FEW_IMAGES = 500
MANY_PASSES = 3


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str  # the button
    expect: str  # the lesson, said before the results come in
    usual_label: str
    what_if_label: str
    happened: str  # what the results say, with {usual} and {what_if} filled in
    usual: training.TrainConfig
    what_if: training.TrainConfig


def experiments(config: training.TrainConfig) -> list[Experiment]:
    """The four experiments around the settings on the page (each changes one thing of a run like it)."""
    epochs, limit = config.epochs, config.limit
    adam = config.model if config.model not in CONV_FREE else "fast"  # the SGD networks settle at any rate here
    usual_adam = training.TrainConfig.for_model(adam, epochs=epochs, limit=limit)
    conv = config.model if config.model not in CONV_FREE else "fast"
    flat = config.model if config.model in CONV_FREE else "mlp"
    one_pass = training.TrainConfig.for_model(config.model, epochs=1, limit=limit)
    return [
        Experiment("rate", "Corrections far too big",
                   "Each correction is so big that it overshoots every time: expect it to read hardly more digits "
                   "right than by guessing (1 in 10).",
                   "Usual step size", "Far too big",
                   "With steps far too big it read {what_if} of the test digits right; with the usual steps, {usual}.",
                   usual_adam, training.TrainConfig.for_model(adam, epochs=epochs, limit=limit,
                                                              learning_rate=ADAM_TOO_HIGH)),
        Experiment("few", f"Only {FEW_IMAGES} training images",
                   f"With only {FEW_IMAGES} examples it learns those, not handwriting in general: expect many more "
                   "test digits read wrong.",
                   f"{(limit or NUM_FIT):,} images", f"{FEW_IMAGES} images",
                   f"From {FEW_IMAGES} images it read {{what_if}} of the test digits right; from "
                   f"{(limit or NUM_FIT):,}, {{usual}}.",
                   config, training.TrainConfig.for_model(config.model, epochs=epochs, limit=FEW_IMAGES)),
        Experiment("conv", "No convolutions",
                   "A network with convolutions looks for pieces of strokes wherever they are in the picture; one "
                   "without compares whole pictures: expect it to make several times more mistakes.",
                   f"With: {ZOO[conv].plain_name}", f"Without: {ZOO[flat].plain_name}",
                   "Without convolutions it read {what_if} of the test digits right; with them, {usual}.",
                   training.TrainConfig.for_model(conv, epochs=epochs, limit=limit),
                   training.TrainConfig.for_model(flat, epochs=epochs, limit=limit)),
        Experiment("passes", f"{MANY_PASSES} passes instead of one",
                   "Each pass shows it every image again: expect a few more digits right each time, and the time "
                   "to grow with every pass.",
                   "1 pass", f"{MANY_PASSES} passes",
                   f"After {MANY_PASSES} passes it read {{what_if}} of the test digits right; after one, {{usual}}.",
                   one_pass, training.TrainConfig.for_model(config.model, epochs=MANY_PASSES, limit=limit)),
    ]


def section(config: training.TrainConfig) -> None:
    """The four buttons, and the chosen experiment's pair of runs side by side."""
    st.subheader("What if…?")
    st.caption("Change one thing and see what happens: each button trains two networks that differ only in it.")
    found = experiments(config)
    for column, experiment in zip(st.columns(len(found)), found):
        if column.button(experiment.title, key=f"what-if-{experiment.name}", width="stretch",
                         help=experiment.expect):
            start(experiment)
    chosen = next((e for e in found if e.name == st.session_state.get(CHOSEN_KEY)), None)
    if chosen is None:
        return
    if all(_finished(config) for config in (chosen.usual, chosen.what_if)):
        compare(chosen)  # both done: drawn once, nothing left to refresh
    else:
        live(chosen)


def start(experiment: Experiment) -> None:
    """Both runs of the pair: joined when running, from the cache when trained before, else put in line."""
    with errors.shown_in_words():
        for config in (experiment.usual, experiment.what_if):
            training.start_training(config)
        st.session_state[CHOSEN_KEY] = experiment.name


def _job(config: training.TrainConfig) -> training.TrainingJob | None:
    """The run's job in this server; a pair trained before (and forgotten since a restart) comes from the cache."""
    job = training.find_job(config)
    if job is None and training.stored_result(config) is not None:
        job = training.start_training(config)  # a finished job read from disk: nothing is trained
    return job


def _finished(config: training.TrainConfig) -> bool:
    job = _job(config)
    return job is not None and job.snapshot().finished


@st.fragment(run_every=REFRESH_SECONDS)
def live(experiment: Experiment) -> None:
    """The pair while either still waits or learns, redrawn every second; the whole page once both are done."""
    with errors.shown_in_words():
        if all(_finished(config) for config in (experiment.usual, experiment.what_if)):
            st.rerun()
        compare(experiment)


def compare(experiment: Experiment) -> None:
    """The lesson, then the two runs side by side, and what happened once both are done."""
    st.info(f"**{experiment.title}.** {experiment.expect}", icon=":material/science:")
    usual_col, what_if_col = st.columns(2)
    results = []
    for column, label, config in ((usual_col, experiment.usual_label, experiment.usual),
                                  (what_if_col, experiment.what_if_label, experiment.what_if)):
        with column:
            results.append(_run(label, config))
    if all(result is not None for result in results):
        usual, what_if = results
        st.markdown("**What happened:** " + experiment.happened.format(usual=f"{usual:.1%}", what_if=f"{what_if:.1%}"))


def _run(label: str, config: training.TrainConfig) -> float | None:
    """One side of the pair: its progress while it waits or trains, its result once done (returned)."""
    job = _job(config)
    snap = job.snapshot() if job else None
    if snap is None:
        st.metric(label, "—")
        st.caption("Not trained: press the button again.")
        return None
    if snap.state == "queued":
        st.metric(label, "…")
        st.caption("Waiting its turn.")
        return None
    if not snap.finished:
        st.metric(label, "…")
        st.progress(min(snap.fraction, 1.0), text=f"Learning: {snap.fraction:.0%}")
        return None
    if snap.state == "failed" or snap.test_accuracy is None:
        st.metric(label, "—")
        st.caption(snap.error or "It stopped before it was tested.")
        return None
    st.metric(label, f"{snap.test_accuracy:.1%}", help="Share of the 10,000 test digits it reads right.")
    st.caption(f"Trained in {duration(snap.elapsed)}" + (" (stopped early)" if snap.state == "stopped" else ""))
    return snap.test_accuracy
