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

import functools
import logging
import sys

from streamlit.runtime.scriptrunner import script_runner

log = logging.getLogger(__name__)

# Streamlit's cleanup hook; a private name, so a Streamlit without it is left as it is.
_HOOK = "_clean_problem_modules"


def _close_figures() -> None:
    """The rest of Streamlit's cleanup: close matplotlib figures, should anything have drawn one."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state() -> None:
    """Replace Streamlit's post-run cleanup with one that leaves Keras alone (safe to call on every run)."""
    if hasattr(script_runner, _HOOK):
        setattr(script_runner, _HOOK, _close_figures)
    else:
        _warn_hook_missing()


@functools.cache  # once per process, not on every script run
def _warn_hook_missing() -> None:
    log.warning("Streamlit has no %s.%s any more, so it may reset Keras after every script run and slow "
                "or break training in the background. Check ui/runtime.py against this Streamlit version.",
                script_runner.__name__, _HOOK)
