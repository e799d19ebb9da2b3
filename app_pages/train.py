"""Train: pick a network, train it, and watch it learn; the chart stays in view from Start to the results."""

import streamlit as st

from mnist_core import training
from ui import train_view

train_view.page_style()
st.title("Train a network")

config = train_view.settings()
job = train_view.existing_job(config)
snap = job.snapshot() if job else None
if snap is None or snap.state != "queued":  # a queued job's own view says what it waits for
    train_view.other_jobs(config)

if snap is not None and snap.state == "failed":
    train_view.failure(snap)
if snap is None or snap.state == "failed":
    train_view.introduce(config)
if snap is None or snap.state in ("stopped", "failed"):
    # Started here, with this run's settings (a click sends them along), then drawn again as running.
    if st.button("Start training", type="primary", icon=":material/play_arrow:",
                 help="Train this network with these settings; the chart below shows it learning."):
        training.start_training(config)
        st.rerun()
elif not snap.finished:
    train_view.live(config)
if snap is not None and snap.finished and snap.result is not None:
    train_view.results(snap)
