"""The network at work: every zoo network's stages from one forward pass, and what one map looks for."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_core import inspection, layer_trace
from mnist_core.errors import MnistStudioError
from mnist_core.models import ZOO, BuildOptions


def build(name: str):
    spec = ZOO[name]
    return spec.build(BuildOptions(learning_rate=spec.defaults.learning_rate, steps_per_epoch=10, total_steps=10))


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    digit, label = inspection.test_digit(0)
    assert label == 7
    return digit


# name -> the stages after the input: (kind, count) per stage
EXPECTED = {
    "softmax": [("evidence", 10)],
    "mlp": [("units", 500)],
    "deepnn": [("maps", 32), ("maps", 64), ("units", 1024)],
    "keras_cnn": [("maps", 32), ("maps", 64), ("maps", 64), ("units", 64)],
    "fast": [("maps", 32), ("maps", 64), ("maps", 96), ("units", 128)],
    "best": [("maps", 32), ("maps", 32), ("maps", 64), ("maps", 64), ("maps", 128)],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_zoo_network_shows_its_input_then_each_learning_layer(name, seven):
    stages = layer_trace.stages(build(name), seven)
    assert stages[0].kind == "input" and stages[0].values.shape == (28, 28) and stages[0].number == 0
    np.testing.assert_array_equal(stages[0].values, seven)
    assert [(stage.kind, stage.count) for stage in stages[1:]] == EXPECTED[name]
    assert [stage.number for stage in stages[1:]] == list(range(1, len(stages)))
    for stage in stages[1:]:
        if stage.kind != "evidence":
            assert stage.values.min() >= 0, "what the next layer reads: after the ReLU"
        assert 0 <= stage.strongest() < stage.count


def test_a_conv_stage_is_the_layer_after_its_relu_as_the_inside_page_shows_it(seven):
    model = build("keras_cnn")
    first = layer_trace.stages(model, seven)[1]
    expected = inspection.activations(model, seven)[0]
    assert first.layer == expected.layer == "conv1"
    np.testing.assert_allclose(first.values, expected.maps, atol=1e-5)
    assert first.strongest() == int(expected.maps.reshape(32, -1).max(axis=1).argmax())


def test_batch_norm_and_relu_after_a_conv_are_part_of_its_stage():
    layers = dict(layer_trace.shown_layers(build("fast")))
    assert layers["conv1"] == "conv1_relu" and layers["dense"] == "dense"
    assert "logits" not in layers, "the ten scores are the answer, not a stage"


def test_softmax_shows_where_the_ink_counts_for_each_digit(seven):
    model = build("softmax")
    evidence = layer_trace.stages(model, seven)[1]
    templates = inspection.dense_templates(model)
    np.testing.assert_allclose(evidence.values, templates * seven[None], atol=1e-6)
    assert evidence.strongest() == int(evidence.values.reshape(10, -1).sum(axis=1).argmax())


def test_the_probe_is_built_once_per_model(seven):
    model = build("keras_cnn")
    layer_trace.stages(model, seven)
    probe = layer_trace._probe(model)
    layer_trace.stages(model, seven)
    assert layer_trace._probe(model) is probe


def test_a_digit_of_the_wrong_shape_is_refused_in_words():
    with pytest.raises(MnistStudioError, match="28 x 28"):
        layer_trace.stages(build("softmax"), np.zeros((20, 20)))


def test_favourites_are_the_test_digits_a_map_responds_to_most(seven):
    model = build("keras_cnn")
    images = (np.random.default_rng(0).random((60, 28, 28)) * 255).astype(np.uint8)
    images[17] = (seven * 255).astype(np.uint8)
    found = layer_trace.favourites(model, "conv1", 3, images, k=5)
    responses = inspection.activations(model, images[0] / 255.0)  # one digit, to check the scale matches
    assert found.images.shape == (5, 28, 28) and found.images.max() <= 1.0
    assert list(found.strengths) == sorted(found.strengths, reverse=True)
    assert found.positions.shape == (5, 2) and (found.positions >= 0).all() and (found.positions < 26).all()
    assert responses[0].maps[3].max() <= found.strengths[0] + 1e-5
    dense = layer_trace.favourites(model, "dense", 0, images, k=3)
    assert dense.positions is None and dense.images.shape == (3, 28, 28)


def test_favourites_of_a_layer_or_map_that_is_not_there_are_refused_in_words():
    model = build("keras_cnn")
    images = np.zeros((4, 28, 28), np.uint8)
    with pytest.raises(MnistStudioError, match="no layer"):
        layer_trace.favourites(model, "nothing", 0, images)
    with pytest.raises(MnistStudioError, match="32 channels"):
        layer_trace.favourites(model, "conv1", 32, images)
