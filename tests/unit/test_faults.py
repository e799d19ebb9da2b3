"""Faults: a killed training, a read-only home folder, a damaged model in the home folder."""

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


def test_damaged_model_in_home_is_refused_and_not_listed(private_home):
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


def full_disk_under(monkeypatch, folder: Path, only=lambda target: True) -> list[str]:
    """Every rename into `folder` fails as on a full disk (ENOSPC); returns the targets refused."""
    import errno

    real_replace, refused = os.replace, []

    def replace(source, target, *args, **kwargs):
        if Path(target).resolve().is_relative_to(folder.resolve()) and only(Path(target)):
            refused.append(str(target))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return refused


def test_a_full_disk_fails_the_training_in_words_and_damages_nothing(monkeypatch):
    from mnist_core.paths import models_dir

    earlier = TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=30)
    assert start_training(earlier).wait(timeout=120).state == "done"
    before = sorted(path.name for path in models_dir().iterdir())
    refused = full_disk_under(monkeypatch, models_dir())
    progress = start_training(TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=31)).wait(timeout=120)
    assert refused and progress.state == "failed" and not progress.unexpected
    assert "The disk is full" in progress.error and "Traceback" not in progress.error
    assert sorted(path.name for path in models_dir().iterdir()) == before, "nothing half-written is left"
    assert store.verify(earlier.model_path()).meta.key == earlier.key


def test_a_full_disk_for_the_learning_recording_keeps_the_model(monkeypatch, caplog):
    from mnist_core import snapshots
    from mnist_core.paths import models_dir

    config = TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=32)
    full_disk_under(monkeypatch, models_dir(), only=lambda target: target.name.endswith(snapshots.FILE_SUFFIX))
    progress = start_training(config).wait(timeout=120)
    assert progress.state == "done", progress.error
    assert store.verify(config.model_path()) and not snapshots.path_for(config.model_path()).exists()
    assert any("learning snapshots" in record.message and "not kept" in record.message for record in caplog.records)


def test_a_full_disk_for_a_cache_costs_only_the_cache(monkeypatch, tmp_path):
    import numpy as np

    from mnist_core import npz_cache

    target = tmp_path / "cache" / "features.npz"
    assert npz_cache.write(target, {"a": np.arange(3)})
    full_disk_under(monkeypatch, tmp_path)
    assert npz_cache.write(target, {"a": np.arange(5)}) is False
    assert list(npz_cache.read(target, ["a"], "test cache")["a"]) == [0, 1, 2], "the earlier copy is whole"
    assert sorted(path.name for path in target.parent.iterdir()) == ["features.npz"]


def test_damaged_learning_snapshots_are_removed_with_one_line_and_the_result_still_served(caplog):
    import logging

    from mnist_core import snapshots

    config = TrainConfig.for_model("softmax", epochs=1, limit=1000, seed=33)
    first = start_training(config).wait(timeout=120)
    recording = snapshots.path_for(first.result.path)
    whole = recording.read_bytes()
    garbled = bytearray(whole)
    garbled[len(whole) // 3: len(whole) // 3 + 64] = bytes(64)
    for damaged in (b"", whole[:1], whole[:100], whole[: len(whole) // 2], bytes(garbled)):
        recording.write_bytes(damaged)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="mnist_core.snapshots"):
            assert snapshots.load(first.result.path, first.result.meta.sha256) is None
        assert not recording.exists()
        assert [record.levelname for record in caplog.records] == ["WARNING"]
        assert "damaged" in caplog.records[0].message
    training.reset_registry()  # as after a restart: the same ask is served from disk, no crash
    again = start_training(config)
    assert again.snapshot().cached and again.snapshot().state == "done"
