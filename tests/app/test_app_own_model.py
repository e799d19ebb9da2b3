"""Bring your own model in the app: uploaded in the sidebar, used on Draw & Upload and Inside, this session only."""

from __future__ import annotations

import keras
from conftest import digit_png

from ui import own_model_view


def reader_file(tmp_path) -> bytes:
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    x = keras.layers.Flatten()(x)
    path = tmp_path / "upload.keras"
    keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x)).save(path)
    return path.read_bytes()


def test_an_uploaded_model_reads_drawings_here_and_nowhere_else(app, tmp_path):
    at = app().run()
    at.sidebar.file_uploader(key=own_model_view.UPLOAD_KEY).set_value(
        [("classroom-net.keras", reader_file(tmp_path), "application/octet-stream")]).run()
    assert not at.exception and not at.error
    picked = at.sidebar.selectbox[0]
    label = picked.format_func(picked.value)
    assert label.startswith("classroom-net") and label.endswith("your own model")
    assert any("Your own model, uploaded" in caption.value for caption in at.sidebar.caption)
    at.switch_page("app_pages/draw.py").run()
    at.main.file_uploader[0].set_value([("three.png", digit_png(3), "image/png")]).run()
    assert not at.exception
    # An untrained network: it reads the 3, or says in words that it is not sure; either way its own answer.
    assert any("three.png" in markdown.value for markdown in at.main.markdown)
    at.switch_page("app_pages/inside.py").run()
    assert not at.exception
    other = app().run()
    assert not any("your own model" in option for option in other.sidebar.selectbox[0].options)  # shown labels


def test_a_file_that_is_no_reader_is_explained_and_the_model_in_use_stays(app, tmp_path):
    at = app().run()
    before = at.sidebar.selectbox[0].value
    at.sidebar.file_uploader(key=own_model_view.UPLOAD_KEY).set_value(
        [("notes.keras", b"these are notes, not a model", "application/octet-stream")]).run()
    assert not at.exception
    assert at.sidebar.selectbox[0].value == before
    assert any("is not a Keras model file" in error.value for error in at.sidebar.error)
