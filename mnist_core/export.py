"""Take it home: a trained model, a standalone script that trains the same network the same way, and a README.

`train.py` needs TensorFlow, Keras and NumPy only (no mnist_core): a learner can read it in one sitting, run it
on their own machine and change it. It is written from a template per zoo network, the recipe (passes, batch
size, learning rate, images) filled in from the model's sidecar, and keeps the order of a keras-io example:
settings, prepare the data, build the model, train, evaluate. Its last line of output is JSON with
"test_accuracy", so it can be checked by a program.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from .data import NUM_FIT
from .errors import MnistStudioError
from .models import ZOO
from .store import StoredModel, verify

MODEL_NAME, SCRIPT_NAME, README_NAME = "model.keras", "train.py", "README.md"

_HELPERS = {
    "conv_bn": '''def conv_bn(x, filters, kernel=3, strides=1, padding="same"):
    """A convolution without bias, batch norm (momentum 0.9: it settles within short runs), ReLU."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    return layers.Activation("relu")(x)
''',
    "one_cycle": '''def one_cycle(total_steps, warmup_fraction):
    """The rate climbs from a tenth of LEARNING_RATE to it, then falls to zero along a cosine."""
    warmup = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=LEARNING_RATE / 10, decay_steps=max(1, total_steps - warmup),
        warmup_target=LEARNING_RATE, warmup_steps=warmup)
''',
}

# Each network as its builder in mnist_core.models makes it (seeding and CPU-only fused kernels left out), the
# optimizer and schedule of its recipe, and its label smoothing. A script holds only the _HELPERS its network calls.
_NETWORKS = {
    "softmax": '''
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Flatten()(inputs)
    outputs = layers.Dense(10, activation="softmax", kernel_initializer="zeros")(x)  # one template per digit
    optimizer = keras.optimizers.SGD(LEARNING_RATE)
    return keras.Model(inputs, outputs, name="softmax"), optimizer, 0.0''',
    "mlp": '''
    l2 = regularizers.L2(1e-4 / 2)  # the book's tf.nn.l2_loss (sum(w**2) / 2) with weight 1e-4
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Flatten()(inputs)
    x = layers.Dense(500, activation="relu", kernel_regularizer=l2)(x)
    outputs = layers.Dense(10, activation="softmax", kernel_regularizer=l2)(x)
    # The rate decays x0.99 per pass, continuously; a 0.99 moving average of the weights is what gets tested.
    schedule = keras.optimizers.schedules.ExponentialDecay(LEARNING_RATE, decay_steps=steps_per_epoch,
                                                           decay_rate=0.99)
    optimizer = keras.optimizers.SGD(schedule, use_ema=True, ema_momentum=0.99)
    return keras.Model(inputs, outputs, name="mlp"), optimizer, 0.0''',
    "deepnn": '''
    def weights():  # the tutorial's initial weights: small random kernels, biases 0.1
        return dict(kernel_initializer=initializers.TruncatedNormal(stddev=0.1),
                    bias_initializer=initializers.Constant(0.1))

    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 5, padding="same", activation="relu", **weights())(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 5, padding="same", activation="relu", **weights())(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(1024, activation="relu", **weights())(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10, activation="softmax", **weights())(x)
    return keras.Model(inputs, outputs, name="deepnn"), keras.optimizers.Adam(LEARNING_RATE), 0.0''',
    "keras_cnn": '''
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="keras_cnn"), keras.optimizers.Adam(LEARNING_RATE), 0.0''',
    "fast": '''
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Cropping2D(2)(inputs)  # the middle 24 x 24: the border holds almost no ink
    x = conv_bn(x, 32, kernel=5, strides=2)  # each conv halves the picture instead of pooling: 24 -> 12
    x = conv_bn(x, 64, strides=2)  # 12 -> 6
    x = conv_bn(x, 96, strides=2, padding="valid")  # 6 -> 2
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    optimizer = keras.optimizers.Adam(one_cycle(total_steps, warmup_fraction=0.2))
    return keras.Model(inputs, outputs, name="fast"), optimizer, 0.1''',
    "best": '''
    inputs = keras.Input(shape=(28, 28, 1))
    # Practice digits tilted, shifted and zoomed a little (only while training).
    x = layers.RandomRotation(0.03, fill_mode="constant")(inputs)
    x = layers.RandomTranslation(0.1, 0.1, fill_mode="constant")(x)
    x = layers.RandomZoom(0.1, fill_mode="constant")(x)
    x = conv_bn(x, 32)
    x = conv_bn(x, 32)
    x = layers.MaxPooling2D()(x)
    x = conv_bn(x, 64)
    x = conv_bn(x, 64)
    x = layers.MaxPooling2D()(x)
    x = conv_bn(x, 128)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    optimizer = keras.optimizers.Adam(one_cycle(total_steps, warmup_fraction=0.1))
    return keras.Model(inputs, outputs, name="best"), optimizer, 0.1''',
}

_SCRIPT = '''"""{title}, trained on MNIST as MNIST Studio trained it ({name}).

Network: {network}
Recipe: {passes} over {images:,} training images, batch {batch_size}, learning rate {learning_rate:g}.
MNIST Studio measured {accuracy} on the 10,000 test digits with this recipe.

    python train.py                      # MNIST from keras.datasets (downloads it once)
    python train.py --data mnist.npz     # a file in keras.datasets' layout (x_train, y_train, x_test, y_test)
    python train.py --epochs 1 --limit 5000

Needs TensorFlow, Keras and NumPy only. The last line printed is JSON with "test_accuracy".
"""

