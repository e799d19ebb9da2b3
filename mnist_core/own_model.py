"""Bring your own model: a visitor's .keras file, checked, calibrated, and stored beside its sidecar.

A model file can carry code, so it is opened only with Keras' safe mode (see requirements.txt's Keras floor),
only up to MAX_BYTES, and only when it reads what every reader here reads: a 28 x 28 x 1 picture in [0, 1] in,
ten probabilities out. Before it answers anyone, its confidence is tuned on the last 5,000 training images, as
every MNIST Studio model's is, so "90% sure" means the same for it.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from . import evaluation, store
from .errors import ModelFileError

MAX_BYTES = 25 * 2**20  # larger than any network of the zoo (deepnn: 13 MB) by a margin
INPUT_SHAPE, OUTPUT_SHAPE = (28, 28, 1), (10,)
PROBE_DIGITS = 32  # test digits its outputs are checked on: ten probabilities that add up to 1
UPLOADED = "uploaded"  # the sidecar entry that names the file the visitor uploaded
FITTED_ON = "training images 55,000-59,999 (it may have learned from them: MNIST Studio cannot tell)"


def store_upload(data: bytes, name: str, folder: Path) -> store.StoredModel:
    """Check the uploaded model file `data` (called `name` by the visitor), calibrate it and save it in `folder`
    (one folder per upload: two uploads of the same name never overwrite each other).

    Raises ModelFileError with what is wrong and what to do, for anything this app cannot read with it.
    """
    if len(data) > MAX_BYTES:
        raise ModelFileError(f"{name} is {len(data) / 2**20:.0f} MB; models up to {MAX_BYTES // 2**20} MB can be "
                             "used here. The networks MNIST Studio trains take 0.1 to 13 MB.")
    if not name.lower().endswith(store.MODEL_SUFFIX) or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ModelFileError(f"{name} is not a Keras model file. Save your model with model.save(\"name.keras\") "
                             "(Keras 3) and upload that file.")
    model = _open(data, name)
    _check_shapes(model, name)
    _check_outputs(model, name)
    fitted = evaluation.calibrate(model, trained_on_validation=True)
    fitted["calibration"]["fitted_on"] = FITTED_ON
    test = fitted["calibration"]["test"]
    meta = {**fitted, "test_accuracy": test["accuracy"], "params": int(model.count_params()), UPLOADED: name}
    return store.save_model(model, folder / f"{_stem(name)}{store.MODEL_SUFFIX}", meta)


def _open(data: bytes, name: str):
    """The model, loaded with Keras' safe mode from a private temporary copy (never from the visitor's path)."""
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{store.MODEL_SUFFIX}"
        path.write_bytes(data)
        try:
            return keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - Keras raises many kinds for a file it cannot rebuild
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ModelFileError(f"{name} could not be opened as a Keras model ({reason}). Models made with Keras 3 "
                                 "from its own layers can be used; custom layers and Lambda layers cannot.") from exc


def _check_shapes(model, name: str) -> None:
    inputs = getattr(model, "inputs", None) or []
    shape_in = tuple(inputs[0].shape[1:]) if len(inputs) == 1 else None
    shape_out = tuple(model.outputs[0].shape[1:]) if len(getattr(model, "outputs", None) or []) == 1 else None
    if shape_in != INPUT_SHAPE or shape_out != OUTPUT_SHAPE:
        raise ModelFileError(f"{name} takes {shape_in or 'several inputs'} and gives {shape_out or 'several outputs'}; "
                             "a digit reader here takes one 28 x 28 x 1 picture (pixels 0 to 1) and gives ten "
                             "probabilities, one per digit.")


def _check_outputs(model, name: str) -> None:
    """Ten probabilities that add up to one for real digits: a model ending without a softmax is refused."""
    from .data import load_mnist

    digits = load_mnist().x_test[:PROBE_DIGITS].astype(np.float32)[..., None] / 255.0
    try:
        outputs = np.asarray(model(digits, training=False), dtype=np.float64)
    except Exception as exc:  # noqa: BLE001 - a model that cannot read a batch of digits is not a reader
        raise ModelFileError(f"{name} could not read a batch of digits ({type(exc).__name__}).") from exc
    if not np.all(np.isfinite(outputs)) or outputs.min() < 0 or not np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3):
        raise ModelFileError(f"{name} does not give probabilities: its last layer must be a softmax over the ten "
                             "digits (activation=\"softmax\").")


def _stem(name: str) -> str:
    """A file name of letters, digits, dashes and underscores from the visitor's, never a path."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem).strip("-")[:40]
    return stem or "model"
