"""Streamlit AppTest fixtures: the whole app run in-process, one simulated browser session per AppTest."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from mnist_core import store, training
from mnist_core.data import load_mnist
from mnist_core.paths import HOME_ENV, models_dir
from mnist_core.store import StoredModel

APP = Path(__file__).resolve().parents[2] / "app.py"
RUN_TIMEOUT = 120  # seconds; the first run imports TensorFlow and loads a model


@pytest.fixture
def app() -> Callable[[], AppTest]:
    """A fresh session of the app (not yet run)."""
    return lambda: AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)


@pytest.fixture(scope="session")
def tiny_model_trained(new_home: Callable[[], Path]) -> StoredModel:
    """A softmax model trained once per session, in a second on 1,000 images, in a home and registry of its own."""
    config = training.TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=101)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV, str(new_home()))
        previous = training.reset_registry()
        try:
            progress = training.start_training(config).wait(timeout=120)
        finally:
            training.reset_registry(previous)
    assert progress.state == "done", progress.error
    return progress.result


@pytest.fixture
def tiny_model(tiny_model_trained: StoredModel, fresh_home: Path) -> StoredModel:
    """The tiny softmax model, copied into this test's home folder, where the app lists it."""
    target = models_dir() / tiny_model_trained.path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(tiny_model_trained.path, target)
    shutil.copy2(store.sidecar_path(tiny_model_trained.path), store.sidecar_path(target))
    return store.verify(target)


def digit_png(label: int, scale: int = 6) -> bytes:
    """An MNIST test digit as black ink on white paper, enlarged, as PNG bytes."""
    mnist = load_mnist()
    digit = mnist.x_test[int(np.flatnonzero(mnist.y_test == label)[0])]
    buffer = io.BytesIO()
    Image.fromarray(255 - digit).resize((28 * scale, 28 * scale), Image.BILINEAR).save(buffer, format="PNG")
    return buffer.getvalue()
