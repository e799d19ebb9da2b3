"""The network at work on one digit: what each of its layers makes of it, from one forward pass.

The Draw page shows this beside its answer after every pen lift, so it has to be cheap: the probe that
returns every shown layer's output is built and traced once per model (a few ms per drawing after that).

A stage is what an audience can look at: the 28x28 input, each layer that learned patterns (a conv layer's
maps, after its batch norm and ReLU; a hidden dense layer's detectors), and, for a network that reads the
pixels straight into its ten scores (softmax regression), where the ink counts for and against each digit.
Shape-only and training-only layers (pooling, flatten, crop, dropout, augmentation) are not stages of
their own: their effect shows in the next stage's size.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from .errors import MnistStudioError
from .inference import traced

if TYPE_CHECKING:
    import keras

DIGIT_SHAPE = (28, 28)
PATTERN_SEARCH_IMAGES = 2000  # test digits searched for what one map or detector responds to most
PATTERN_EXAMPLES = 9  # test digits kept per map or detector
PATTERN_BATCH = 250  # images per forward pass while searching
# Layers that only rescale or rectify what the layer before them found: a stage shows their output in place of
# the learning layer's raw one (the maps after ReLU are what the next layer reads).
_FOLLOWERS = ("BatchNormalization", "ReLU", "LeakyReLU")

StageKind = Literal["input", "maps", "units", "evidence"]


@dataclass(frozen=True)
class Stage:
    """One step of the digit's way through the network."""

    layer: str  # the Keras layer whose output this is ("input" for the digit itself)
    kind: StageKind
    values: np.ndarray  # input (28, 28); maps (channels, h, w) >= 0; units (n,) >= 0; evidence (10, 28, 28) signed
    number: int  # "layer 1", "layer 2", ... as the Inside page counts the layers that learn; 0 for the input

    @property
    def count(self) -> int:
        """How many maps, detectors or digits the stage holds (1 for the input)."""
        return 1 if self.kind == "input" else len(self.values)

    def strongest(self) -> int:
        """The map or detector the digit lights up most (for the evidence: the digit with the highest score)."""
        if self.kind == "input":
            return 0
        flat = self.values.reshape(len(self.values), -1)
        return int((flat.sum(axis=1) if self.kind == "evidence" else flat.max(axis=1)).argmax())


def _is_relu(layer) -> bool:
    return type(layer).__name__ == "Activation" and getattr(layer.activation, "__name__", "") == "relu"


