"""Looking inside models: every zoo network yields its table, filters, maps or templates, and attention."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_core import inspect
from mnist_core.errors import MnistStudioError
from mnist_core.models import ZOO, BuildOptions
from mnist_core.store import load_model

CONV_MODELS = ["deepnn", "keras_cnn", "fast", "best"]
DENSE_MODELS = ["softmax", "mlp"]


def untrained(name: str):
    spec = ZOO[name]
    return spec.build(BuildOptions(learning_rate=spec.defaults.learning_rate, steps_per_epoch=10, total_steps=10))


@pytest.fixture(scope="module")
def bundled():
    return load_model()[0]


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    digit, label = inspect.test_digit(0)
    assert label == 7
    return digit


@pytest.mark.parametrize("name", list(ZOO))
def test_architecture_lists_every_layer_with_its_parameters(name):
    model = untrained(name)
    rows = inspect.architecture(model)
    assert [row.name for row in rows] == [layer.name for layer in model.layers]
    assert sum(row.params for row in rows) == ZOO[name].params
    assert rows[-1].output_shape == "10" and rows[-1].role == "turns scores into probabilities"
    assert all(row.role for row in rows), "every layer is explained in plain words"


@pytest.mark.parametrize("name", CONV_MODELS)
def test_every_conv_layer_has_filters_and_activation_maps(name, seven):
    model = untrained(name)
    banks, maps = inspect.filters(model), inspect.activations(model, seven)
    assert [bank.layer for bank in banks] == [feature.layer for feature in maps] == inspect.conv_layer_names(model)
    for bank, feature in zip(banks, maps):
        layer = model.get_layer(bank.layer)
        assert bank.weights.shape == (layer.filters, *layer.kernel_size)
        assert feature.maps.shape[0] == layer.filters
        assert feature.maps.min() >= 0, "maps are shown after the ReLU"


@pytest.mark.parametrize("name", DENSE_MODELS)
def test_dense_models_show_their_first_layer_as_templates(name):
    model = untrained(name)
    assert inspect.conv_layer_names(model) == [] and inspect.activations(model, np.zeros((28, 28))) == []
    templates = inspect.dense_templates(model)
    assert templates.shape == (model.layers[2].units, 28, 28)


def test_dense_templates_refuse_a_model_whose_dense_layer_does_not_read_pixels():
    with pytest.raises(MnistStudioError, match="does not read the pixels"):
        inspect.dense_templates(untrained("keras_cnn"))


def test_occlusion_lights_up_the_strokes_not_the_empty_background(bundled, seven):
    heat = inspect.occlusion(bundled, seven)
    assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() == pytest.approx(1.0)
    # A black patch over black background changes nothing: far from the ink there is no heat.
    ink = seven > 0.1
    ys, xs = np.nonzero(ink)
    far = np.ones((28, 28), bool)
    reach = inspect.OCCLUSION_PATCH
    far[max(0, ys.min() - reach):ys.max() + reach + 1, max(0, xs.min() - reach):xs.max() + reach + 1] = False
    assert far.any() and np.all(heat[far] == 0)
    assert heat[ink].mean() > 0.1


def test_probabilities_read_the_test_digit(bundled, seven):
    scores = inspect.probabilities(bundled, seven)
    assert scores.shape == (10,) and scores.sum() == pytest.approx(1.0, abs=1e-4)
    assert scores.argmax() == 7


def test_a_digit_of_the_wrong_shape_is_refused(bundled):
    with pytest.raises(MnistStudioError, match="28 x 28"):
        inspect.probabilities(bundled, np.zeros((32, 32)))


def test_test_digits_wrap_around_and_are_scaled():
    digit, label = inspect.test_digit(10_000)
    first, first_label = inspect.test_digit(0)
    assert label == first_label and np.array_equal(digit, first)
    assert digit.dtype == np.float32 and 0 <= digit.min() and digit.max() <= 1
