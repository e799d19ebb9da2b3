"""Streamlit AppTest fixtures: the whole app run in-process, one simulated browser session per AppTest."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from mnist_core import training
from mnist_core.data import load_mnist
from mnist_core.store import StoredModel

APP = Path(__file__).resolve().parents[2] / "app.py"
RUN_TIMEOUT = 120  # seconds; the first run imports TensorFlow and loads a model


@pytest.fixture
def app() -> Callable[[], AppTest]:
    """A fresh session of the app (not yet run)."""
    return lambda: AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)


@pytest.fixture(scope="session")
def tiny_model(studio_home: Path) -> StoredModel:
    """A softmax model trained in a second on 1,000 images, stored in the test home folder."""
    config = training.TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=101)
    progress = training.start_training(config).wait(timeout=120)
    assert progress.state == "done", progress.error
    return progress.result


def digit_png(label: int, scale: int = 6) -> bytes:
    """An MNIST test digit as black ink on white paper, enlarged, as PNG bytes."""
    mnist = load_mnist()
    digit = mnist.x_test[int(np.flatnonzero(mnist.y_test == label)[0])]
    buffer = io.BytesIO()
    Image.fromarray(255 - digit).resize((28 * scale, 28 * scale), Image.BILINEAR).save(buffer, format="PNG")
    return buffer.getvalue()
