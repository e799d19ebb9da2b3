"""Model files: atomic save, checksum sidecar, refusal of corrupt or tampered files."""

from __future__ import annotations

import json

import pytest

from mnist_core import store
from mnist_core.errors import ModelFileError
from mnist_core.models import BuildOptions, get_spec


@pytest.fixture(scope="module")
def small_model():
    return get_spec("softmax").build(BuildOptions(learning_rate=0.5, steps_per_epoch=1, total_steps=1))


def test_save_then_load_round_trip(tmp_path, small_model):
    saved = store.save_model(small_model, tmp_path / "m.keras", {"model": "softmax", "test_accuracy": 0.5})
    assert saved.meta.sha256 == store.file_sha256(tmp_path / "m.keras")
    assert {"tensorflow", "keras", "python"} <= set(saved.meta.versions)
    model, stored = store.load_model(tmp_path / "m.keras")
    assert model.count_params() == small_model.count_params()
    assert stored.meta.model == "softmax"
    # Nothing but the model and its sidecar is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras"]


def test_failed_save_leaves_no_file(tmp_path, small_model, monkeypatch):
    def broken_save(path, *args, **kwargs):
        open(path, "wb").write(b"half a model")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(small_model, "save", broken_save)
    with pytest.raises(ModelFileError, match="No space left"):
        store.save_model(small_model, tmp_path / "m.keras", {"model": "softmax"})
    assert list(tmp_path.iterdir()) == []


def test_tampered_file_is_refused(tmp_path, small_model):
    store.save_model(small_model, tmp_path / "m.keras", {"model": "softmax"})
    with open(tmp_path / "m.keras", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelFileError, match="checksum"):
        store.load_model(tmp_path / "m.keras")


def test_corrupt_file_with_matching_checksum_is_refused(tmp_path):
    (tmp_path / "m.keras").write_bytes(b"not a zip archive at all")
    (tmp_path / "m.json").write_text(json.dumps({"sha256": store.file_sha256(tmp_path / "m.keras")}))
    with pytest.raises(ModelFileError, match="could not be loaded"):
        store.load_model(tmp_path / "m.keras")


def test_missing_sidecar_and_missing_file(tmp_path, small_model):
    with pytest.raises(ModelFileError, match="No model file"):
        store.load_model(tmp_path / "absent.keras")
    small_model.save(tmp_path / "bare.keras")
    with pytest.raises(ModelFileError, match="cannot be verified"):
        store.load_model(tmp_path / "bare.keras")


def test_list_models_skips_bad_files(tmp_path, small_model):
    store.save_model(small_model, tmp_path / "good.keras", {"model": "softmax", "test_accuracy": 0.9})
    (tmp_path / "bad.keras").write_bytes(b"junk")
    (tmp_path / "bad.json").write_text("{not json")
    listed = store.list_models(tmp_path)
    assert [item.path.name for item in listed] == ["good.keras"]
    assert listed[0].label == "Ten templates · 90.0%"


def test_bundled_model_is_valid_and_small():
    bundled = store.bundled_model()
    assert bundled.meta.test_accuracy >= 0.99
    assert bundled.path.stat().st_size <= 2 * 1024 * 1024


def test_readers_never_see_a_model_and_a_sidecar_from_two_different_saves(tmp_path):
    """A reader verifying the pair while another thread saves over it again and again never gets 'corrupt'."""
    import threading

    import keras

    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs)))
    path = tmp_path / "pair.keras"
    store.save_model(model, path, {"model": "softmax", "round": 0})
    done, failures = threading.Event(), []

    def keep_saving() -> None:
        for round_number in range(1, 8):
            store.save_model(model, path, {"model": "softmax", "round": round_number})
        done.set()

    writer = threading.Thread(target=keep_saving)
    writer.start()
    while not done.is_set():
        try:
            store.verify(path)
        except ModelFileError as exc:
            failures.append(str(exc))
    writer.join()
    assert not failures
    assert store.verify(path).meta.extra["round"] == 7


def test_delete_model_removes_the_pair_and_never_a_bundled_model(tmp_path, small_model):
    store.save_model(small_model, tmp_path / "gone.keras", {"model": "softmax"})
    store.save_model(small_model, tmp_path / "kept.keras", {"model": "softmax"})
    assert store.delete_model(tmp_path / "gone.keras") is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json", "kept.keras"]
    assert store.delete_model(tmp_path / "gone.keras") is False, "nothing left to delete"
    with pytest.raises(ModelFileError, match="ships with the app"):
        store.delete_model(store.BUNDLED_MODEL)
    assert store.bundled_model().path.is_file()
