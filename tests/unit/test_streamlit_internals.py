"""Streamlit's private parts that ui/streamlit_internals.py leans on: a Streamlit without one fails here, loudly,
instead of silently slowing the pages or resetting Keras under a training."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import streamlit
from streamlit.runtime.scriptrunner import script_runner

from ui import runtime, streamlit_internals

UI = Path(__file__).resolve().parents[2] / "ui"


def test_streamlit_still_has_the_cleanup_hook_the_app_replaces():
    assert callable(getattr(script_runner, streamlit_internals.CLEANUP_HOOK, None))


def test_streamlit_still_keeps_a_new_request_where_a_waiting_page_looks_for_it():
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

    requests = ScriptRequests()
    assert getattr(requests, streamlit_internals.REQUESTS_STATE).name == "CONTINUE"
    requests.request_rerun(RerunData())
    assert getattr(requests, streamlit_internals.REQUESTS_STATE).name == "RERUN"


def test_every_element_the_styles_name_still_exists_in_streamlits_frontend():
    """The pages' CSS names Streamlit's elements by their data-testid: each must still be in its frontend."""
    named = {name for path in UI.glob("*.py") for name in re.findall(r'data-testid=\\?"(st\w+)\\?"', path.read_text())}
    assert {"stMainBlockContainer", "stImage", "stExpandSidebarButton"} <= named
    bundle = " ".join(path.read_text(errors="ignore")
                      for path in (Path(streamlit.__file__).parent / "static").rglob("*.js"))
    missing = sorted(name for name in named if not re.search(rf"\b{name}\b", bundle))
    assert not missing, f"Streamlit's frontend no longer has {missing}: update the CSS in ui/"


def test_the_hook_is_replaced_when_streamlit_has_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(script_runner, streamlit_internals.CLEANUP_HOOK, lambda: None, raising=False)
    runtime.keep_keras_state()
    assert getattr(script_runner, streamlit_internals.CLEANUP_HOOK) is runtime._close_figures


def test_a_missing_hook_is_logged_once(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.delattr(script_runner, streamlit_internals.CLEANUP_HOOK, raising=False)
    streamlit_internals._missing.cache_clear()
    with caplog.at_level(logging.WARNING, logger=streamlit_internals.__name__):
        assert not streamlit_internals.replace_run_cleanup(lambda: None)
        runtime.keep_keras_state()
    warnings = [record for record in caplog.records if streamlit_internals.CLEANUP_HOOK in record.getMessage()]
    assert len(warnings) == 1 and "reset Keras" in warnings[0].getMessage()


def rerun_page():
    import streamlit as st

    from ui import streamlit_internals

    st.session_state["seen"] = streamlit_internals.rerun_requested()


def test_a_page_not_asked_to_rerun_is_not_drawn_again():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(rerun_page).run()
    assert not at.exception and at.session_state["seen"] is False
