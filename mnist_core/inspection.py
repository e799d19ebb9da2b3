"""Look inside a trained model: its layers, filters, activations and attention.

Each function takes a Keras model from the zoo (input (N, 28, 28, 1) floats in
[0, 1], a softmax layer named "probabilities") and one 28x28 digit, and returns
plain float arrays: the app turns them into pictures, scripts can plot them.
Conv layers are found by type, so every zoo network works, and the dense
networks (softmax, mlp) get their first layer's weights as 28x28 templates,
with how well a digit matches each (`template_matches`).
A conv filter's weights are hard to read, and past the first layer they mix
many channels; the MNIST test patches that excite it most (`top_patches`) show
what it has learned to find, in every layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .errors import MnistStudioError
from .inference import Reader

if TYPE_CHECKING:
    import keras

DIGIT_SHAPE = (28, 28)
OCCLUSION_PATCH = 6  # pixels: about the width of a pen stroke in MNIST
OCCLUSION_STRIDE = 2
PATCH_IMAGES = 2000  # test images searched for each filter's favourite patches
TOP_PATCHES = 9  # patches kept per filter, each from a different test image
PATCH_LAYERS = None  # every conv layer gets patches; deep fields are most of the digit, which is the point
MIN_PATCH_SIDE = 7  # px: smaller fields are shown with enough of the image around them to fill this
PATCH_BATCH = 250  # images per forward pass while searching


@dataclass(frozen=True)
class LayerRow:
    """One row of the architecture table."""

    name: str
    kind: str  # the Keras class, e.g. "Conv2D"
    output_shape: str  # e.g. "26 x 26 x 32"
    params: int
    role: str  # what the layer does, in plain words
    reading: bool = True  # False for layers that act only while the network learns (augmentation, dropout)


@dataclass(frozen=True)
class FilterBank:
    """The learned filters of one conv layer, averaged over its input channels."""

    layer: str
    weights: np.ndarray  # (filters, height, width), signed


@dataclass(frozen=True)
class FeatureMaps:
    """What one conv layer (after its activation) sees in the digit."""

    layer: str
    maps: np.ndarray  # (channels, height, width), >= 0 after ReLU


# Layers that change only the practice digits or the training: a digit being read passes them unchanged.
TRAINING_ONLY = ("RandomRotation", "RandomTranslation", "RandomZoom", "RandomFlip", "RandomContrast", "Dropout",
                 "SpatialDropout2D", "GaussianNoise")

# What each layer does, as the Inside page's table says it to an audience: no "feature map", "units" or "probability"
# (the Keras names and shapes are in the page's Details for developers).
_ROLES = {
    "InputLayer": "the 28 x 28 grey picture goes in",
    "Conv2D": "slides small patterns it learned over the picture to find strokes and shapes",
    "GlobalAveragePooling2D": "turns each filter's picture into one number: how strongly it lit up, on average",
    "BatchNormalization": "evens out the numbers so that learning stays steady",
    "Cropping2D": "cuts away the blank border around the digit",
    "ReLU": "keeps the positive responses and sets the rest to zero",
    "Flatten": "lays the grid out as one long list of numbers",
    "Dense": "adds up every number that comes in, each with a weight it learned",
    "Dropout": "switches off random parts while it practises (nothing changes when it reads)",
    "RandomRotation": "tilts practice digits a little (nothing changes when it reads)",
    "RandomTranslation": "shifts practice digits a little (nothing changes when it reads)",
    "RandomZoom": "zooms practice digits a little (nothing changes when it reads)",
}
SURENESS_ROLE = "turns the ten scores into how sure it is of each digit"  # the softmax at the end


def architecture(model: "keras.Model") -> list[LayerRow]:
    """Every layer with its output shape, parameter count and a plain-words role."""
    rows, convs = [], 0
    for layer in model.layers:
        kind = type(layer).__name__
        role = _ROLES.get(kind, "")
        if kind == "Activation":
            activation = getattr(layer.activation, "__name__", "")
            role = SURENESS_ROLE if activation == "softmax" else _ROLES["ReLU"]
        elif kind == "Conv2D":
            height, width = layer.kernel_size
            convs += 1
            over = "the picture, looking for bits of strokes" if convs == 1 else \
                "what the layer before found, looking for larger shapes"
            role = f"{layer.filters} filters, small {height} x {width} patterns it learned, slide over {over}"
        elif kind == "MaxPooling2D":
            height, width = layer.pool_size
            role = f"keeps the strongest response in each {height} x {width} square, so the picture gets smaller"
        elif kind == "Dense":
            who = ("one score per digit" if layer.units == 10
                   else f"{layer.units:,} detectors")
            role = f"{who}: each adds up every number that comes in, with weights it learned"
        shape = layer.output.shape[1:] if hasattr(layer, "output") else ()
        rows.append(LayerRow(name=layer.name, kind=kind, output_shape=" x ".join(str(d) for d in shape),
                             params=int(layer.count_params()), role=role, reading=kind not in TRAINING_ONLY))
    return rows


def conv_layer_names(model: "keras.Model") -> list[str]:
    """The Conv2D layers, input side first."""
    import keras

    return [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def filters(model: "keras.Model") -> list[FilterBank]:
    """Every conv layer's kernels; deeper layers see many channels, so we show their mean."""
    banks = []
    for name in conv_layer_names(model):
        kernel = np.asarray(model.get_layer(name).kernel, dtype=np.float32)  # (h, w, in, out)
        banks.append(FilterBank(layer=name, weights=kernel.mean(axis=2).transpose(2, 0, 1)))
    return banks


