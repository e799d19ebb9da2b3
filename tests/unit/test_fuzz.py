"""Hostile input, generated (hypothesis): image bytes, arrays and training settings never end in a traceback.

Whatever comes in, the library answers with a Prediction (a digit, or an error in words) or a MnistStudioError,
and the CLI with a one-line error; the counts of what was tried are in docs/reliability.md.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from mnist_core import cli, prediction, training
from mnist_core.config import LIMITS
from mnist_core.inference import load_reader
from mnist_core.errors import TrainingError
from mnist_core.training import TrainConfig

EXAMPLES = 1000  # per test: about half a minute for all five on 2 cores
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)


@pytest.fixture(scope="module")
def model():
    return load_reader()


def png(width: int, height: int, mode: str, seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, len(mode)), np.uint8)
    image = Image.fromarray(pixels.squeeze(-1) if mode == "L" else pixels, mode)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def answered(result) -> None:
    """A reading is a digit with probabilities, or an error in words: never both missing."""
    assert isinstance(result, prediction.Prediction)
    assert (result.error is None) != (result.digit is None) or result.error
    if result.error is not None:
        assert isinstance(result.error, str) and "Traceback" not in result.error


@FUZZ
@given(data=st.binary(max_size=4096))
def test_any_bytes(model, data):
    answered(prediction.predict(data, model))


@FUZZ
@given(width=st.integers(1, 300), height=st.integers(1, 300), mode=st.sampled_from(["L", "RGB", "RGBA"]),
       seed=st.integers(0, 2**16), cut=st.integers(0, 400), flip=st.integers(0, 400))
def test_real_pictures_cut_or_flipped(model, width, height, mode, seed, cut, flip):
    data = bytearray(png(width, height, mode, seed))
    if flip < len(data):
        data[flip] ^= 0xFF
    answered(prediction.predict(bytes(data[: len(data) - cut] if cut < len(data) else data), model))


ARRAY_DTYPES = st.sampled_from([np.uint8, np.int16, np.int64, np.float16, np.float32, np.float64, np.bool_])


@FUZZ
@given(shape=st.lists(st.integers(0, 64), min_size=0, max_size=4), dtype=ARRAY_DTYPES,
       fill=st.sampled_from(["random", "nan", "inf", "huge", "zero"]), seed=st.integers(0, 2**16))
def test_any_array(model, shape, dtype, fill, seed):
    values = np.random.default_rng(seed).uniform(-1e3, 1e3, shape)
    values = {"random": values, "nan": np.full(shape, np.nan), "inf": np.full(shape, np.inf),
              "huge": np.full(shape, 1e30), "zero": np.zeros(shape)}[fill]
    with np.errstate(all="ignore"):
        array = values.astype(dtype)
    answered(prediction.predict(array, model))


ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                     st.text(max_size=8), st.lists(st.integers(), max_size=2), st.decimals(allow_nan=True))


@FUZZ
@given(model_name=st.one_of(st.sampled_from(["softmax", "fast", "keras_cnn", "mlp", "deepnn", "best"]), ANYTHING),
       epochs=ANYTHING, batch_size=ANYTHING, learning_rate=ANYTHING, limit=ANYTHING, seed=ANYTHING)
def test_any_training_settings_are_refused_in_words_or_fit_the_limits(model_name, epochs, batch_size,
                                                                      learning_rate, limit, seed):
    try:
        config = TrainConfig(model=model_name, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                             limit=limit, seed=seed)
    except TrainingError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for name, allowed in LIMITS.items():  # accepted: every value in its range
        value = getattr(config, name)
        assert value is None or allowed.problem(name, value) is None
    assert math.isfinite(config.cpu_seconds)


@FUZZ
@given(flag=st.sampled_from(["--epochs", "--limit", "--batch-size", "--learning-rate", "--seed", "--model"]),
       value=st.text(max_size=12))
def test_any_cli_setting_is_a_one_line_error_or_a_training_asked_for(flag, value):
    import contextlib

    asked = []

    def refuse(config, owner=None):  # never train here: record what was asked and answer like a full line
        asked.append(config)
        raise TrainingError("The line is full.")

    err = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        patch.setattr(training, "start_training", refuse)
        try:
            code = cli.main(["train", flag, value, "--json"] if flag != "--model" else ["train", "--model", value])
        except SystemExit as exit_:
            code = exit_.code
    said = err.getvalue()
    assert code != 0 and "Traceback" not in said
    assert said.count("\n") == 1 and said.startswith("error: "), said
    assert all(isinstance(config, TrainConfig) for config in asked)
