"""Train: pick a network from the classic tutorials, train it, and watch it learn."""

import streamlit as st

from mnist_core import training
from ui import train_view

st.title("Train a network")
st.caption("Choose a network and how long to train it. The chart shows it learning, batch by batch.")

config = train_view.settings()
job = train_view.existing_job(config)
snap = job.snapshot() if job else None
if snap is None or snap.state != "queued":  # a queued job's own view says what it waits for
    train_view.other_jobs(config)

if snap is not None and snap.state == "failed":
    train_view.failure(snap)
if snap is None or snap.state in ("stopped", "failed"):
    # Started here, with this run's settings (a click sends them along), then drawn again as running.
    if st.button("Start training", type="primary", icon=":material/play_arrow:"):
        training.start_training(config)
        st.rerun()
elif not snap.finished:
    train_view.live(config)
if snap is not None and snap.finished and snap.result is not None:
    train_view.results(snap)