@dataclass(frozen=True)
class FilterPatches:
    """The test-set patches that excite each filter of one conv layer most.

    Patch [f, i] is the receptive field (the input pixels unit sees) of the
    spot where filter f responded most strongly in test image sources[f, i],
    with `context` pixels of the image around it; the strongest comes first.
    """

    layer: str
    field: int  # side of the receptive field, in input pixels
    context: int  # pixels of surrounding image on each side of the field
    patches: np.ndarray  # (filters, k, side, side) float32 in [0, 1], side = field + 2 x context
    strengths: np.ndarray  # (filters, k) the responses, after the activation
    sources: np.ndarray  # (filters, k) index of the test image each patch comes from
    positions: np.ndarray  # (filters, k, 2) the responding unit's (row, column) in the layer's output


@dataclass(frozen=True)
class _Field:
    """Where the output unit (i, j) of a layer looks in the input: rows jump*i + offset ... + size - 1."""

    size: int
    jump: int
    offset: int


_SAME_GEOMETRY = ("InputLayer", "BatchNormalization", "Activation", "ReLU", "LeakyReLU", "Dropout",
                  "SpatialDropout2D", "GaussianNoise", "Rescaling", "RandomRotation", "RandomTranslation",
                  "RandomZoom", "RandomFlip", "RandomContrast")


