"""Train: pick a network, see what it learns from, train it, and watch it learn; the chart stays in view from
Start to the results."""

import streamlit as st

from ui import slow_motion, train_live, train_results, train_settings, what_if_view

train_settings.page_style()
st.title("Train a network")

config = train_settings.settings()
job = train_settings.existing_job(config)
snap = job.snapshot() if job else None
if snap is None or snap.state != "queued":  # a queued job's own view says what it waits for
    train_live.other_jobs(config)

if snap is not None and snap.state == "failed":
    train_live.failure(snap)
if snap is None or snap.state == "failed":
    train_settings.introduce(config)
    train_settings.what_it_studies(config)
if snap is None or snap.state in ("stopped", "failed"):
    train_settings.start(config)  # started here with this run's settings, then drawn again as running
elif not snap.finished and slow_motion.running(config):
    slow_motion.live(config)
elif not snap.finished:
    train_live.live(config)
if snap is not None and snap.finished and snap.result is not None:
    train_results.results(snap)
if snap is None or snap.finished:  # while it learns, the story has the page to itself
    what_if_view.section(config)
