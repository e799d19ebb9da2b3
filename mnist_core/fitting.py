"""Feeding a network while it trains: bytes until the batch, an order that belongs to the job.

Two things a classroom server needs from a training run, and why they live here:

- **Memory.** The images stay what MNIST stores, one byte a pixel (43 MB for 55,000 images), and are
  never copied as floats (172 MB, plus one-hot labels): each batch is gathered, turned into floats in
  [0, 1] and its labels into one-hot rows inside TensorFlow's input pipeline, a batch at a time.
  The network itself still takes floats in [0, 1], so saved models read pictures exactly as before.
- **Randomness.** The order of the images comes from the job's own generator
  (`np.random.default_rng(seed)`), and the network's starting weights from seeded initializers
  (`models.BuildOptions.seed`): a job's result depends only on its configuration, and training never
  reseeds or draws from the process-wide generators other sessions use.

`plan(config, data, device)` builds the seeded network and its batches; `Plan.fit(callbacks)` trains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .data import NUM_FIT, load_mnist
from .models import NUM_CLASSES, BuildOptions, get_spec, steps_per_epoch

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

    from .config import TrainConfig

TEST_BATCH = 1000  # test images per forward pass between epochs; bounds memory on small GPUs
PIXEL_MAX = 255.0  # bytes 0-255 become floats 0-1, as every model expects
PREFETCH = 2  # batches made ahead of the training step, on tf.data's own thread


@lru_cache(maxsize=1)  # views of the loaded MNIST arrays: nothing is copied, so keeping one costs nothing
def prepared_data(limit: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first `limit` training images (default all NUM_FIT) and the test set, as stored: uint8.

    Images are (N, 28, 28, 1) bytes 0-255 and labels (N,) digits 0-9; `batches` and `test_batches`
    make floats and one-hot rows a batch at a time.
    """
    mnist = load_mnist()
    count = limit or NUM_FIT  # never the held-out validation images
    return mnist.x_train[:count, :, :, None], mnist.y_train[:count], mnist.x_test[:, :, :, None], mnist.y_test


def shuffled_order(count: int, epochs: int, seed: int) -> np.ndarray:
    """Each epoch's order of the images, (epochs, count), from a generator that belongs to this job alone."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(count) for _ in range(epochs)]).astype(np.int32)


def _as_floats(images: "tf.Tensor", labels: "tf.Tensor") -> tuple["tf.Tensor", "tf.Tensor"]:
    """One batch of bytes and digits -> floats in [0, 1] and one-hot rows, what the networks train on."""
    import tensorflow as tf

    return tf.cast(images, tf.float32) / PIXEL_MAX, tf.one_hot(tf.cast(labels, tf.int32), NUM_CLASSES)


def batches(images: np.ndarray, labels: np.ndarray, batch_size: int, epochs: int, seed: int) -> "tf.data.Dataset":
    """All `epochs` of batches in the job's own shuffled order (the last batch of an epoch may be smaller).

    The whole slice is one in-memory uint8 tensor; a batch is picked from it by index and cast there.
    """
    import tensorflow as tf

    pixels, digits = tf.constant(images), tf.constant(labels)
    order = tf.data.Dataset.from_tensor_slices(shuffled_order(len(images), epochs, seed))
    picked = order.flat_map(lambda epoch: tf.data.Dataset.from_tensor_slices(epoch).batch(batch_size))
    batched = picked.map(lambda index: _as_floats(tf.gather(pixels, index), tf.gather(digits, index)))
    return batched.prefetch(PREFETCH).with_options(_fixed_pipeline())


def test_batches(images: np.ndarray, labels: np.ndarray, batch_size: int = TEST_BATCH) -> "tf.data.Dataset":
    """The test set in order, cast a batch at a time, for `model.evaluate` between epochs."""
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(batch_size)
    return data.map(_as_floats).prefetch(PREFETCH).with_options(_fixed_pipeline())


def _fixed_pipeline() -> "tf.data.Options":
    """tf.data's autotuner off: a batch is a gather and a cast, far cheaper than a training step.

    With it on, `fit()` sat idle 0.5-14 s at its end (the iterator's teardown, using no CPU) in 5 of 7
    runs of `fast`, and the first step took more CPU; two batches made ahead on tf.data's own thread keep
    the step fed (docs/benchmarks.md, issue #16).
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return options


@dataclass
class Plan:
    """A seeded, compiled network and the batches it will see; `fit` trains it."""

    config: "TrainConfig"
    model: "keras.Model"
    x_train: np.ndarray  # uint8, for the count; the batches hold their own tensor of it
    train: "tf.data.Dataset"
    test: tuple["tf.data.Dataset"]  # as `model.evaluate(*test)` takes it
    per_epoch: int

    def fit(self, callbacks: list[Any]) -> None:
        """Train for the configured epochs; callbacks see every batch, as with arrays."""
        self.model.fit(self.train, epochs=self.config.epochs, steps_per_epoch=self.per_epoch, shuffle=False,
                       verbose=0, callbacks=callbacks)


def plan(config: "TrainConfig", data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], device: str,
         dtype: str = "float32") -> Plan:
    """The network for `config` with weights seeded by `config.seed`, and its batches; nothing trained yet."""
    x_train, y_train, x_test, y_test = data
    per_epoch = steps_per_epoch(len(x_train), config.batch_size)
    model = get_spec(config.model).build(BuildOptions(
        learning_rate=config.learning_rate, steps_per_epoch=per_epoch, total_steps=config.total_steps,
        dtype=dtype, jit_compile="auto" if device == "GPU" else False, seed=config.seed))
    train = batches(x_train, y_train, config.batch_size, config.epochs, config.seed)
    return Plan(config=config, model=model, x_train=x_train, train=train, test=(test_batches(x_test, y_test),),
                per_epoch=per_epoch)