def receptive_field(model: "keras.Model", layer_name: str) -> _Field:
    """The input rows (and, the models being square, columns) each unit of a conv layer depends on.

    Walks the layers from the input: each conv or pooling layer widens the field
    by (kernel - 1) x the jump so far and multiplies the jump by its stride;
    "same" padding shifts it as TensorFlow pads (the extra pixel at the end).
    """
    field, size = _Field(size=1, jump=1, offset=0), DIGIT_SHAPE[0]
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Conv2D", "MaxPooling2D", "AveragePooling2D"):
            if kind == "Conv2D":
                kernel = (layer.kernel_size[0] - 1) * layer.dilation_rate[0] + 1
                stride = layer.strides[0]
            else:
                kernel, stride = layer.pool_size[0], layer.strides[0]
            if layer.padding == "same":
                out = -(-size // stride)
                pad = max((out - 1) * stride + kernel - size, 0) // 2
            else:
                out, pad = (size - kernel) // stride + 1, 0
            field = _Field(size=field.size + field.jump * (kernel - 1), jump=field.jump * stride,
                           offset=field.offset - field.jump * pad)
            size = out
        elif kind == "Cropping2D":  # the first rows (and columns) dropped: unit 0 now looks at row `top`
            (top, bottom), _ = layer.cropping
            field = _Field(size=field.size, jump=field.jump, offset=field.offset + field.jump * top)
            size -= top + bottom
        elif kind not in _SAME_GEOMETRY:
            raise MnistStudioError(f"Cannot trace the receptive field through layer {layer.name!r} ({kind}).")
        if layer.name == layer_name:
            return field
    raise MnistStudioError(f"The model has no layer named {layer_name!r}.")


def top_patches(model: "keras.Model", images: np.ndarray | None = None, layers: int | None = PATCH_LAYERS,
                k: int = TOP_PATCHES) -> list[FilterPatches]:
    """For each filter of the first `layers` conv layers (None: all), the `k` test patches it responds to most.

    `images`: (N, 28, 28) uint8 or floats in [0, 1]; by default the first
    PATCH_IMAGES MNIST test digits. Each patch comes from a different image
    (its strongest spot there), so the k patches show k examples, not one
    stroke seen from neighbouring positions.
    """
    import keras

    if images is None:
        from .data import load_mnist

        images = load_mnist().x_test[:PATCH_IMAGES]
    pixels = np.asarray(images, dtype=np.float32)
    pixels = pixels / 255.0 if np.asarray(images).dtype == np.uint8 else pixels  # scale to [0, 1]
    names = conv_layer_names(model)[:layers]  # [:None] is every one
    if not names or len(pixels) == 0:
        return []
    fields = [receptive_field(model, name) for name in names]
    probe = keras.Model(model.inputs[0], [_activated_output(model, name) for name in names])
    best = [[] for _ in names]  # per layer: (values, positions) per batch, each (batch, filters)
    for start in range(0, len(pixels), PATCH_BATCH):
        outputs = probe(pixels[start:start + PATCH_BATCH, :, :, None], training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        for found, out in zip(best, outputs):
            maps = np.asarray(out, dtype=np.float32)
            flat = maps.reshape(len(maps), -1, maps.shape[-1])  # (batch, positions, filters)
            found.append((flat.max(axis=1), flat.argmax(axis=1), maps.shape[2]))
    result = []
    for name, field, found in zip(names, fields, best):
        values = np.concatenate([v for v, _, _ in found])  # (N, filters)
        positions = np.concatenate([p for _, p, _ in found])
        width = found[0][2]
        context = max(0, -(-(MIN_PATCH_SIDE - field.size) // 2))
        side = field.size + 2 * context
        margin = side + abs(field.offset)  # zero padding so fields reaching past the border can be cut
        padded = np.pad(pixels, ((0, 0), (margin, margin), (margin, margin)))
        order = np.argsort(-values, axis=0, kind="stable")[:k].T  # (filters, k) image indices
        patches = np.zeros((*order.shape, side, side), np.float32)
        spots = np.zeros((*order.shape, 2), np.int64)
        for f, sources in enumerate(order):
            for i, source in enumerate(sources):
                row, col = spots[f, i] = divmod(int(positions[source, f]), width)
                top = margin + field.jump * row + field.offset - context
                left = margin + field.jump * col + field.offset - context
                patches[f, i] = padded[source, top:top + side, left:left + side]
        strengths = np.take_along_axis(values.T, order, axis=1)
        result.append(FilterPatches(layer=name, field=field.size, context=context, patches=patches,
                                    strengths=strengths, sources=order, positions=spots))
    return result


def channel_strengths(maps: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """How strongly each channel responds to the digit, in [0, 1]: its peak over `reference`, else the layer's peak.

    `maps`: (channels, height, width) after the activation. `reference`: each channel's strongest response
    on test digits (`FilterPatches.strengths[:, 0]`), so 1.0 means "as strongly as to anything it has seen"
    and a channel that always answers loudly does not win by its scale alone. Channels that never respond
    on test digits get 0.
    """
    peaks = np.asarray(maps, dtype=np.float32).reshape(len(maps), -1).max(axis=1)
    peaks = np.maximum(peaks, 0.0)
    if reference is None:
        top = float(peaks.max())
        return peaks / top if top > 0 else peaks
    reference = np.asarray(reference, dtype=np.float32)
    if reference.shape != peaks.shape:
        raise MnistStudioError(f"Expected one reference per channel ({len(peaks)}), got {reference.shape}.")
    safe = np.where(reference > 0, reference, 1.0)
    return np.where(reference > 0, np.clip(peaks / safe, 0.0, 1.0), 0.0).astype(np.float32)


@dataclass(frozen=True)
class TemplateMatches:
    """A dense network's first layer as 28x28 templates, and how well one digit matches each.

    The unit's input is score = sum(digit x template) + bias, so `evidence` (digit x template) shows where
    the digit's ink counts for the unit (positive) and against it (negative).
    """

    templates: np.ndarray  # (units, 28, 28) signed weights
    evidence: np.ndarray  # (units, 28, 28) digit x template
    scores: np.ndarray  # (units,) the units' inputs for the digit: evidence summed, plus the bias
    digits: bool  # True: the units are the ten digits' scores (softmax); False: hidden units
    votes: np.ndarray | None  # (units, 10) hidden units: what one unit's output adds to each digit's score


def template_matches(model: "keras.Model", digit: np.ndarray) -> TemplateMatches:
    """The first dense layer's templates, the digit laid over each, and how strongly each unit responds."""
    import keras

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    templates = dense_templates(model)
    pixels = _as_batch(digit).reshape(*DIGIT_SHAPE)
    evidence = templates * pixels[None]
    bias = np.asarray(dense[0].bias, dtype=np.float32) if dense[0].use_bias else np.zeros(len(templates))
    scores = evidence.reshape(len(templates), -1).sum(axis=1) + bias
    hidden = len(dense) > 1
    votes = np.asarray(dense[1].kernel, dtype=np.float32) if hidden and dense[1].kernel.shape[1] == 10 else None
    return TemplateMatches(templates=templates, evidence=evidence.astype(np.float32),
                           scores=scores.astype(np.float32), digits=not hidden, votes=votes)


def _as_batch(digit: np.ndarray) -> np.ndarray:
    """A 28x28 digit in [0, 1] as the (1, 28, 28, 1) float32 batch models take."""
    digit = np.asarray(digit, dtype=np.float32)
    if digit.shape not in (DIGIT_SHAPE, (*DIGIT_SHAPE, 1)):
        raise MnistStudioError(f"Expected a 28 x 28 digit, got an array of shape {digit.shape}.")
    return digit.reshape(1, *DIGIT_SHAPE, 1)


def _activated_output(model: "keras.Model", conv_name: str):
    """The conv layer's output after its ReLU: ours put it in a separate "<conv>_relu" layer."""
    names = {layer.name for layer in model.layers}
    return model.get_layer(f"{conv_name}_relu" if f"{conv_name}_relu" in names else conv_name).output


def activations(model: "keras.Model", digit: np.ndarray) -> list[FeatureMaps]:
    """Every conv layer's feature maps for `digit`, in one forward pass."""
    import keras

    names = conv_layer_names(model)
    if not names:
        return []
    probe = keras.Model(model.inputs[0], [_activated_output(model, name) for name in names])
    outputs = probe(_as_batch(digit), training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [FeatureMaps(layer=name, maps=np.asarray(out, dtype=np.float32)[0].transpose(2, 0, 1))
            for name, out in zip(names, outputs)]


def dense_templates(model: "keras.Model") -> np.ndarray:
    """The first dense layer's weights, one 28x28 picture per unit: what each unit looks for."""
    import keras

    dense = next((layer for layer in model.layers if isinstance(layer, keras.layers.Dense)), None)
    if dense is None:
        raise MnistStudioError(f"The model {model.name!r} has no dense layer to draw.")
    kernel = np.asarray(dense.kernel, dtype=np.float32)  # (784, units) when it follows Flatten
    if kernel.shape[0] != DIGIT_SHAPE[0] * DIGIT_SHAPE[1]:
        raise MnistStudioError(f"The first dense layer of {model.name!r} does not read the pixels directly.")
    return kernel.T.reshape(-1, *DIGIT_SHAPE)


def probabilities(reader: Reader, digit: np.ndarray) -> np.ndarray:
    """The 10 class probabilities for `digit`, computed exactly as the Draw page computes them."""
    return reader.classify(_as_batch(digit))[0]


def occlusion(reader: Reader, digit: np.ndarray, patch: int = OCCLUSION_PATCH,
              stride: int = OCCLUSION_STRIDE) -> np.ndarray:
    """How much covering each spot lowers the predicted digit's probability, as a 28x28 map in [0, 1].

    A black patch slides over the digit; all positions go through the model in
    one batch. Bright spots are the strokes the answer depends on.
    """
    image = _as_batch(digit)[0]
    scores = probabilities(reader, digit)
    predicted = int(scores.argmax())
    corners = [(y, x) for y in range(0, DIGIT_SHAPE[0] - patch + 1, stride)
               for x in range(0, DIGIT_SHAPE[1] - patch + 1, stride)]
    covered = np.repeat(image[None], len(corners), axis=0)
    for index, (y, x) in enumerate(corners):
        covered[index, y:y + patch, x:x + patch] = 0.0
    drops = scores[predicted] - reader.classify(covered)[:, predicted]
    heat, counts = np.zeros(DIGIT_SHAPE), np.zeros(DIGIT_SHAPE)
    for drop, (y, x) in zip(drops, corners):
        heat[y:y + patch, x:x + patch] += max(drop, 0.0)
        counts[y:y + patch, x:x + patch] += 1
    heat /= np.maximum(counts, 1)
    return (heat / heat.max()).astype(np.float32) if heat.max() > 0 else heat.astype(np.float32)


def test_digit(index: int = 0) -> tuple[np.ndarray, int]:
    """MNIST test image `index` as a 28x28 float digit in [0, 1], with its label."""
    from .data import NUM_TEST, load_mnist

    mnist = load_mnist()
    index %= NUM_TEST
    return mnist.x_test[index].astype(np.float32) / 255.0, int(mnist.y_test[index])
