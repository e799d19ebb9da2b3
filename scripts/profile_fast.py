"""Where a step of the `fast` preset's training goes on this CPU: per-step CPU and wall milliseconds.

    nice -n 10 python scripts/profile_fast.py STEPS VARIANT...

Each variant is traced first (20 steps, not timed), then STEPS steps of batch 128 are timed through
`fit()` on the engine's uint8 pipeline. Variants change one thing against the preset (fitting.plan's
network and compile) to show what each part of a step costs; accuracy is not measured here
(scripts/explore_fast.py does that on held-out images).
"""

from __future__ import annotations

import json
import os
import sys
import time

import keras
import tensorflow as tf
from keras import layers

from mnist_core import fitting
from mnist_core.data import NUM_FIT, load_mnist
from mnist_core.models import BuildOptions, _fused_adam, _fused_batch_norm, _one_cycle, _Seeds, steps_per_epoch

MNIST = load_mnist()
X, Y = MNIST.x_train[:NUM_FIT, :, :, None], MNIST.y_train[:NUM_FIT]
BATCH = 128


def FusedBatchNorm(**kwargs) -> layers.BatchNormalization:
    """Keras' batch norm trained through TensorFlow's one fused kernel, as the library's `fast` trains."""
    layer = layers.BatchNormalization(**kwargs)
    _fused_batch_norm(layer)
    return layer


def network(seeds: _Seeds, norm: str = "keras", c=(32, 64, 96), dense: int = 128, s2d: bool = False,
            no_conv1: bool = False, pad3: str = "same") -> keras.Model:
    inputs = keras.Input((28, 28, 1))
    x = inputs
    if s2d:
        x = layers.Lambda(lambda t: tf.nn.space_to_depth(t, 2))(x)
    for i, filters in enumerate(c):
        if i == 0 and no_conv1:
            x = layers.AveragePooling2D()(x)
            continue
        kernel = 3 if (i > 0 or s2d) else 5
        strides = 1 if (i == 0 and s2d) else 2
        x = layers.Conv2D(filters, kernel, strides=strides, padding=pad3 if i == 2 else "same", use_bias=norm == "none",
                          kernel_initializer=seeds.glorot())(x)
        if norm == "keras":
            x = layers.BatchNormalization(momentum=0.9)(x)
        elif norm == "fused":
            x = FusedBatchNorm(momentum=0.9)(x)
        elif norm == "fused12" and i < 2:
            x = FusedBatchNorm(momentum=0.9)(x)
        x = layers.Activation("relu")(x)
    x = layers.Dense(dense, activation="relu", kernel_initializer=seeds.glorot())(layers.Flatten()(x))
    x = layers.Dense(10, kernel_initializer=seeds.glorot())(x)
    return keras.Model(inputs, layers.Activation("softmax")(x))


VARIANTS = {
    "preset": {},
    "no_bn": dict(norm="none"),
    "s2d": dict(s2d=True),
    "fused": dict(norm="fused"),
    "fused_s2d": dict(norm="fused", s2d=True),
    "no_conv1": dict(no_conv1=True),
    "narrow": dict(c=(24, 32, 64)),
    "mid": dict(c=(32, 48, 64)),
    "spe8": dict(spe=8),
    "spe32": dict(spe=32),
    "no_metrics": dict(metrics=False),
    "fadam": dict(fused_adam=True),
    "c3valid": dict(pad3="valid"),
    "c3valid_fused": dict(pad3="valid", fused_adam=True, norm="fused"),
    "fadam_fused": dict(fused_adam=True, norm="fused"),
    "no_callback": dict(callback=False),
}


def run(name: str, steps: int, spe: int = 1, metrics: bool = True, callback: bool = True, fused_adam: bool = False,
        **shape) -> dict:
    per_epoch = steps_per_epoch(len(X), BATCH)
    options = BuildOptions(learning_rate=8e-3, steps_per_epoch=per_epoch, total_steps=per_epoch, seed=0,
                           jit_compile=False)
    model = network(_Seeds(0), **shape)
    model.compile(optimizer=(_fused_adam if fused_adam else keras.optimizers.Adam)(_one_cycle(options, 0.2)),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
                  metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")] if metrics else None,
                  jit_compile=False, steps_per_execution=spe)

    class ReadsLoss(keras.callbacks.Callback):  # as the engine's publisher does after every batch
        def on_train_batch_end(self, batch, logs=None):
            float(logs["loss"])

    callbacks = [ReadsLoss()] if callback else []
    data = fitting.batches(X, Y, BATCH, 2, 0)
    first, first_cpu = time.perf_counter(), time.process_time()
    model.fit(data, steps_per_epoch=1, epochs=1, verbose=0, callbacks=callbacks)  # trace + first step
    first, first_cpu = time.perf_counter() - first, time.process_time() - first_cpu
    model.fit(data, steps_per_epoch=31, epochs=1, verbose=0, callbacks=callbacks)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=callbacks)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"variant": name, "steps": steps, "wall_ms_per_step": round(1000 * wall / steps, 2),
            "cpu_ms_per_step": round(1000 * cpu / steps, 2),
            "first_step_s": round(first, 2), "first_step_cpu_s": round(first_cpu, 2), "params": model.count_params(),
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
            "intra": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter": tf.config.threading.get_inter_op_parallelism_threads()}


if __name__ == "__main__":
    if os.environ.get("INTRA"):
        tf.config.threading.set_intra_op_parallelism_threads(int(os.environ["INTRA"]))
    if os.environ.get("INTER"):
        tf.config.threading.set_inter_op_parallelism_threads(int(os.environ["INTER"]))
    steps = int(sys.argv[1])
    for name in sys.argv[2:]:
        print(json.dumps(run(name, steps, **VARIANTS[name])), flush=True)
