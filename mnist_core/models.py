"""The model zoo: the classic MNIST tutorials as published, plus our presets.

Each `ModelSpec` records where the model comes from, what its authors
reported and the recipe they trained it with, so the app and `bench` can show
"published vs. ours" side by side. Specs are plain data and import no
TensorFlow; `build()` imports Keras only when a model is actually made.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import keras_internals
from .errors import TrainingError
from .meta import ModelMeta

if TYPE_CHECKING:
    import keras

NUM_CLASSES = 10
INPUT_SHAPE = (28, 28, 1)
LOGITS_LAYER = "logits"  # every zoo network's last Dense layer: the ten scores before the softmax


@dataclass(frozen=True)
class Recipe:
    """Training hyperparameters; a spec's defaults are the published ones."""

    epochs: int
    batch_size: int
    learning_rate: float


@dataclass(frozen=True)
class BuildOptions:
    """What a builder needs beyond the recipe: schedule length and precision."""

    learning_rate: float
    steps_per_epoch: int
    total_steps: int
    dtype: str = "float32"  # "mixed_float16" on a GPU
    # XLA: Keras turns it on by default, but on a CPU it made `fast` 1.3x slower (docs/benchmarks.md).
    jit_compile: bool | str = "auto"
    # Every random part of the network (initial weights, dropout, augmentation) is seeded from this, so the
    # weights depend only on the configuration: Keras draws an unseeded layer's seed from Python's global
    # `random`, which every session of the server shares.
    seed: int = 0


class _Seeds:
    """A distinct seed for each random part of one network, drawn in build order from the job's seed alone."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)  # private: the global generator is never drawn from or reseeded

    def next(self) -> int:
        return self._rng.randrange(2**31 - 1)

    def glorot(self):
        """Keras' default kernel initializer, seeded."""
        from keras import initializers

        return initializers.GlorotUniform(seed=self.next())


OWN_SOURCE = "MNIST Studio"  # a spec's source when the network and its recipe are this project's own


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    source: str
    network: str
    published_recipe: str
    reported_accuracy: float
    params: int
    defaults: Recipe
    builder: Callable[[BuildOptions], "keras.Model"]
    # For the audience (DESIGN.md): a name in everyday words, and one or two sentences on what the network
    # looks at and why it matters. `title`, `network` and `published_recipe` are for developers.
    plain_name: str = ""
    intro: str = ""

    @property
    def ours(self) -> bool:
        """One of this project's presets: its reported accuracy is what we measured, not what others published."""
        return self.source == OWN_SOURCE

    def build(self, options: BuildOptions) -> "keras.Model":
        """A compiled Keras model: input (N, 28, 28, 1) floats in [0, 1], output class probabilities."""
        return self.builder(options)

    def summary(self) -> dict[str, Any]:
        """The JSON-friendly description used by `models --json` and the app."""
        return {
            "name": self.name, "title": self.title, "plain_name": self.plain_name, "intro": self.intro,
            "source": self.source, "network": self.network,
            "published_recipe": self.published_recipe, "params": self.params,
            "reported_accuracy": self.reported_accuracy,
            "defaults": {"epochs": self.defaults.epochs, "batch_size": self.defaults.batch_size,
                         "learning_rate": self.defaults.learning_rate},
        }


def _output(x, options: BuildOptions, seeds: "_Seeds"):
    """Logits to probabilities in float32, which mixed precision needs for a stable softmax."""
    from keras import layers

    x = layers.Dense(NUM_CLASSES, kernel_initializer=seeds.glorot(), dtype=options.dtype, name=LOGITS_LAYER)(x)
    return layers.Activation("softmax", dtype="float32", name="probabilities")(x)


