"""Model files: atomic save, checksum sidecar, refusal of damaged files, copies and updates under one lock."""

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


def test_damaged_file_is_refused(tmp_path, small_model):
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
    assert listed[0].meta.model == "softmax" and listed[0].meta.test_accuracy == 0.9


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


def test_updates_at_once_lose_nothing(tmp_path, small_model):
    """Each update reads, checks and writes the sidecar under one exclusive lock: no update overwrites another."""
    import threading

    path = tmp_path / "m.keras"
    store.save_model(small_model, path, {"model": "softmax"})
    threads = [threading.Thread(target=store.update_meta, args=(path, {f"note_{i}": i})) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    extra = store.verify(path).meta.extra
    assert {f"note_{i}" for i in range(12)} <= set(extra)


def test_copies_at_once_get_names_of_their_own_and_verify(tmp_path, small_model):
    import threading

    source = tmp_path / "session" / "taught.keras"
    store.save_model(small_model, source, {"model": "softmax", "test_accuracy": 0.9})
    shared = tmp_path / "models"
    copies: list[store.StoredModel] = []
    threads = [threading.Thread(target=lambda: copies.append(store.copy_model(source, shared, {"origin": "x"})))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({copy.path for copy in copies}) == 8
    assert all(store.verify(copy.path).meta.extra["origin"] == "x" for copy in copies)
    assert sorted(p.suffix for p in shared.iterdir()) == [".json"] * 8 + [".keras"] * 8, "no temporary left"
    # A copy of a copy is named after the original, not "taught-copy-ab12-copy-cd34".
    again = store.copy_model(copies[0].path, shared)
    assert again.path.name.count("-copy-") == 1


def test_a_damaged_source_is_not_copied(tmp_path, small_model):
    source = tmp_path / "taught.keras"
    store.save_model(small_model, source, {"model": "softmax"})
    with open(source, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelFileError, match="damaged"):
        store.copy_model(source, tmp_path / "models")
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())


def test_no_lock_file_is_left_behind(tmp_path, small_model):
    from mnist_core.paths import cache_dir

    path = tmp_path / "m.keras"
    store.save_model(small_model, path, {"model": "softmax"})
    store.verify(path)
    store.update_meta(path, {"note": 1})
    copy = store.copy_model(path, tmp_path / "copies").path
    store.load_model(path)
    store.delete_model(path)
    # Only these pairs' locks: the cache folder is the whole session's, where other processes hold their own.
    assert not store.lock_file(path).exists() and not store.lock_file(copy).exists()
    assert store.lock_file(path).parent == cache_dir() / store.LOCK_FOLDER


def test_a_full_disk_is_said_in_words_and_the_pair_stays(tmp_path, small_model, monkeypatch):
    import errno
    import os

    path = tmp_path / "m.keras"
    store.save_model(small_model, path, {"model": "softmax", "test_accuracy": 0.5})
    real_replace = os.replace

    def full(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    for attempt in (lambda: store.save_model(small_model, path, {"model": "softmax"}),
                    lambda: store.update_meta(path, {"note": 1}),
                    lambda: store.copy_model(path, tmp_path / "copies")):
        with pytest.raises(ModelFileError, match="disk is full"):
            attempt()
    monkeypatch.setattr(os, "replace", real_replace)
    assert store.verify(path).meta.test_accuracy == 0.5
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["m.json", "m.keras"]
    assert not (tmp_path / "copies").exists() or list((tmp_path / "copies").iterdir()) == []
