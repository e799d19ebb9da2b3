"""A training as it happens: the line of waiting jobs, progress and Stop, the live story, and a failure's words.

The live view is a fragment redrawn every second; a fragment's own reruns skip the page around it, so it
guards its own errors. When its job finishes it reruns the whole page, and the results take its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from mnist_core import training
from mnist_core.models import ZOO, fraction_words
from ui import errors, presenter, state
from ui.train_story import story
from ui.train_words import duration, plural

REFRESH_SECONDS = 1.0  # the live chart redraws this often
ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")  # Keras colours its error messages for terminals
STOP_HELP = "Stop in a moment; what it has learned so far is kept and tested."
NOT_YOURS = "Only the person who started this training can stop it."  # a public host (mnist_core.host)
# Every step done: the job tests the model on the test set and saves it, a few seconds in which Stop changes nothing.
TESTING_WORDS = "Testing and saving…: it has learned; now it reads the 10,000 test digits it never saw"


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


def _at_a_time(places: int) -> str:
    """How many trainings can run at once here (on several workers, as many as are listening), in words."""
    if places == 0:
        return "no computer is ready to train right now"
    return f"only {plural(places, 'training')} can run at a time"


def other_jobs(config: training.TrainConfig) -> None:
    """Say visibly when someone else's training is running or waiting, and what that means for a new one."""
    running, waiting = others(config)
    places = training.places()
    full = len(running) >= places
    for snap in running:
        st.info(f"Another training is running: {describe(snap)}. {_at_a_time(places).capitalize()}"
                + (": if you press Start now, yours waits in line and starts by itself as soon as a place is free."
                   if full else "."), icon=":material/groups:")
    if waiting:
        many = "" if len(waiting) == 1 else f" ({len(waiting)} in all)"
        st.info(f"Another training is waiting its turn{many}; waiting trainings start by themselves, one after "
                "another.", icon=":material/hourglass_top:")


def queued(config: training.TrainConfig) -> None:
    """What a queued training waits for, and that it starts without anyone pressing anything."""
    running, waiting = others(config)
    if running:
        now = " and ".join(describe(snap) for snap in running)
        also = (f" {plural(len(waiting), 'other training')} {'is' if len(waiting) == 1 else 'are'} also waiting."
                if waiting else "")
        st.info(f"Your training is queued: {_at_a_time(training.places())}, and {now} is running now. Yours "
                "**starts by itself** as soon as a place is free — there is nothing to press, and you can draw on "
                f"the other pages meanwhile.{also}",
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


def progress_words(snap: training.Progress, developer: bool = False) -> str:
    """The progress bar's line: how far, how long, and (once the pace is known) how long still; the step count
    only for developers (not when presenting)."""
    if snap.stopping:
        return (f"Stopping… after {fraction_words(snap.epochs_done)} of {plural(snap.config.epochs, 'pass')}: "
                "testing what it has learned so far on the 10,000 test images and saving it")
    if snap.testing:
        return TESTING_WORDS
    left = f" · about {duration(snap.eta_seconds)} left" if snap.eta_seconds is not None else ""
    tested = f" · right on {snap.test_accuracy:.1%} of the test digits so far" if snap.test_accuracy else ""
    steps = f" · step {snap.step:,} of {snap.total_steps:,}" if developer else ""
    return f"Training: {snap.fraction:.0%} done · {duration(snap.elapsed)}{left}{tested}{steps}"


def waiting_in_line(job: training.TrainingJob) -> None:
    """A queued job's view: what it waits for, and Cancel."""
    st.progress(0.0, text="Queued: waiting for another training to finish…")
    queued(job.config)
    if not job.stoppable_by(state.owner()):
        st.caption(NOT_YOURS)
        return
    st.button("Cancel", icon=":material/cancel:", on_click=_stop, args=(job, job.stop),
              key=f"cancel-{job.config.key}", help="Take this training out of the line; nothing has been trained yet.")


def _stop(job: training.TrainingJob, stop: Callable[[], None]) -> None:
    """Stop's and Cancel's click: checked again when it comes (the page may have been drawn before a change)."""
    if job.stoppable_by(state.owner()):
        stop()


def progress_row(job: training.TrainingJob, snap: training.Progress, fraction: float, text: str,
                 on_stop: Callable[[], None] | None = None, on_skip: Callable[[], None] | None = None) -> None:
    """The progress bar with Stop beside it (a disabled "Stopping…" once asked); `on_stop` replaces job.stop.

    Once every step is done the job only tests and saves: no Stop then, since it would change nothing (a slow
    motion's `on_skip` offers Skip in its place)."""
    mine = job.stoppable_by(state.owner())  # on a public host, someone else's training has no Stop for me
    bar_col, stop_col = st.columns([4, 1.3], vertical_alignment="bottom")
    with bar_col:
        st.progress(min(max(fraction, 0.0), 1.0), text=text)
    with stop_col:
        if snap.stopping:
            st.button("Stopping…", icon=":material/hourglass_top:", disabled=True, key=f"stopping-{job.config.key}",
                      width="stretch")
        elif snap.testing:
            if on_skip is not None:
                st.button("Skip", icon=":material/skip_next:", on_click=on_skip, key=f"skip-{job.config.key}",
                          width="stretch", help="Show the result as soon as it is saved.")
        elif not mine:
            st.button("Stop", icon=":material/stop_circle:", disabled=True, key=f"stop-{job.config.key}",
                      width="stretch", help=NOT_YOURS)
        else:
            st.button("Stop", icon=":material/stop_circle:", on_click=_stop, args=(job, on_stop or job.stop),
                      key=f"stop-{job.config.key}", width="stretch", help=STOP_HELP)
    if not mine and not snap.stopping and not snap.testing:
        st.caption(NOT_YOURS)


@st.fragment(run_every=REFRESH_SECONDS)
def live(config: training.TrainConfig) -> None:
    """Progress, Stop, the live chart and the learning pictures of a queued or running job, redrawn every second."""
    with errors.shown_in_words():
        job = training.find_job(config)
        if job is None:
            return
        snap = job.snapshot()
        if snap.finished:
            st.rerun()  # the whole page: the results take the live view's place
        if snap.state == "queued":
            waiting_in_line(job)
            return
        progress_row(job, snap, snap.fraction, progress_words(snap, developer=not presenter.active()))
        # Nothing after the story: the results replace it in place, and a leftover element here would push
        # their chart down while the page redraws (the loss curve is in the results' Details).
        story(config, snap.batches, snap.epochs, snap.learning)