def _compile(model: "keras.Model", optimizer, options: BuildOptions, label_smoothing: float = 0.0) -> "keras.Model":
    """Every model trains on one-hot labels, so presets can add label smoothing."""
    import keras

    model.compile(optimizer=optimizer,
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
                  metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")], jit_compile=options.jit_compile)
    return model


def _input():
    import keras

    return keras.Input(shape=INPUT_SHAPE, name="image")


def build_softmax(options: BuildOptions) -> "keras.Model":
    """TF "MNIST for beginners": one dense layer, weights initialised to zero."""
    import keras
    from keras import layers

    inputs = _input()
    x = layers.Flatten()(inputs)
    x = layers.Dense(NUM_CLASSES, kernel_initializer="zeros", dtype=options.dtype, name=LOGITS_LAYER)(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    model = keras.Model(inputs, outputs, name="softmax")
    return _compile(model, keras.optimizers.SGD(options.learning_rate), options)


def build_mlp(options: BuildOptions) -> "keras.Model":
    """The TF-book MLP: 500 ReLU units, exponential LR decay, L2, moving average of weights."""
    import keras
    from keras import layers, regularizers

    # tf.nn.l2_loss is sum(w**2) / 2, so the book's 1e-4 is Keras' L2(5e-5).
    l2 = regularizers.L2(1e-4 / 2)
    inputs = _input()
    x = layers.Flatten()(inputs)
    seeds = _Seeds(options.seed)
    x = layers.Dense(500, activation="relu", kernel_regularizer=l2, kernel_initializer=seeds.glorot(),
                     dtype=options.dtype, name="hidden")(x)
    x = layers.Dense(NUM_CLASSES, kernel_regularizer=l2, kernel_initializer=seeds.glorot(), dtype=options.dtype,
                     name=LOGITS_LAYER)(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    # Decay x0.99 per epoch, continuously (staircase=False), as the book does.
    schedule = keras.optimizers.schedules.ExponentialDecay(
        options.learning_rate, decay_steps=options.steps_per_epoch, decay_rate=0.99)
    # use_ema keeps the 0.99 moving average; fit() swaps it in at the end, so we evaluate the averaged weights.
    optimizer = keras.optimizers.SGD(schedule, use_ema=True, ema_momentum=0.99)
    return _compile(keras.Model(inputs, outputs, name="mlp"), optimizer, options)


def build_deepnn(options: BuildOptions) -> "keras.Model":
    """TF "Deep MNIST for experts": two 5x5 conv+pool blocks, fc1024, dropout 0.5."""
    import keras
    from keras import initializers, layers

    seeds = _Seeds(options.seed)
    bias = initializers.Constant(0.1)

    def dense():  # a fresh, separately seeded initializer per layer: one seeded object repeats its values
        return dict(kernel_initializer=initializers.TruncatedNormal(stddev=0.1, seed=seeds.next()),
                    bias_initializer=bias, dtype=options.dtype)

    inputs = _input()
    x = layers.Conv2D(32, 5, padding="same", activation="relu", name="conv1", **dense())(inputs)
    x = layers.MaxPooling2D(name="pool1", dtype=options.dtype)(x)
    x = layers.Conv2D(64, 5, padding="same", activation="relu", name="conv2", **dense())(x)
    x = layers.MaxPooling2D(name="pool2", dtype=options.dtype)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(1024, activation="relu", name="fc1", **dense())(x)
    x = layers.Dropout(0.5, seed=seeds.next(), name="dropout")(x)
    x = layers.Dense(NUM_CLASSES, name=LOGITS_LAYER, **dense())(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    return _compile(keras.Model(inputs, outputs, name="deepnn"), keras.optimizers.Adam(options.learning_rate), options)


def build_keras_cnn(options: BuildOptions) -> "keras.Model":
    """The TF2 Keras tutorial CNN: three 3x3 convs, dense 64 (93,322 parameters)."""
    import keras
    from keras import layers

    seeds = _Seeds(options.seed)
    inputs = _input()
    x = layers.Conv2D(32, 3, activation="relu", kernel_initializer=seeds.glorot(), dtype=options.dtype,
                      name="conv1")(inputs)
    x = layers.MaxPooling2D(dtype=options.dtype, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", kernel_initializer=seeds.glorot(), dtype=options.dtype,
                      name="conv2")(x)
    x = layers.MaxPooling2D(dtype=options.dtype, name="pool2")(x)
    x = layers.Conv2D(64, 3, activation="relu", kernel_initializer=seeds.glorot(), dtype=options.dtype,
                      name="conv3")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu", kernel_initializer=seeds.glorot(), dtype=options.dtype, name="dense")(x)
    outputs = _output(x, options, seeds)
    return _compile(keras.Model(inputs, outputs, name="keras_cnn"), keras.optimizers.Adam(options.learning_rate), options)


def _conv_bn(x, filters: int, options: BuildOptions, seeds: _Seeds, name: str, kernel: int = 3,
             strides: int = 1, padding: str = "same"):
    """Conv without bias, batch norm, ReLU: the block both presets are made of."""
    from keras import layers

    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False,
                      kernel_initializer=seeds.glorot(), dtype=options.dtype, name=name)(x)
    # Momentum 0.9 (not Keras' 0.99) lets the running statistics settle within short demo runs.
    x = layers.BatchNormalization(momentum=0.9, dtype=options.dtype, name=f"{name}_bn")(x)
    return layers.Activation("relu", dtype=options.dtype, name=f"{name}_relu")(x)


def _one_cycle(options: BuildOptions, warmup_fraction: float):
    """Linear warm-up to the peak rate, then cosine decay to zero: fast and stable in few epochs."""
    import keras

    warmup = max(1, int(options.total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=options.learning_rate / 10, decay_steps=max(1, options.total_steps - warmup),
        warmup_target=options.learning_rate, warmup_steps=warmup)


def build_fast(options: BuildOptions) -> "keras.Model":
    """Ours: three strided batch-norm convs and a one-cycle schedule: 99% in one epoch on a CPU.

    It reads the middle 24 x 24 pixels (MNIST centres each digit's 20 x 20 box by its ink, so the 2-pixel
    frame holds 0.24% of the training set's ink), and each conv shrinks the image (24 -> 12 -> 6 -> 2)
    instead of pooling, so it computes only the outputs that are kept; the last one reads the 6 x 6 maps
    without a padded border. 1.05 M multiply-adds per image (the published Keras CNN: ~2.5 M), trained for
    one epoch at batch 128 instead of five at batch 32 (docs/benchmarks.md has the measurements).
    """
    import keras
    from keras import layers

    seeds = _Seeds(options.seed)
    inputs = _input()
    x = layers.Cropping2D(2, dtype=options.dtype, name="crop")(inputs)
    x = _conv_bn(x, 32, options, seeds, "conv1", kernel=5, strides=2)
    x = _conv_bn(x, 64, options, seeds, "conv2", strides=2)
    x = _conv_bn(x, 96, options, seeds, "conv3", strides=2, padding="valid")
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu", kernel_initializer=seeds.glorot(), dtype=options.dtype, name="dense")(x)
    outputs = _output(x, options, seeds)
    model = keras.Model(inputs, outputs, name="fast")
    schedule = _one_cycle(options, warmup_fraction=0.2)
    if options.dtype == "float32" and keras.backend.backend() == "tensorflow":  # how CPUs train: fused kernels
        for layer in model.layers:
            if isinstance(layer, layers.BatchNormalization):
                keras_internals.fuse_batch_norm(layer)
        optimizer = keras_internals.fused_adam(schedule)
    else:
        optimizer = keras.optimizers.Adam(schedule)
    return _compile(model, optimizer, options, label_smoothing=0.1)


def build_best(options: BuildOptions) -> "keras.Model":
    """Ours: a wider batch-norm CNN trained on augmented digits (rotation, shift, zoom)."""
    import keras
    from keras import layers

    seeds = _Seeds(options.seed)
    inputs = _input()
    # Augmentation runs only while training; inference sees the image as it is.
    x = layers.RandomRotation(0.03, fill_mode="constant", seed=seeds.next(), name="augment_rotate")(inputs)
    x = layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seeds.next(), name="augment_shift")(x)
    x = layers.RandomZoom(0.1, fill_mode="constant", seed=seeds.next(), name="augment_zoom")(x)
    x = _conv_bn(x, 32, options, seeds, "conv1")
    x = _conv_bn(x, 32, options, seeds, "conv2")
    x = layers.MaxPooling2D(dtype=options.dtype, name="pool1")(x)
    x = _conv_bn(x, 64, options, seeds, "conv3")
    x = _conv_bn(x, 64, options, seeds, "conv4")
    x = layers.MaxPooling2D(dtype=options.dtype, name="pool2")(x)
    x = _conv_bn(x, 128, options, seeds, "conv5")
    x = layers.GlobalAveragePooling2D(dtype=options.dtype, name="pool3")(x)
    x = layers.Dropout(0.3, seed=seeds.next(), name="dropout")(x)
    outputs = _output(x, options, seeds)
    optimizer = keras.optimizers.Adam(_one_cycle(options, warmup_fraction=0.1))
    return _compile(keras.Model(inputs, outputs, name="best"), optimizer, options, label_smoothing=0.1)


ZOO: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec(
        name="softmax", title="Softmax regression",
        source='TensorFlow tutorial "MNIST for ML beginners"',
        network="784 -> 10 softmax",
        published_recipe="SGD lr 0.5, batch 100, 1000 steps",
        reported_accuracy=0.92, params=7_850,
        # 2 epochs of 600 steps: the published 1000 steps rounded up to whole epochs.
        defaults=Recipe(epochs=2, batch_size=100, learning_rate=0.5), builder=build_softmax,
        plain_name='Ten templates',
        intro=("The simplest network there is: it learns one template per digit, a picture of where that digit's ink"
              ' usually lies, and answers with the digit whose template matches the writing best. Watch the ten '
              'templates appear out of nothing.')),
    ModelSpec(
        name="mlp", title="Multilayer perceptron",
        source='"TensorFlow: practical Google deep learning framework" (book), chapter 5',
        network="784 -> 500 ReLU -> 10",
        published_recipe="SGD lr 0.8 decaying x0.99 per epoch, L2 1e-4, weight moving average 0.99, "
                         "batch 100, 20000 steps",
        reported_accuracy=0.984, params=397_510,
        # 33 epochs x 600 steps = 19,800 steps, the published 20,000 in whole epochs.
        defaults=Recipe(epochs=33, batch_size=100, learning_rate=0.8), builder=build_mlp,
        plain_name='Two-layer detectors',
        intro=('Looks at all 784 pixels at once, like the templates, but through 500 detectors in between, each '
              'learning a piece of handwriting. It takes longer to learn and reads more digits right.')),
    ModelSpec(
        name="deepnn", title="Deep MNIST CNN",
        source='TensorFlow tutorial "Deep MNIST for experts"',
        network="conv5x5x32, pool, conv5x5x64, pool, fc1024, dropout 0.5, fc10",
        published_recipe="Adam 1e-4, batch 50, 20000 steps (5000 steps gives ~98.6%)",
        reported_accuracy=0.992, params=3_274_634,
        # 17 epochs x 1200 steps = 20,400 steps, the published 20,000 in whole epochs.
        defaults=Recipe(epochs=17, batch_size=50, learning_rate=1e-4), builder=build_deepnn,
        plain_name="Google's stroke finder",
        intro=('Slides small stroke detectors over the image, so it spots an edge or a curve wherever it is, then '
              "combines them into digits. Google's classic tutorial network: accurate, but big and slow to train.")),
    ModelSpec(
        name="keras_cnn", title="Keras CNN",
        source='TensorFlow 2 tutorial "Convolutional Neural Network (CNN)"',
        network="conv3x3x32, pool, conv3x3x64, pool, conv3x3x64, dense64, dense10",
        published_recipe="Adam 1e-3, batch 32, 5 epochs",
        reported_accuracy=0.990, params=93_322,
        defaults=Recipe(epochs=5, batch_size=32, learning_rate=1e-3), builder=build_keras_cnn,
        plain_name='Small stroke finder',
        intro=("Like Google's deep network it slides small stroke detectors over the image, but with thirty times "
              'fewer parts, so it learns quickly and still reads about 99 digits in 100.')),
    ModelSpec(
        name="fast", title="Fast preset (ours)",
        source=OWN_SOURCE,
        network="crop 28->24, conv5x5/2 32, conv3x3/2 64, conv3x3/2 96 unpadded (each + batch norm), "
                "dense128, dense10",
        published_recipe="Adam one-cycle peak 8e-3, label smoothing 0.1, batch 128, 1 epoch",
        reported_accuracy=0.990, params=125_866,
        defaults=Recipe(epochs=1, batch_size=128, learning_rate=8e-3), builder=build_fast,
        plain_name='Quick learner (ours)',
        intro=('Our network for a live demo: stroke detectors tuned to read 99 digits in 100 after seeing each '
              'training image just once, in well under a minute.')),
    ModelSpec(
        name="best", title="Best preset (ours)",
        source=OWN_SOURCE,
        network="augmentation, 5 x (conv3x3 + batch norm) 32-32-64-64-128, global pool, dropout, dense10",
        published_recipe="Adam one-cycle peak 3e-3, label smoothing 0.1, batch 128, 15 epochs",
        reported_accuracy=0.996, params=141_098,
        defaults=Recipe(epochs=15, batch_size=128, learning_rate=3e-3), builder=build_best,
        plain_name='Best reader (ours)',
        intro=('Our most careful reader: it practises on slightly turned, shifted and zoomed copies of the digits, '
              'so untidy handwriting surprises it less. It needs several minutes to learn.')),
)}


def get_spec(name: str) -> ModelSpec:
    """The spec called `name`, or an error listing the names that exist."""
    try:
        return ZOO[name]
    except KeyError:
        raise TrainingError(f"Unknown model {name!r}. Choose one of: {', '.join(ZOO)}.") from None


def steps_per_epoch(num_images: int, batch_size: int) -> int:
    return max(1, math.ceil(num_images / batch_size))


def fraction_words(done: float) -> str:
    """A fraction of the passes over the images as people read it: "0.3", "0.05", "1.5"."""
    return f"{done:.2f}".rstrip("0") if done < 0.1 else f"{done:.1f}".removesuffix(".0")


def describe(meta: ModelMeta, name: str, *, short: bool = False) -> str:
    """A trained model in everyday words, such as "Small stroke finder · 99.1%" or, for a stopped run,
    "Google's stroke finder · 90.7% · stopped after 0.3 of 3 epochs" ("· stopped early" when `short`).

    `name` stands in for a network that is not in the zoo (a file's stem).
    """
    network = meta.model or name
    accuracy = f" · {meta.test_accuracy:.1%}" if meta.test_accuracy is not None else ""
    stopped = ""
    if meta.stopped:
        done, planned = meta.epochs_done, meta.planned_epochs
        stopped = " · stopped early"
        if done is not None and planned and not short:
            stopped = f" · stopped after {fraction_words(done)} of {planned} epoch{'' if planned == 1 else 's'}"
    return f"{ZOO[network].plain_name if network in ZOO else network}{accuracy}{stopped}"
