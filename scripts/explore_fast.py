"""Levers for the `fast` preset, tried side by side: one epoch on the 55,000 training images.

    nice -n 10 python scripts/explore_fast.py 0,1 preset narrow > levers.jsonl

Each variant is trained in this process from its seed (fitting.batches: the uint8 pipeline the engine
uses) and judged on the 5,000 held-out training images, never on the test set. It prints one JSON line
per run: wall seconds of fit() and the process's CPU seconds over it. On a shared machine the CPU seconds
are the steadier measure of a variant's work (wall time swings with other people's load).
"""

from __future__ import annotations

import json
import sys
import time

import keras
import numpy as np
from keras import layers

from mnist_core import fitting
from mnist_core.data import NUM_FIT, load_mnist
from mnist_core.models import BuildOptions, _fused_batch_norm, _one_cycle, _Seeds, get_spec, steps_per_epoch

MNIST = load_mnist()
X, Y = MNIST.x_train[:NUM_FIT, :, :, None], MNIST.y_train[:NUM_FIT]
X_HELD_OUT, Y_HELD_OUT = MNIST.x_validation[..., None].astype(np.float32) / 255, MNIST.y_validation


def FusedBatchNorm(**kwargs) -> layers.BatchNormalization:
    """Keras' batch norm trained through TensorFlow's one fused kernel, as the library's `fast` trains."""
    layer = layers.BatchNormalization(**kwargs)
    _fused_batch_norm(layer)
    return layer


FUSED = False  # set per run: every batch norm of the network fused


