"""Keras' private parts behind the `fast` preset's fused kernels: present, and the same numbers as Keras' own code.

A Keras without one of them fails here, loudly, instead of training `fast` differently or crashing mid-run.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from mnist_core import keras_internals


def test_adam_still_keeps_the_slots_the_fused_update_reads():
    optimizer = keras.optimizers.Adam(1e-3)
    variable = keras.Variable(np.ones(3, np.float32))
    optimizer.build([variable])
    index = optimizer._get_variable_index(variable)
    assert optimizer._momentums[index].shape == optimizer._velocities[index].shape == (3,)


def test_the_fused_adam_steps_exactly_as_keras_adam_does():
    start = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    gradients = [np.random.default_rng(seed).normal(size=(4, 3)).astype(np.float32) for seed in (1, 2, 3)]
    results = []
    for optimizer in (keras.optimizers.Adam(0.01), keras_internals.fused_adam(0.01)):
        variable = keras.Variable(start.copy())
        for gradient in gradients:
            optimizer.apply_gradients([(tf.constant(gradient), variable)])
        results.append(np.asarray(variable))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("training", [True, False])
def test_the_fused_batch_norm_normalises_and_averages_as_keras_does(training):
    batch = np.random.default_rng(0).normal(2.0, 3.0, size=(8, 5, 5, 4)).astype(np.float32)
    outputs, averages = [], []
    for fused in (False, True):
        layer = keras.layers.BatchNormalization(momentum=0.9)
        layer.build(batch.shape)
        if fused:
            keras_internals.fuse_batch_norm(layer)
        outputs.append(np.asarray(layer(batch, training=training)))
        averages.append((np.asarray(layer.moving_mean), np.asarray(layer.moving_variance)))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-4, atol=1e-4)
    (mean, variance), (fused_mean, fused_variance) = averages
    np.testing.assert_allclose(fused_mean, mean, rtol=1e-4, atol=1e-5)
    # TensorFlow's kernel keeps the batch variance Bessel-corrected (n / (n - 1), n values per channel): the running
    # variance moves by that much more (the docstring says so); from its start at 1, with momentum 0.9.
    n = batch.size // batch.shape[-1]
    corrected = 1 + (variance - 1) * (n / (n - 1) if training else 1)
    np.testing.assert_allclose(fused_variance, corrected, rtol=1e-3)
