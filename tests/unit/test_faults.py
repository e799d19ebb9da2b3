"""Faults: a killed training, a read-only home folder, a tampered model in the home folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mnist_core import store, training
from mnist_core.training import TrainConfig, start_training

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("MNIST_STUDIO_HOME", str(home))
    return home


def test_killed_training_leaves_nothing_marked_done_and_reruns_cleanly(private_home):
    args = ["--model", "keras_cnn", "--epochs", "2", "--limit", "8000", "--seed", "21"]
    process = subprocess.Popen([sys.executable, "-m", "mnist_core", "train", *args], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Wait until training is under way (the progress bar shows a percentage), then kill it hard.
    buffer = ""
    deadline = time.monotonic() + 120
    while "%" not in buffer and time.monotonic() < deadline and process.poll() is None:
        buffer += process.stderr.read(1)
    assert "%" in buffer, "training never started"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    config = TrainConfig.for_model("keras_cnn", epochs=2, limit=8000, seed=21)
    assert training.stored_result(config) is None
    assert store.list_models() == []
    progress = start_training(config).wait(timeout=300)
    assert progress.state == "done" and not progress.cached
    assert [item.path for item in store.list_models()] == [config.model_path()]


def test_unwritable_home_fails_training_clearly_and_predictions_still_work(tmp_path, monkeypatch):
    # A home folder below a plain file cannot be created, even by root (tests here run as root,
    # which ignores permission bits, so chmod could not simulate this).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("MNIST_STUDIO_HOME", str(blocker / "home"))
    progress = start_training(TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=22)).wait(120)
    assert progress.state == "failed"
    assert "MNIST_STUDIO_HOME" in progress.error and "Traceback" not in progress.error
    from mnist_core.bench.inputs import canvas_drawing
    from mnist_core.prediction import predict

    assert predict(canvas_drawing(), multi=False).digit == 7


def test_tampered_model_in_home_is_refused_and_not_listed(private_home):
    config = TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=23)
    assert start_training(config).wait(timeout=120).state == "done"
    path = config.model_path()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(store.ModelFileError, match="checksum"):
        store.load_model(path)
    assert store.list_models() == []
    assert training.stored_result(config) is None