def conv_bn(x, filters: int, seeds: _Seeds, kernel: int = 3, strides: int = 1, padding: str = "same",
            norm: bool = True):
    """Conv, batch norm (momentum 0.9 as in the presets), ReLU."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=not norm,
                      kernel_initializer=seeds.glorot())(x)
    if norm:
        x = (FusedBatchNorm if FUSED else layers.BatchNormalization)(momentum=0.9)(x)
    return layers.Activation("relu")(x)


def network(kind: str, seeds: _Seeds, c1: int = 32, c2: int = 64, c3: int = 96, dense: int = 128,
            norm: bool = True, norm3: bool = True, pad3: str = "same", crop: int = 0) -> keras.Model:
    """strided: the preset's shape (every conv halves the image); pooled: tuomaso's (conv, max-pool, conv, pool)."""
    inputs = keras.Input((28, 28, 1))
    if kind == "strided":
        # crop: MNIST centres each digit's 20 x 20 box by its mass, so the outer pixels are nearly always blank
        x = conv_bn(layers.Cropping2D(crop)(inputs) if crop else inputs, c1, seeds, 5, 2)
        x = conv_bn(x, c2, seeds, 3, 2)
        x = conv_bn(x, c3, seeds, 3, 2, padding=pad3, norm=norm3)  # "valid": 7 -> 3, no padded border
    elif kind == "pooled":  # conv5x5 valid 28 -> 24, pool -> 12, conv3x3 valid -> 10, pool -> 5
        x = layers.MaxPooling2D()(conv_bn(inputs, c1, seeds, 5, padding="valid", norm=norm))
        x = layers.MaxPooling2D()(conv_bn(x, c2, seeds, 3, padding="valid", norm=norm))
    elif kind == "pooled_same":  # the same with "same" padding: 28 -> 14 -> 7
        x = layers.MaxPooling2D()(conv_bn(inputs, c1, seeds, 5))
        x = layers.MaxPooling2D()(conv_bn(x, c2, seeds, 3))
    elif kind == "strided_pool":  # conv1 strided 28 -> 14, conv3x3 valid -> 12, pool -> 6
        x = conv_bn(inputs, c1, seeds, 5, 2)
        x = layers.MaxPooling2D()(conv_bn(x, c2, seeds, 3, padding="valid"))
    else:
        raise ValueError(kind)
    x = layers.Dense(dense, activation="relu", kernel_initializer=seeds.glorot())(layers.Flatten()(x))
    x = layers.Dense(10, kernel_initializer=seeds.glorot())(x)
    return keras.Model(inputs, layers.Activation("softmax")(x))


TUOMASO = dict(batch=256, rate=1e-2, beta_1=0.7, beta_2=0.9)  # batch 256, Adam 0.01, beta1 0.7, beta2 0.9
VARIANTS: dict[str, dict] = {
    "preset": dict(kind="strided"),  # the fast preset: 32/64/96 strided, dense 128, batch 128, Adam 8e-3
    "preset_256": dict(kind="strided", **TUOMASO),
    "preset_arrays": dict(kind="strided", arrays=True),  # Keras' own loader over float arrays
    "preset_spe4": dict(kind="strided", steps_per_execution=4),
    "tuomaso": dict(kind="pooled", c1=24, c2=32, dense=256, **TUOMASO),
    "tuomaso_same": dict(kind="pooled_same", c1=24, c2=32, dense=256, **TUOMASO),
    "strided_pool": dict(kind="strided_pool", c1=24, c2=32, dense=256, **TUOMASO),
    "narrow_d256": dict(kind="strided", c1=24, c2=32, c3=64, dense=256, **TUOMASO),
    "narrow": dict(kind="strided", c1=24, c2=32, c3=64, **TUOMASO),
    "narrow_128": dict(kind="strided", c1=24, c2=32, c3=64, batch=128, rate=8e-3, beta_1=0.7, beta_2=0.9),
    "mid": dict(kind="strided", c2=48, c3=64, **TUOMASO),
    "mid_128": dict(kind="strided", c2=48, c3=64),
    # 2026-11-30, second pass: batch norm through TensorFlow's fused kernel, and cheaper shapes with it.
    "fused": dict(kind="strided", fused=True),
    "fused_no_bn3": dict(kind="strided", fused=True, norm3=False),
    "fused_c3_64_d256": dict(kind="strided", c3=64, dense=256, fused=True),
    "fused_mid": dict(kind="strided", c2=48, c3=64, fused=True),
    "no_bn3": dict(kind="strided", norm3=False),  # batch norm after conv1 and conv2 only; conv3 gets a bias
    "mid_no_bn3": dict(kind="strided", c2=48, c3=64, norm3=False),
    "mid_no_bn3_d256": dict(kind="strided", c2=48, c3=64, dense=256, norm3=False),
    "mid_d256": dict(kind="strided", c2=48, c3=64, dense=256),
    "b192_no_bn3": dict(kind="strided", norm3=False, batch=192, rate=1e-2),
    "mid_b2": dict(kind="strided", c2=48, c3=64, beta_2=0.99),
    "mid_w3": dict(kind="strided", c2=48, c3=64, warmup=0.3),
    "mid_r12": dict(kind="strided", c2=48, c3=64, rate=1.2e-2),
    "preset_b2": dict(kind="strided", beta_2=0.99),
    "preset_w3": dict(kind="strided", warmup=0.3),
    "library": dict(kind="library"),
    "preset_085": dict(kind="strided", epochs=0.85),  # the first 85% of the epoch's order, one cycle over it
    "b160": dict(kind="strided", batch=160, rate=9e-3),
    "c3valid": dict(kind="strided", pad3="valid"),  # conv3 7x7 -> 3x3 with no padding: 44% fewer of its MACs
    "c3valid_128": dict(kind="strided", pad3="valid", c3=128),
    "crop24": dict(kind="strided", crop=2),  # 24 x 24 -> 12 -> 6 -> 3
    "crop24_c3valid": dict(kind="strided", crop=2, pad3="valid"),  # 24 -> 12 -> 6 -> 2  # models.build_fast as the engine builds it (fused kernels on a CPU)
}


def run(name: str, seed: int, kind: str, batch: int = 128, rate: float = 8e-3, beta_1: float = 0.9,
        beta_2: float = 0.999, warmup: float = 0.2, smoothing: float = 0.1, steps_per_execution: int = 1,
        arrays: bool = False, fused: bool = False, epochs: float = 1.0, **shape) -> dict:
    """Train one variant for one epoch from `seed`; time fit() only, then test on the held-out images."""
    global FUSED
    FUSED = fused
    per_epoch = round(steps_per_epoch(len(X), batch) * epochs)  # epochs < 1: only the first images of the order
    options = BuildOptions(learning_rate=rate, steps_per_epoch=per_epoch, total_steps=per_epoch, seed=seed,
                           jit_compile=False)
    if kind == "library":  # compiled by the library (its optimizer), as the engine trains it
        model = get_spec("fast").build(options)
    else:
        model = network(kind, _Seeds(seed), **shape)
        model.compile(optimizer=keras.optimizers.Adam(_one_cycle(options, warmup), beta_1=beta_1, beta_2=beta_2),
                      loss=keras.losses.CategoricalCrossentropy(label_smoothing=smoothing),
                      metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")], jit_compile=False,
                      steps_per_execution=steps_per_execution)

    class ReadsLoss(keras.callbacks.Callback):  # as the engine's publisher does after every batch
        def on_train_batch_end(self, batch, logs=None):
            float(logs["loss"])

    if arrays:
        data = dict(x=X.astype(np.float32) / 255, y=np.eye(10, dtype=np.float32)[Y], batch_size=batch, shuffle=True)
    else:
        data = dict(x=fitting.batches(X, Y, batch, 1, seed), steps_per_epoch=per_epoch, shuffle=False)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(**data, epochs=1, verbose=0, callbacks=[ReadsLoss()])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    scores = model.predict(X_HELD_OUT, batch_size=1000, verbose=0)
    held_out = float((scores.argmax(1) == Y_HELD_OUT).mean())
    # Log-loss of the true digit: a steadier signal than accuracy (one held-out image is 0.02 points).
    log_loss = float(-np.log(np.maximum(scores[np.arange(len(Y_HELD_OUT)), Y_HELD_OUT], 1e-7)).mean())
    return {"variant": name, "seed": seed, "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "held_out_accuracy": held_out, "held_out_log_loss": round(log_loss, 4), "params": model.count_params()}


if __name__ == "__main__":
    for seed in (int(s) for s in sys.argv[1].split(",")):
        for name in sys.argv[2:]:
            print(json.dumps(run(name, seed, **VARIANTS[name])), flush=True)