import argparse
import json
import time

import keras
import numpy as np
from keras import {keras_parts}

# Settings: the recipe MNIST Studio trained this model with.
EPOCHS = {epochs}
BATCH_SIZE = {batch_size}
LEARNING_RATE = {learning_rate!r}
IMAGES = {images}  # the first training images learned from (MNIST Studio keeps the last 5,000 aside)


# Prepare the data


def load(path):
    """MNIST's four arrays from `path` (an .npz in keras.datasets' layout), or from keras.datasets."""
    if path is None:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    else:
        with np.load(path) as data:
            x_train, y_train, x_test, y_test = (data[key] for key in ("x_train", "y_train", "x_test", "y_test"))
    return x_train, y_train, x_test, y_test


def prepared(images, labels):
    """Pixels as floats in [0, 1] with a channel axis; labels as one-hot rows (label smoothing needs them)."""
    return images.astype("float32")[..., None] / 255.0, keras.utils.to_categorical(labels, 10)


# Build the model


{helpers}def build_model(steps_per_epoch, total_steps):
    """The network, its optimizer and its label smoothing."""{network_code}


# Train and evaluate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="mnist.npz in keras.datasets' layout (default: keras.datasets.mnist)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"passes over the images (default {{EPOCHS}})")
    parser.add_argument("--limit", type=int, default=IMAGES, help=f"training images (default {{IMAGES:,}})")
    args = parser.parse_args()

    x_train, y_train, x_test, y_test = load(args.data)
    count = min(args.limit, len(x_train))
    x, y = prepared(x_train[:count], y_train[:count])
    steps_per_epoch = -(-count // BATCH_SIZE)
    model, optimizer, label_smoothing = build_model(steps_per_epoch, steps_per_epoch * args.epochs)
    model.compile(optimizer=optimizer, loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
                  metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=args.epochs, shuffle=True, verbose=2)
    seconds = time.perf_counter() - started
    loss, accuracy = model.evaluate(*prepared(x_test, y_test), batch_size=250, verbose=0)
    print(json.dumps({{"model": "{name}", "test_accuracy": round(float(accuracy), 4), "epochs": args.epochs,
                      "train_images": count, "train_seconds": round(seconds, 1)}}))


if __name__ == "__main__":
    main()
'''

_README = '''# {title}, from MNIST Studio

`model.keras` reads handwritten digits: a 28 x 28 picture, white ink on black, pixels in [0, 1], in; the
probability of each digit 0-9 out. It read {accuracy} of the 10,000 MNIST test digits right.

```python
import keras
model = keras.saving.load_model("model.keras")
probabilities = model(images[..., None] / 255.0, training=False)  # images: (N, 28, 28) uint8
```

`train.py` trains the same network with the same recipe from scratch, with TensorFlow, Keras and NumPy only:

```bash
python train.py                    # MNIST from keras.datasets
python train.py --data mnist.npz   # or a file in keras.datasets' layout
python train.py --epochs 1 --limit 5000
```

- Network: {network}
- Recipe: {passes} over {images:,} training images, batch {batch_size}, learning rate {learning_rate:g}{taught}
- From: {source}

MNIST Studio also tuned this model's confidence on the last 5,000 training images (one number, its
temperature: {temperature:.3f}; divide the network's scores before the softmax by it). `train.py` leaves that
step out, so its answers may sound surer than they are.
'''


def script(stored: StoredModel) -> str:
    """The standalone train.py for `stored`'s network and recipe: only the helpers and imports it uses."""
    spec, recipe = _recipe(stored)
    code = _NETWORKS[spec.name]
    helpers = "".join(text + "\n\n" for name, text in _HELPERS.items() if f"{name}(" in code)
    parts = ", ".join(part for part in ("initializers", "layers", "regularizers") if f"{part}." in code)
    return _SCRIPT.format(network_code=code, helpers=helpers, keras_parts=parts, **recipe)


def readme(stored: StoredModel) -> str:
    """What the folder holds and how to use it, in a page."""
    _, recipe = _recipe(stored)
    taught = stored.meta.adapted
    note = ("; then taught one person's handwriting from "
            f"{taught.get('examples', '?')} examples (train.py trains the network it was taught from)"
            if taught else "")
    return _README.format(taught=note, temperature=stored.meta.temperature or 1.0, **recipe)


def export(path: Path | str, out: Path | str) -> list[Path]:
    """Write model.keras, train.py and README.md for the model file `path` into the folder `out`."""
    stored = verify(Path(path))  # a damaged or foreign file is refused in words
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files = [folder / MODEL_NAME, folder / SCRIPT_NAME, folder / README_NAME]
        shutil.copyfile(stored.path, files[0])
        files[1].write_text(script(stored))
        files[2].write_text(readme(stored))
    except OSError as exc:
        raise MnistStudioError(f"Could not write the export to {folder} ({exc.strerror or exc}). Choose a folder "
                               "you can write to, with some free space.") from exc
    return files


def archive(path: Path | str) -> bytes:
    """The same three files as one zip, for a download button."""
    stored = verify(Path(path))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.write(stored.path, MODEL_NAME)
        packed.writestr(SCRIPT_NAME, script(stored))
        packed.writestr(README_NAME, readme(stored))
    return buffer.getvalue()


def _recipe(stored: StoredModel) -> tuple:
    """The zoo spec and the recipe values the templates take, from the model's sidecar."""
    name = stored.meta.model
    if name not in _NETWORKS:
        raise MnistStudioError(f"{stored.path.name} is not one of MNIST Studio's networks ({name or 'unknown'}): "
                               "only models trained by MNIST Studio can be exported with their training script.")
    spec = ZOO[name]
    config = stored.meta.config or {}
    epochs = int(config.get("epochs") or spec.defaults.epochs)
    images = int(config.get("limit") or stored.meta.images_trained or NUM_FIT)
    accuracy = stored.meta.test_accuracy
    return spec, {"name": name, "title": spec.title, "network": spec.network, "source": spec.source,
                  "epochs": epochs, "passes": f"{epochs} pass{'' if epochs == 1 else 'es'}", "images": images,
                  "batch_size": int(config.get("batch_size") or spec.defaults.batch_size),
                  "learning_rate": float(config.get("learning_rate") or spec.defaults.learning_rate),
                  "accuracy": f"{accuracy:.2%}" if accuracy is not None else "an unknown share"}
