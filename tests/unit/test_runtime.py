"""The Streamlit patch that keeps Keras' state says so in the log when the hook it replaces is gone."""

from __future__ import annotations

import logging

import pytest
from streamlit.runtime.scriptrunner import script_runner

from ui import runtime


def test_the_hook_is_replaced_when_streamlit_has_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(script_runner, runtime._HOOK, lambda: None, raising=False)
    runtime.keep_keras_state()
    assert getattr(script_runner, runtime._HOOK) is runtime._close_figures


def test_a_missing_hook_is_logged_once(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.delattr(script_runner, runtime._HOOK, raising=False)
    runtime._warn_hook_missing.cache_clear()
    with caplog.at_level(logging.WARNING, logger=runtime.__name__):
        runtime.keep_keras_state()
        runtime.keep_keras_state()
    warnings = [record for record in caplog.records if runtime._HOOK in record.getMessage()]
    assert len(warnings) == 1 and "reset Keras" in warnings[0].getMessage()
