"""Slow motion: a training's live view at a pace an audience can follow, however fast the real training is.

A quick preset reaches 99% in a few seconds and the smallest runs end in one: over before anyone has seen the
chart draw itself or the 20 test digits turn from wrong to right. When this session chose slow motion (on by
default when presenting), Start notes the moment in the session, and the view shows the snapshot
`snapshots.paced` picks: each snapshot planned for the run gets an equal share of SECONDS, and none is shown
before the real training has taken it. The clock starts once the job has its first snapshot (not while it waits
in line or builds its network). When the job ends first, the same view goes on from the recording saved beside
the model, on the same clock, and the results come only after it; a run slower than SECONDS is simply shown as
it goes once they are over. Stop ends slow motion too: whoever presses it wants the result.
"""

from __future__ import annotations

import time

import streamlit as st

from mnist_core import snapshots, training
from ui import errors
from ui.train_live import progress_row, waiting_in_line
from ui.train_story import curve_points, points_upto, story
from ui.train_words import took_words

SECONDS = 15.0  # a slow-motion view lasts at least this long
FRAME_SECONDS = 0.5  # how often it moves on: about one snapshot per frame (40 planned in 15 s)
HEADING = ":material/slow_motion_video: **Slow motion**: how often it is right"  # one line at 1366x768
SKIP_HELP = "Show the result now."


def _key(config: training.TrainConfig) -> str:
    return f"slow-motion-started-{config.key}"


def begin(config: training.TrainConfig) -> None:
    """Start (or start again) this session's slow-motion clock for the training of `config`."""
    st.session_state[_key(config)] = time.monotonic()


def end(config: training.TrainConfig) -> None:
    """Stop the slow motion: the view follows the real training again, or shows the results."""
    st.session_state.pop(_key(config), None)


def seconds_in(config: training.TrainConfig) -> float | None:
    """Seconds since this session's slow motion of `config` began; None when it is not in slow motion."""
    started = st.session_state.get(_key(config))
    return None if started is None else time.monotonic() - started


def running(config: training.TrainConfig) -> bool:
    """Whether this session's slow motion of `config` still plays (its last frame stays for a moment)."""
    seconds = seconds_in(config)
    return seconds is not None and seconds < SECONDS + FRAME_SECONDS


def words(shown: snapshots.Snapshot, total_steps: int, snap: training.Progress) -> str:
    """The progress bar's line: how far the slow motion is, and what the real training did meanwhile."""
    where = f"Slow motion: {shown.step / max(1, total_steps):.0%} of the way"
    took = took_words(snap.elapsed)
    if snap.finished:
        return f"{where} · the real training took {took}"
    return f"{where} · the real training: {snap.fraction:.0%} done in {took}"


def _stop(job: training.TrainingJob) -> None:
    end(job.config)
    job.stop()


@st.fragment(run_every=FRAME_SECONDS)
def live(config: training.TrainConfig) -> None:
    """A queued or running job in slow motion: the snapshot the pace has reached, or the real one if behind."""
    with errors.shown_in_words():
        job = training.find_job(config)
        if job is None:
            return
        snap = job.snapshot()
        if snap.state == "queued":
            begin(config)  # the clock waits with the job
            waiting_in_line(job)
            return
        if snap.finished or not running(config):
            st.rerun()  # the whole page: slow motion goes on from the recording, or the plain live view follows
        if not snap.learned:
            begin(config)  # nothing to show yet: the clock starts with the first picture
            progress_row(job, snap, 0.0, "Slow motion: getting ready…", on_stop=lambda: _stop(job))
            story(config, [], [], None, heading=HEADING)
            return
        shown = snapshots.paced(snap.learned, snap.total_steps, seconds_in(config) or 0.0, SECONDS)
        batches, epochs = points_upto(snap.batches, snap.epochs, shown)
        progress_row(job, snap, shown.step / max(1, snap.total_steps), words(shown, snap.total_steps, snap),
                     on_stop=lambda: _stop(job), on_skip=lambda: end(config))
        story(config, batches, epochs, shown, heading=HEADING)


@st.fragment(run_every=FRAME_SECONDS)
def after_the_run(snap: training.Progress, recording: snapshots.Recording) -> None:
    """A job that finished before its slow motion did: the rest of it, from the recording beside the model."""
    with errors.shown_in_words():
        config = snap.config
        if not running(config):
            end(config)
            st.rerun()  # the whole page: now the results
        shown = snapshots.paced(recording.snapshots, recording.total_steps, seconds_in(config) or 0.0, SECONDS)
        batches, epochs = curve_points(recording, shown)
        # Laid out as the live view was (Skip in Stop's place), so nothing moves when the job ends.
        bar_col, skip_col = st.columns([4, 1.3], vertical_alignment="bottom")
        bar_col.progress(min(1.0, shown.step / max(1, recording.total_steps)),
                         text=words(shown, recording.total_steps, snap))
        skip_col.button("Skip", icon=":material/skip_next:", on_click=end, args=(config,),
                        key=f"skip-{config.key}", width="stretch", help=SKIP_HELP)
        story(config, batches, epochs, shown, heading=HEADING)
