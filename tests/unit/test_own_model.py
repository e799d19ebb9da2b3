"""Bring your own model: a visitor's .keras file is checked, calibrated and stored; anything else is refused in words."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from mnist_core import own_model, store
from mnist_core.errors import ModelFileError
from mnist_core.inference import load_reader
from mnist_core.prediction import predict


def saved(model: keras.Model, tmp_path, name: str = "mine.keras") -> bytes:
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


def small_reader(last: str = "softmax", shape: tuple = (28, 28, 1)) -> keras.Model:
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=shape)
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(10, activation=last)(x))


def test_a_keras_reader_is_stored_calibrated_and_reads_digits(tmp_path):
    stored = own_model.store_upload(saved(small_reader(), tmp_path), "My net (v2).keras", tmp_path / "session")
    assert stored.path.parent == tmp_path / "session" and stored.path.name == "My-net-v2.keras"
    again = store.verify(stored.path)
    assert again.meta.extra[own_model.UPLOADED] == "My net (v2).keras"
    assert again.meta.temperature and again.meta.calibration.fitted_on == own_model.FITTED_ON
    assert 0.0 <= again.meta.test_accuracy <= 1.0 and again.meta.params == small_reader().count_params()
    prediction = predict(np.zeros((28, 28), np.uint8), load_reader(stored.path), multi=False)
    assert prediction.error is not None  # a blank picture: no digit, said in words, from the uploaded model


@pytest.mark.parametrize("model, words", [
    (lambda: small_reader(last="linear"), "softmax"),
    (lambda: small_reader(shape=(32, 32, 1)), "28 x 28 x 1"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Lambda(lambda x: x * 2),
                               keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]), "Lambda"),
])
def test_models_this_app_cannot_read_with_are_refused_in_words(model, words, tmp_path):
    with pytest.raises(ModelFileError, match=words):
        own_model.store_upload(saved(model(), tmp_path), "theirs.keras", tmp_path / "session")
    assert not (tmp_path / "session").exists() or not list((tmp_path / "session").glob("*.keras"))


def test_files_that_are_no_keras_model_or_too_big_are_refused_before_keras_opens_them(tmp_path, monkeypatch):
    with pytest.raises(ModelFileError, match="not a Keras model file"):
        own_model.store_upload(b"PK not really a zip", "x.keras", tmp_path)
    with pytest.raises(ModelFileError, match="not a Keras model file"):
        own_model.store_upload(saved(small_reader(), tmp_path), "weights.h5", tmp_path)
    monkeypatch.setattr(own_model, "MAX_BYTES", 1000)
    with pytest.raises(ModelFileError, match="MB can be used"):
        own_model.store_upload(saved(small_reader(), tmp_path), "big.keras", tmp_path)


def test_a_name_is_never_a_path():
    assert own_model._stem("../../etc/passwd.keras") == "passwd"
    assert own_model._stem("....keras") == "model"
