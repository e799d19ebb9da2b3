"""Looking inside models: every zoo network yields its table, filters, maps or templates, and attention."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_core import inspection
from mnist_core.errors import MnistStudioError
from mnist_core.models import ZOO, BuildOptions
from mnist_core.inference import Reader, load_reader
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
def reader():
    return load_reader()


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    digit, label = inspection.test_digit(0)
    assert label == 7
    return digit


@pytest.mark.parametrize("name", list(ZOO))
def test_architecture_lists_every_layer_with_its_parameters(name):
    model = untrained(name)
    rows = inspection.architecture(model)
    assert [row.name for row in rows] == [layer.name for layer in model.layers]
    assert sum(row.params for row in rows) == ZOO[name].params
    assert rows[-1].output_shape == "10" and rows[-1].role == inspection.SURENESS_ROLE
    assert all(row.role for row in rows), "every layer is explained in plain words"


# Words of the trade the Inside page's table must not show an audience (it is shown in presenter mode too).
JARGON = ("feature map", "unit", "probabilit", "input number", "neuron", "tensor", "activation", "kernel")


@pytest.mark.parametrize("name", list(ZOO))
def test_every_layer_is_described_in_everyday_words(name):
    for row in inspection.architecture(untrained(name)):
        for word in JARGON:
            assert word not in row.role.lower(), f"{name} {row.name}: {row.role}"


def test_layers_that_only_act_while_learning_are_marked():
    rows = inspection.architecture(untrained("best"))
    training = [row.name for row in rows if not row.reading]
    assert training == ["augment_rotate", "augment_shift", "augment_zoom", "dropout"]
    assert all(row.reading for row in inspection.architecture(untrained("keras_cnn")))


@pytest.mark.parametrize("name", CONV_MODELS)
def test_every_conv_layer_has_filters_and_activation_maps(name, seven):
    model = untrained(name)
    banks, maps = inspection.filters(model), inspection.activations(model, seven)
    assert [bank.layer for bank in banks] == [feature.layer for feature in maps] == inspection.conv_layer_names(model)
    for bank, feature in zip(banks, maps):
        layer = model.get_layer(bank.layer)
        assert bank.weights.shape == (layer.filters, *layer.kernel_size)
        assert feature.maps.shape[0] == layer.filters
        assert feature.maps.min() >= 0, "maps are shown after the ReLU"


@pytest.mark.parametrize("name", DENSE_MODELS)
def test_dense_models_show_their_first_layer_as_templates(name):
    model = untrained(name)
    assert inspection.conv_layer_names(model) == [] and inspection.activations(model, np.zeros((28, 28))) == []
    templates = inspection.dense_templates(model)
    assert templates.shape == (model.layers[2].units, 28, 28)


def test_dense_templates_refuse_a_model_whose_dense_layer_does_not_read_pixels():
    with pytest.raises(MnistStudioError, match="does not read the pixels"):
        inspection.dense_templates(untrained("keras_cnn"))


def test_occlusion_lights_up_the_strokes_not_the_empty_background(reader, seven):
    heat = inspection.occlusion(reader, seven)
    assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() == pytest.approx(1.0)
    # A black patch over black background changes nothing: far from the ink there is no heat.
    ink = seven > 0.1
    ys, xs = np.nonzero(ink)
    far = np.ones((28, 28), bool)
    reach = inspection.OCCLUSION_PATCH
    far[max(0, ys.min() - reach):ys.max() + reach + 1, max(0, xs.min() - reach):xs.max() + reach + 1] = False
    assert far.any() and np.all(heat[far] < 1e-4)  # not exactly 0: a batch of 144 rounds unlike a batch of 1
    assert heat[ink].mean() > 0.1


def test_probabilities_read_the_test_digit(reader, seven):
    scores = inspection.probabilities(reader, seven)
    assert scores.shape == (10,) and scores.sum() == pytest.approx(1.0, abs=1e-4)
    assert scores.argmax() == 7


def test_a_digit_of_the_wrong_shape_is_refused(reader):
    with pytest.raises(MnistStudioError, match="28 x 28"):
        inspection.probabilities(reader, np.zeros((32, 32)))


def test_test_digits_wrap_around_and_are_scaled():
    digit, label = inspection.test_digit(10_000)
    first, first_label = inspection.test_digit(0)
    assert label == first_label and np.array_equal(digit, first)
    assert digit.dtype == np.float32 and 0 <= digit.min() and digit.max() <= 1


# --- The test patches each filter likes best ---------------------------------


@pytest.mark.parametrize("name, layer, expected", [
    ("keras_cnn", "conv1", (3, 1, 0)),  # 3x3 valid
    ("keras_cnn", "conv2", (8, 2, 0)),  # + 2x2 pool, 3x3 valid: 3 + 1 + 2 x 2
    ("deepnn", "conv2", (14, 2, -6)),  # 5x5 same (pad 2), pool, 5x5 same (pad 2 at jump 2)
    ("fast", "conv1", (5, 2, 1)),  # crop 2 a side, then 5x5 stride 2 same on 24: TensorFlow pads 1 before, 2 after
])
def test_receptive_fields_follow_kernels_strides_and_padding(name, layer, expected):
    field = inspection.receptive_field(untrained(name), layer)
    assert (field.size, field.jump, field.offset) == expected


@pytest.fixture(scope="module")
def few_digits() -> np.ndarray:
    from mnist_core.data import load_mnist

    return load_mnist().x_test[:120]


@pytest.mark.parametrize("name", ["bundled", "deepnn", "fast", "best"])
def test_each_patch_holds_everything_its_response_depends_on(name, bundled, few_digits):
    """Copy only the patch's field into a black image: the unit responds exactly as strongly as recorded."""
    import keras

    model = bundled if name == "bundled" else untrained(name)
    found = inspection.top_patches(model, few_digits, k=3)
    assert [f.layer for f in found] == inspection.conv_layer_names(model)[:inspection.PATCH_LAYERS]
    for layer in found:
        field = inspection.receptive_field(model, layer.layer)
        probe = keras.Model(model.inputs[0], inspection._activated_output(model, layer.layer))
        filters = len(layer.patches)
        for f in (0, filters // 2, filters - 1):
            source, (row, col) = layer.sources[f, 0], layer.positions[f, 0]
            top, left = field.jump * row + field.offset, field.jump * col + field.offset
            alone = np.zeros((28, 28), np.float32)
            rows = slice(max(top, 0), min(top + field.size, 28))
            cols = slice(max(left, 0), min(left + field.size, 28))
            alone[rows, cols] = few_digits[source][rows, cols] / 255.0
            response = np.asarray(probe(alone[None, :, :, None], training=False))[0, row, col, f]
            assert response == pytest.approx(layer.strengths[f, 0], rel=1e-3, abs=1e-4)
            # The patch is that field (black beyond the image's edge), with `context` pixels around it.
            inner = layer.patches[f, 0][layer.context:layer.context + field.size,
                                        layer.context:layer.context + field.size]
            assert np.array_equal(inner[rows.start - top:rows.stop - top, cols.start - left:cols.stop - left],
                                  alone[rows, cols])


def test_patches_come_strongest_first_from_different_images(bundled, few_digits):
    conv1, conv2 = inspection.top_patches(bundled, few_digits, k=5, layers=2)
    for layer in (conv1, conv2):
        assert layer.patches.shape[:2] == layer.strengths.shape == layer.sources.shape == (len(layer.patches), 5)
        assert layer.patches.shape[2] == layer.patches.shape[3] >= inspection.MIN_PATCH_SIDE
        assert np.all(np.diff(layer.strengths, axis=1) <= 0)
        assert all(len(set(sources)) == 5 for sources in layer.sources.tolist())
        assert 0 <= layer.patches.min() and layer.patches.max() <= 1
        assert layer.context == max(0, -(-(inspection.MIN_PATCH_SIDE - layer.field) // 2))
    small, large = inspection.top_patches(untrained("keras_cnn"), few_digits, k=2, layers=2)
    assert (small.field, small.context, large.field, large.context) == (3, 2, 8, 0)  # 3x3 shown inside 7x7
    # uint8 and [0, 1] float images give the same patches.
    again = inspection.top_patches(bundled, few_digits.astype(np.float32) / 255.0, k=5, layers=1)[0]
    assert np.array_equal(again.sources, conv1.sources) and np.allclose(again.patches, conv1.patches)


def test_dense_models_have_no_patches(few_digits):
    assert inspection.top_patches(untrained("mlp"), few_digits) == []


def test_every_conv_layer_gets_patches_and_deep_ones_see_large_parts_of_digits(bundled, few_digits):
    found = inspection.top_patches(bundled, few_digits, k=2)
    assert [layer.layer for layer in found] == inspection.conv_layer_names(bundled)
    fields = [layer.field for layer in found]
    assert fields == sorted(fields) and fields[-1] >= 20, "the deepest layer sees most of the digit"
    deepest = found[-1]
    assert deepest.context == 0 and deepest.patches.shape[2] == deepest.field
    assert (deepest.patches.reshape(len(deepest.patches), 2, -1) > 0.5).mean(axis=2).min() > 0.05, \
        "each of its favourite patches holds a good part of a digit's ink"


# --- Which filters a digit excites most ---------------------------------------


def test_channel_strengths_compare_each_channel_with_its_own_best():
    maps = np.zeros((4, 5, 5), np.float32)
    maps[0, 2, 2], maps[1, 0, 0], maps[2, 1, 1] = 2.0, 9.0, 1.0  # channel 3 finds nothing
    reference = np.array([2.0, 30.0, 0.5, 4.0])
    strengths = inspection.channel_strengths(maps, reference)
    assert strengths.tolist() == pytest.approx([1.0, 0.3, 1.0, 0.0])  # 1.0 / 0.5 is capped at "its best"
    assert inspection.channel_strengths(maps).tolist() == pytest.approx([2 / 9, 1.0, 1 / 9, 0.0])  # the layer's peak
    never = inspection.channel_strengths(maps, np.array([2.0, 0.0, 1.0, 4.0]))
    assert never[1] == 0.0, "a channel that never responds on test digits is not 'most active'"
    with pytest.raises(MnistStudioError, match="one reference per channel"):
        inspection.channel_strengths(maps, np.ones(3))


def test_the_most_active_filters_of_the_bundled_model_respond_to_the_digits_strokes(bundled, seven, few_digits):
    """The filter the digit excites most, relative to its best, fires on the strokes, not on the background."""
    found = inspection.top_patches(bundled, few_digits, k=1, layers=1)[0]
    maps = inspection.activations(bundled, seven)[0].maps
    strengths = inspection.channel_strengths(maps, found.strengths[:, 0])
    top = int(np.argmax(strengths))
    assert 0.3 < strengths[top] <= 1.0
    row, col = np.unravel_index(np.argmax(maps[top]), maps[top].shape)
    assert seven[max(0, row - 2):row + 3, max(0, col - 2):col + 3].max() > 0.5, "its peak lies on or beside ink"


# --- Templates of the dense networks -------------------------------------------


@pytest.fixture(scope="module")
def bundled_dense():
    from mnist_core.paths import BUNDLED_DIR

    return {name: load_model(BUNDLED_DIR / f"{name}.keras")[0] for name in DENSE_MODELS}


def test_softmax_templates_score_the_digit_as_the_network_does(bundled_dense, seven):
    import keras

    model = bundled_dense["softmax"]
    matches = inspection.template_matches(model, seven)
    assert matches.digits and matches.votes is None
    assert matches.templates.shape == matches.evidence.shape == (10, 28, 28)
    logits = keras.Model(model.inputs[0], model.get_layer("logits").output)(seven.reshape(1, 28, 28, 1))
    assert matches.scores == pytest.approx(np.asarray(logits)[0], rel=1e-4, abs=1e-4)
    assert int(np.argmax(matches.scores)) == int(np.argmax(inspection.probabilities(Reader(model), seven))) == 7
    # Where the digit has no ink, it gives no evidence for or against any digit.
    assert np.all(matches.evidence[:, seven == 0] == 0)


def test_mlp_detectors_respond_as_its_hidden_layer_and_vote_through_the_next(bundled_dense, seven):
    import keras

    model = bundled_dense["mlp"]
    matches = inspection.template_matches(model, seven)
    hidden = model.layers[2]
    assert not matches.digits and matches.templates.shape == (hidden.units, 28, 28)
    response = np.asarray(keras.Model(model.inputs[0], hidden.output)(seven.reshape(1, 28, 28, 1)))[0]
    assert np.maximum(matches.scores, 0) == pytest.approx(response, rel=1e-4, abs=1e-4)
    assert matches.votes.shape == (hidden.units, 10)
    assert np.array_equal(matches.votes, np.asarray(model.get_layer("logits").kernel))
