"""Keras' private parts the `fast` preset leans on, in one place: each with why, and what it waits for.

Both make CPU training faster through TensorFlow's fused kernels, with the same arithmetic as Keras' own code;
tests/unit/test_keras_internals.py fails loudly on a Keras that lacks a part, and checks the numbers agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras


def fuse_batch_norm(layer: "keras.layers.BatchNormalization") -> None:
    """Train `layer` through TensorFlow's one fused batch-norm kernel instead of the ~10 ops Keras 3 composes.

    The same normalisation and running averages (the batch variance is Bessel-corrected, n/(n-1) with n =
    128 x 14 x 14 at least); reading is Keras' own code, and the saved file holds a plain
    BatchNormalization, so a model trained this way loads anywhere. Only the TensorFlow backend on NHWC
    float32, which is how `fast` trains on a CPU; anything else keeps Keras' path.

    Private part: replaces the layer's `call`. Waits for: Keras composing batch norm from the fused kernel.
    """
    import tensorflow as tf

    keras_call = layer.call

    def call(inputs, training=None, mask=None):
        if not training or not layer.trainable or inputs.dtype != tf.float32 or layer.axis not in (-1, 3):
            return keras_call(inputs, training=training, mask=mask)
        empty = tf.constant([], tf.float32)
        outputs, mean, variance, _, _, _ = tf.raw_ops.FusedBatchNormV3(
            x=inputs, scale=layer.gamma, offset=layer.beta, mean=empty, variance=empty, epsilon=layer.epsilon,
            exponential_avg_factor=1.0, data_format="NHWC", is_training=True)
        layer.moving_mean.assign(layer.moving_mean * layer.momentum + mean * (1 - layer.momentum))
        layer.moving_variance.assign(layer.moving_variance * layer.momentum + variance * (1 - layer.momentum))
        return outputs

    layer.call = call


def fused_adam(learning_rate) -> "keras.optimizers.Optimizer":
    """Keras' Adam with each variable updated by TensorFlow's one ResourceApplyAdam op (the same formula).

    Keras 3 writes Adam's update as ~20 graph ops per variable: building them is most of what `fit()`
    traces before its first step (this saves ~0.5 s of CPU there), and each runs every step
    (docs/benchmarks.md).
    Falls back to Keras' update for anything but a plain float32 tf.Variable.

    Private parts: Adam's `_momentums`, `_velocities` and `_get_variable_index`. Waits for: Keras' Adam using
    the fused op itself.
    """
    import keras
    import tensorflow as tf

    class FusedAdam(keras.optimizers.Adam):
        def update_step(self, gradient, variable, learning_rate):
            if not isinstance(variable, tf.Variable) or variable.dtype != tf.float32:
                return super().update_step(gradient, variable, learning_rate)
            index = self._get_variable_index(variable)
            step = tf.cast(self.iterations + 1, tf.float32)
            beta_1, beta_2 = tf.cast(self.beta_1, tf.float32), tf.cast(self.beta_2, tf.float32)
            tf.raw_ops.ResourceApplyAdam(
                var=variable.handle, m=self._momentums[index].handle, v=self._velocities[index].handle,
                beta1_power=tf.pow(beta_1, step), beta2_power=tf.pow(beta_2, step),
                lr=tf.cast(learning_rate, tf.float32), beta1=beta_1, beta2=beta_2,
                epsilon=tf.cast(self.epsilon, tf.float32), grad=tf.cast(gradient, tf.float32))

    return FusedAdam(learning_rate)