def shown_layers(model: "keras.Model") -> list[tuple[str, str]]:
    """(learning layer, layer whose output is shown) for every conv and hidden dense layer, input side first.

    The last dense layer (the ten scores) is not a stage: the answer's ten outputs stand for it.
    """
    import keras

    layers = list(model.layers)
    learning = [i for i, layer in enumerate(layers) if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    if learning and isinstance(layers[learning[-1]], keras.layers.Dense):
        learning = learning[:-1]
    shown = []
    for index in learning:
        end = index
        while end + 1 < len(layers) and (type(layers[end + 1]).__name__ in _FOLLOWERS or _is_relu(layers[end + 1])):
            end += 1
        shown.append((layers[index].name, layers[end].name))
    return shown


class _Probe:
    """Every shown layer's output for a batch, as one traced function."""

    def __init__(self, model: "keras.Model") -> None:
        import keras
        import tensorflow as tf

        self.layers = shown_layers(model)
        if not self.layers:
            self.function: Callable | None = None
            return
        probe = keras.Model(model.inputs[0], [model.get_layer(output).output for _, output in self.layers])
        self.function = traced(lambda x: [tf.cast(out, tf.float32) for out in _listed(probe(x, training=False))])

    def __call__(self, batch: np.ndarray) -> list[np.ndarray]:
        if self.function is None:
            return []
        return [np.asarray(out) for out in self.function(batch)]


def _listed(outputs) -> list:
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


_probes: "weakref.WeakKeyDictionary[keras.Model, _Probe]" = weakref.WeakKeyDictionary()
_probes_lock = threading.Lock()


def _probe(model: "keras.Model") -> _Probe:
    """The model's probe, built and traced on first use (every browser session shares it)."""
    with _probes_lock:
        probe = _probes.get(model)
        if probe is None:
            probe = _probes[model] = _Probe(model)
        return probe


def _as_batch(digit: np.ndarray) -> np.ndarray:
    digit = np.asarray(digit, dtype=np.float32)
    if digit.shape not in (DIGIT_SHAPE, (*DIGIT_SHAPE, 1)):
        raise MnistStudioError(f"Expected a 28 x 28 digit, got an array of shape {digit.shape}.")
    return digit.reshape(1, *DIGIT_SHAPE, 1)


def stages(model: "keras.Model", digit: np.ndarray) -> list[Stage]:
    """The digit's way through `model`: the input, then each learning layer's output (one forward pass)."""
    batch = _as_batch(digit)
    found = [Stage(layer="input", kind="input", values=batch[0, :, :, 0].copy(), number=0)]
    probe = _probe(model)
    for number, ((layer, _), out) in enumerate(zip(probe.layers, probe(batch)), start=1):
        values = np.maximum(out[0], 0.0)  # what the next layer reads: negative responses are cut by the ReLU
        if values.ndim == 3:
            found.append(Stage(layer=layer, kind="maps", values=values.transpose(2, 0, 1), number=number))
        else:
            found.append(Stage(layer=layer, kind="units", values=values.reshape(-1), number=number))
    if len(found) == 1:  # the pixels go straight into the ten scores: show where the ink counts for each digit
        found.append(Stage(layer="logits", kind="evidence", values=_evidence(model, batch[0, :, :, 0]), number=1))
    return found


def _evidence(model: "keras.Model", digit: np.ndarray) -> np.ndarray:
    """(10, 28, 28) digit x each digit's template: positive where the ink counts for that digit."""
    import keras

    dense = next((layer for layer in model.layers if isinstance(layer, keras.layers.Dense)), None)
    kernel = None if dense is None else np.asarray(dense.kernel, dtype=np.float32)
    if kernel is None or kernel.shape != (DIGIT_SHAPE[0] * DIGIT_SHAPE[1], 10):
        raise MnistStudioError(f"The model {model.name!r} has no layer that can be shown at work.")
    return kernel.T.reshape(10, *DIGIT_SHAPE) * digit[None]


@dataclass(frozen=True)
class Favourites:
    """The test digits that light up one map or detector most: what it looks for, shown by example."""

    images: np.ndarray  # (k, 28, 28) float32 in [0, 1], the strongest first
    strengths: np.ndarray  # (k,) its peak response on each
    positions: np.ndarray | None  # (k, 2) the map's strongest spot (row, column of its own grid); None for detectors


def favourites(model: "keras.Model", layer: str, index: int, images: np.ndarray,
               k: int = PATTERN_EXAMPLES) -> Favourites:
    """The `k` digits of `images` ((N, 28, 28) uint8 or floats in [0, 1]) that stage `layer`'s channel `index`
    responds to most, each with where it responded (a map's strongest spot)."""
    probe = _probe(model)
    names = [name for name, _ in probe.layers]
    if layer not in names:
        raise MnistStudioError(f"The model has no layer {layer!r} to look closer at.")
    position = names.index(layer)
    pixels = np.asarray(images)
    pixels = pixels.astype(np.float32) / 255.0 if pixels.dtype == np.uint8 else pixels.astype(np.float32)
    peaks, where, width = [], [], 0
    for start in range(0, len(pixels), PATTERN_BATCH):
        out = probe(pixels[start:start + PATTERN_BATCH, :, :, None])[position]
        if not 0 <= index < out.shape[-1]:
            raise MnistStudioError(f"Layer {layer!r} has {out.shape[-1]} channels; there is no number {index + 1}.")
        channel = out[..., index].reshape(len(out), -1)
        peaks.append(channel.max(axis=1))
        where.append(channel.argmax(axis=1))
        if out.ndim == 4:
            width = out.shape[2]
    peaks_all, where_all = np.concatenate(peaks), np.concatenate(where)
    order = np.argsort(-peaks_all, kind="stable")[:k]
    positions = np.stack(np.divmod(where_all[order], width), axis=1) if width else None
    return Favourites(images=pixels[order], strengths=peaks_all[order].astype(np.float32), positions=positions)
