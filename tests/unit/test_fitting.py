"""Training feeds bytes, not floats, and a job's weights depend on its configuration alone (issue #15)."""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest

from mnist_core import fitting
from mnist_core.models import BuildOptions, get_spec
from mnist_core.training import TrainConfig, start_training

# Dropout (deepnn) and augmentation + dropout (best) draw random numbers while training, not only at the start.
SEEDED = [("fast", 600), ("deepnn", 300), ("best", 300)]


def trained_weights(config: TrainConfig) -> list[np.ndarray]:
    """What the engine trains for `config` (its own seeded network and order), without saving it."""
    plan = fitting.plan(config, fitting.prepared_data(config.limit), device="CPU")
    plan.fit(callbacks=[])
    return plan.model.get_weights()


def assert_same(first: list[np.ndarray], second: list[np.ndarray]) -> None:
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def global_state() -> tuple:
    return random.getstate(), repr(np.random.get_state())


def other_sessions(stop: threading.Event) -> None:
    """What other visitors' code may do meanwhile: draw from, and reseed, the process-wide generators."""
    import keras

    draw = 0
    while not stop.is_set():
        draw += 1
        random.random(), np.random.random()
        keras.utils.set_random_seed(draw)
        stop.wait(0.001)


@pytest.mark.parametrize("name, images", SEEDED)
def test_same_seed_same_weights_alone_or_concurrently(name, images):
    config = TrainConfig.for_model(name, epochs=1, limit=images, batch_size=50, seed=7)
    alone = trained_weights(config)
    results: dict[int, list[np.ndarray]] = {}
    start, stop = threading.Barrier(2), threading.Event()

    def train(slot: int) -> None:
        start.wait()
        results[slot] = trained_weights(config)

    threads = [threading.Thread(target=train, args=(slot,)) for slot in (0, 1)]
    noise = threading.Thread(target=other_sessions, args=(stop,))
    noise.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    stop.set()
    noise.join()
    assert set(results) == {0, 1}
    assert_same(alone, results[0])
    assert_same(alone, results[1])
    # The seed matters: another seed starts from other weights.
    other = get_spec(name).build(BuildOptions(learning_rate=0.1, steps_per_epoch=1, total_steps=1, seed=8))
    assert any(not np.array_equal(a, b) for a, b in zip(alone, other.get_weights()))


def test_training_leaves_the_global_generators_alone():
    import tensorflow  # noqa: F401  (importing it draws from Python's generator: that is not the training's doing)

    random.seed(3)
    np.random.seed(3)
    before = global_state()
    progress = start_training(TrainConfig.for_model("best", epochs=1, limit=200, batch_size=50, seed=5)).wait(300)
    assert progress.state == "done", progress.error
    assert global_state() == before


def test_data_stays_bytes_until_the_batch():
    x_train, y_train, x_test, y_test = fitting.prepared_data(1000)
    assert x_train.dtype == x_test.dtype == np.uint8 and x_train.shape == (1000, 28, 28, 1)
    assert y_train.dtype == np.uint8 and y_train.shape == (1000,) and x_test.shape == (10_000, 28, 28, 1)
    images, labels = next(iter(fitting.batches(x_train, y_train, batch_size=64, epochs=1, seed=0)))
    assert images.dtype.name == "float32" and images.shape == (64, 28, 28, 1)
    assert 0.0 <= float(images.numpy().min()) and float(images.numpy().max()) <= 1.0
    assert labels.shape == (64, 10) and np.allclose(labels.numpy().sum(axis=1), 1)


def test_every_epoch_sees_every_image_once_in_its_own_order():
    images = np.arange(10, dtype=np.uint8).reshape(10, 1, 1, 1)
    labels = np.arange(10, dtype=np.uint8)
    epochs = [[], []]
    batches = list(fitting.batches(images, labels, batch_size=4, epochs=2, seed=1))
    assert [len(b[1]) for b in batches] == [4, 4, 2, 4, 4, 2]  # a partial last batch per epoch, as Keras does
    for number, (pixels, onehot) in enumerate(batches):
        seen = onehot.numpy().argmax(axis=1)
        np.testing.assert_allclose(pixels.numpy().reshape(-1) * 255, seen)  # each image keeps its label
        epochs[number // 3].extend(seen.tolist())
    assert sorted(epochs[0]) == sorted(epochs[1]) == list(range(10))
    assert epochs[0] != epochs[1]
    again = [b[1].numpy().argmax(axis=1).tolist() for b in fitting.batches(images, labels, 4, 2, seed=1)]
    assert sum(again, []) == epochs[0] + epochs[1]
