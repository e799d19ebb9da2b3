"""Stop Streamlit from resetting Keras after every script run.

Streamlit calls keras.backend.clear_session() after each script run, which in
this app means every live-chart tick of every watching browser. That call
swaps out Keras' per-thread state for all threads, empties TensorFlow's kernel
cache and forces a full garbage collection. A training job runs in a
background thread of this same process, so the reset pulls its state from
under it mid-step (bfloat16 training then fails with a dtype error) and slows
training many times over. Models here are loaded once and shared through
st.cache_resource; there is nothing for the reset to clean up.
"""

from __future__ import annotations

import sys

from ui import streamlit_internals


def _close_figures() -> None:
    """The rest of Streamlit's cleanup: close matplotlib figures, should anything have drawn one."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state() -> None:
    """Replace Streamlit's post-run cleanup with one that leaves Keras alone (safe to call on every run)."""
    streamlit_internals.replace_run_cleanup(_close_figures)
