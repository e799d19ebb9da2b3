"""Streamlit's private parts this app leans on, in one place: each with why, and the public way it waits for.

tests/unit/test_streamlit_internals.py fails loudly on a Streamlit version that lacks one of them; until then
each use degrades to Streamlit's own behaviour and says so once in the server's log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

# Streamlit's hook that cleans up after every script run (it calls keras.backend.clear_session()). Why: a
# training thread shares this process, and the reset pulls Keras' state from under it. Waits for: a public
# setting to leave Keras alone.
CLEANUP_HOOK = "_clean_problem_modules"
# The field of ScriptRequests that says whether a newer run was asked for. Why: a page that waits (answers
# first) must notice its person drew again; Streamlit stops a run only at its next element. Waits for: a
# public "rerun requested" flag on the script run context.
REQUESTS_STATE = "_state"


def replace_run_cleanup(cleanup: Callable[[], None]) -> bool:
    """Run `cleanup` after every script run instead of Streamlit's own; False (and a log line) without the hook."""
    from streamlit.runtime.scriptrunner import script_runner

    if not hasattr(script_runner, CLEANUP_HOOK):
        _missing(f"script_runner.{CLEANUP_HOOK}", "Streamlit may reset Keras after every script run and slow or "
                                                  "break training in the background")
        return False
    setattr(script_runner, CLEANUP_HOOK, cleanup)
    return True


def rerun_requested() -> bool:
    """Whether this page's person changed something since its run began (a new drawing, a click).

    False outside a page's run, and (with a log line) on a Streamlit without the field: a waiting page then
    waits its full time."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    requests = getattr(get_script_run_ctx(suppress_warning=True), "script_requests", None)
    if requests is None:  # not in a page's run (a test calling the helpers)
        return False
    state = getattr(requests, REQUESTS_STATE, None)
    if state is None:
        _missing(f"ScriptRequests.{REQUESTS_STATE}", "a page waiting for other people's answers cannot see that "
                                                      "its own person drew again")
        return False
    return getattr(state, "name", "CONTINUE") != "CONTINUE"


@functools.cache  # once per process, not on every script run
def _missing(name: str, effect: str) -> None:
    log.warning("Streamlit has no %s any more: %s. Check ui/streamlit_internals.py against this Streamlit version.",
                name, effect)
