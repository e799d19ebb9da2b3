"""Presenter mode hides the developer widgets and enlarges the type; normal mode keeps them."""

from __future__ import annotations

import pytest

from ui import presenter

DEVELOPER_WIDGETS = ("batch-fast", "rate-fast")  # the Train page's raw hyperparameters
AUDIENCE_WIDGETS = ("epochs-fast", "slice-fast")


def widget_keys(at) -> set[str]:
    return {widget.key for kind in ("number_input", "selectbox", "select_slider") for widget in at.get(kind)}


def presenting_style(at) -> bool:
    return any("font-size" in element.proto.body for element in at.get("html"))


def test_normal_mode_shows_the_developer_widgets(app, monkeypatch):
    monkeypatch.delenv(presenter.ENV_VAR, raising=False)
    at = app().run()
    assert not at.exception
    assert {*DEVELOPER_WIDGETS, *AUDIENCE_WIDGETS} <= widget_keys(at)
    assert not presenting_style(at)


def test_presenter_mode_from_the_environment_hides_them(app, monkeypatch):
    monkeypatch.setenv(presenter.ENV_VAR, "1")
    at = app().run()
    assert not at.exception and not at.error
    keys = widget_keys(at)
    assert not set(DEVELOPER_WIDGETS) & keys
    assert set(AUDIENCE_WIDGETS) <= keys, "how long to train stays: it is part of the story"
    assert any(button.label == "Start training" for button in at.button)
    assert presenting_style(at)


@pytest.mark.parametrize("value, hidden", [("1", True), ("0", False)])
def test_the_address_turns_it_on_or_off_for_the_whole_session(app, monkeypatch, value, hidden):
    monkeypatch.setenv(presenter.ENV_VAR, "0" if hidden else "1")  # the address wins over the server
    at = app()
    at.query_params[presenter.QUERY_PARAM] = value
    at.run()
    assert bool(set(DEVELOPER_WIDGETS) & widget_keys(at)) is not hidden
    # Streamlit drops the query parameter on a page change; the session remembers it.
    at.query_params.clear()
    at.switch_page("app_pages/draw.py").run()
    assert presenting_style(at) is hidden
    at.switch_page("app_pages/train.py").run()
    assert bool(set(DEVELOPER_WIDGETS) & widget_keys(at)) is not hidden
    assert not at.exception
