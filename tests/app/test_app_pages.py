"""Every page renders in a Streamlit session without an exception, with the bundled model or without one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mnist_core import store
from mnist_core.paths import BUNDLED_MODEL
from ui import models

PAGES = ["app_pages/train.py", "app_pages/draw.py", "app_pages/inside.py"]


def visit(at, page: str):
    return at.switch_page(page).run()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(app, page):
    at = app().run()
    visit(at, page)
    assert not at.exception
    assert not at.error
    assert at.sidebar.selectbox[0].label == "Read digits with"
    assert at.sidebar.metric[0].label == "Test digits read right"


def test_titles_and_contract_widgets(app):
    at = app().run()
    assert at.title[0].value == "Train a network"
    assert any(button.label == "Start training" for button in at.button)
    visit(at, "app_pages/draw.py")
    assert at.title[0].value == "Draw & Upload"
    prediction = next(metric for metric in at.metric if metric.label == "Prediction")
    assert prediction.value == "—", "an empty canvas shows a prompt, not an error"
    assert at.info and not at.error
    visit(at, "app_pages/inside.py")
    assert at.title[0].value == "Inside the model"
    assert [subheader.value for subheader in at.subheader] == ["Your digit, step by step"]


@pytest.fixture(params=["missing", "corrupt"])
def broken_bundled_model(request, monkeypatch, tmp_path: Path) -> None:
    """The bundled model gone or damaged, and no trained model to fall back on."""
    target = tmp_path / "default.keras"
    if request.param == "corrupt":
        shutil.copy(BUNDLED_MODEL, target)
        shutil.copy(store.sidecar_path(BUNDLED_MODEL), store.sidecar_path(target))
        with open(target, "r+b") as handle:
            handle.seek(100)
            handle.write(b"damaged")
    monkeypatch.setattr(store, "BUNDLED_MODEL", target)
    monkeypatch.setattr(models, "BUNDLED_MODEL", target)
    monkeypatch.setenv("MNIST_STUDIO_HOME", str(tmp_path / "empty-home"))


@pytest.mark.parametrize("page", PAGES)
def test_without_a_usable_model_every_page_says_how_to_fix_it(app, broken_bundled_model, page):
    at = app().run()
    visit(at, page)
    assert not at.exception
    messages = " ".join(error.value for error in at.error)
    assert models.FIX_BUNDLED in messages
    assert "Traceback" not in messages


def test_script_runs_leave_keras_alone(app, monkeypatch):
    """A reset after each run would break training jobs running in this process (see ui/runtime.py)."""
    import keras

    resets = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: resets.append(1))
    at = app().run()
    at.switch_page("app_pages/inside.py").run()
    assert not at.exception
    assert resets == []


def test_no_legacy_pages_folder():
    """A pages/ folder beside app.py switches Streamlit to its legacy multipage mode for the first visit
    after a server start: a deep link such as /draw-and-upload then showed "Page not found" first."""
    assert not (Path(__file__).resolve().parents[2] / "pages").exists(), "keep the page scripts in app_pages/"
