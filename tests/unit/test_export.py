"""Take it home: `export` writes the model, a standalone train.py that trains the same network the same way, and
a README; the script runs with TensorFlow, Keras and NumPy only."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from mnist_core import export, store, training
from mnist_core.data import load_mnist
from mnist_core.errors import MnistStudioError
from mnist_core.models import ZOO

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = {"softmax": "softmax", "mlp": "mlp", "keras_cnn": "keras_cnn", "fast": "fast", "best": "default"}


@pytest.fixture(scope="module")
def deepnn_model(tmp_path_factory) -> store.StoredModel:
    """The one zoo network not bundled, trained for a moment on a few images in a home of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MNIST_STUDIO_HOME", str(tmp_path_factory.mktemp("home")))
        previous = training.reset_registry()
        try:
            progress = training.start_training(training.TrainConfig.for_model("deepnn", epochs=1, limit=200)).wait(300)
        finally:
            training.reset_registry(previous)
    assert progress.state == "done", progress.error
    return progress.result


def model_file(name: str, deepnn_model: store.StoredModel) -> Path:
    return deepnn_model.path if name == "deepnn" else ROOT / "models" / f"{BUNDLED[name]}.keras"


def as_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", list(ZOO))
def test_every_network_exports_a_script_that_builds_the_same_network(name, deepnn_model, tmp_path):
    files = export.export(model_file(name, deepnn_model), tmp_path / name)
    assert [path.name for path in files] == ["model.keras", "train.py", "README.md"]
    text = files[1].read_text()
    assert "mnist_core" not in text, "standalone: TensorFlow, Keras and NumPy only"
    assert text.index("# Prepare the data") < text.index("# Build the model") < text.index("# Train and evaluate")
    module = as_module(files[1])
    stored = store.verify(model_file(name, deepnn_model))
    assert (module.EPOCHS, module.BATCH_SIZE, module.LEARNING_RATE) == (
        stored.meta.config["epochs"], stored.meta.config["batch_size"], stored.meta.config["learning_rate"])
    built, _, _ = module.build_model(steps_per_epoch=10, total_steps=20)
    assert built.count_params() == keras.saving.load_model(files[0], compile=False).count_params() == ZOO[name].params
    assert f"{stored.meta.test_accuracy:.2%}" in files[2].read_text()


@pytest.fixture(scope="module")
def mnist_npz(tmp_path_factory) -> Path:
    """MNIST in keras.datasets' npz layout, as a learner would pass it with --data."""
    mnist = load_mnist()
    path = tmp_path_factory.mktemp("data") / "mnist.npz"
    np.savez(path, x_train=mnist.x_train, y_train=mnist.y_train, x_test=mnist.x_test, y_test=mnist.y_test)
    return path


@pytest.mark.parametrize("name", ["mlp", "fast"])
def test_an_exported_script_trains_on_a_slice_in_a_folder_of_its_own(name, deepnn_model, mnist_npz, tmp_path):
    files = export.export(model_file(name, deepnn_model), tmp_path / "home-computer")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "train.py", "--data", str(mnist_npz), "--epochs", "1", "--limit", "600"],
                            cwd=files[1].parent, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["model"] == name and last["train_images"] == 600 and 0.1 < last["test_accuracy"] <= 1.0


def test_the_download_holds_the_same_three_files():
    packed = zipfile.ZipFile(io.BytesIO(export.archive(ROOT / "models" / "fast.keras")))
    assert sorted(packed.namelist()) == ["README.md", "model.keras", "train.py"]
    assert packed.read("train.py").decode() == export.script(store.verify(ROOT / "models" / "fast.keras"))


def test_a_model_from_elsewhere_is_refused_in_words(tmp_path):
    with pytest.raises(MnistStudioError):
        export.export(tmp_path / "missing.keras", tmp_path / "out")


def test_the_cli_writes_the_folder_and_says_so_in_json(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mnist_core", "export", "--model", "models/softmax.keras", "--out",
                             str(tmp_path / "out"), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["path"] == str(tmp_path / "out") and len(payload["files"]) == 3
    assert all(Path(path).is_file() for path in payload["files"])
