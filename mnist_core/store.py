"""Model files: atomic saves, a JSON sidecar beside the weights, safe loading.

A model is `<stem>.keras` plus `<stem>.json`. The sidecar (a typed
`meta.ModelMeta` in memory) holds the SHA-256 of the weights file, so a crash
mid-save, a truncated copy or a damaged file is detected and refused instead
of silently used. (A checksum kept beside the file detects damage, not a
deliberate change: whoever can write the file can write its sidecar too.)

Every change to a pair (save, copy, update, delete) happens under the pair's
exclusive lock, with any check it depends on made inside that lock; readers
verify and load under a shared one. Lock files are removed by the last
holder, so none pile up.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelFileError
from .meta import ModelMeta
from .paths import BUNDLED_DIR, BUNDLED_MODEL, MODEL_SUFFIX, cache_dir, models_dir

if TYPE_CHECKING:
    import keras

SIDECAR_SUFFIX = ".json"


@dataclass(frozen=True)
class StoredModel:
    """A model file and what its sidecar says about it."""

    path: Path
    meta: ModelMeta = field(default_factory=ModelMeta)


def sidecar_path(model_path: Path) -> Path:
    return model_path.with_suffix(SIDECAR_SUFFIX)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """Library versions recorded with each model, to explain an incompatible file later."""
    import keras
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__}


LOCK_FOLDER = "locks"  # under the home folder's cache


@contextmanager
def _pair_lock(model_path: Path, exclusive: bool) -> Iterator[None]:
    """Hold the pair of `model_path`: a writer swaps model and sidecar while no reader is between them.

    A POSIX advisory lock on a file in the home folder's cache (never beside the models: the bundled
    folder may be read-only). The last holder removes the lock file; a waiter that got the lock on a file
    removed meanwhile opens the new one and waits again, so two holders never hold two different files.
    Where locking is unavailable (Windows, an unwritable home) saves stay atomic file by file, as before.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    lock_path = lock_file(model_path)
    while True:
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(lock_path, "a+")
        except OSError:
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        if _same_file(handle, lock_path):
            break
        handle.close()  # the last holder removed it while we waited: take the one there now
    try:
        yield
    finally:
        try:
            # The last holder (no one else holds or waits with a lock on it) removes the file.
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(handle, lock_path):
                lock_path.unlink()
        except OSError:
            pass  # someone else holds it: they remove it
        handle.close()


def lock_file(model_path: Path) -> Path:
    """Where the pair lock of `model_path` lives while someone holds it (one per model file, in the cache)."""
    name = hashlib.sha256(str(Path(model_path).resolve()).encode()).hexdigest()[:24]
    return cache_dir() / LOCK_FOLDER / f"{name}.lock"


def _same_file(handle, path: Path) -> bool:
    """Whether the open `handle` is still the file at `path` (not one removed since)."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


def _disk_words(exc: OSError) -> str:
    """What to do about a failed write, in words: a full disk says so."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "The disk is full: free some space (or delete old models), then try again."
    return "Check that the folder is writable, or set MNIST_STUDIO_HOME to a writable folder."


def save_model(model: "keras.Model", path: Path, meta: ModelMeta | Mapping[str, Any]) -> StoredModel:
    """Write the model and its sidecar as a pair: both to temporary files, then both renamed under the lock.

    `meta` may be given as the sidecar's JSON entries; the checksum, versions and time are filled in here.
    """
    path = Path(path)
    meta = meta if isinstance(meta, ModelMeta) else ModelMeta.from_dict(meta, "the model's description")
    temporaries: list[str] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=MODEL_SUFFIX, dir=path.parent)
        os.close(handle)
        temporaries.append(temporary)
        model.save(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; models are meant to be shared
        full_meta = replace(meta, sha256=file_sha256(Path(temporary)), versions=versions(),
                            saved_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        sidecar = _json_beside(sidecar_path(path), full_meta.to_dict())
        temporaries.append(str(sidecar))
        with _pair_lock(path, exclusive=True):
            # The sidecar first: a process killed between the two leaves a new model's sidecar with no model
            # (nothing is offered), never a model file without the sidecar that vouches for it.
            os.replace(sidecar, sidecar_path(path))
            os.replace(temporary, path)
    except OSError as exc:
        raise ModelFileError(f"Could not save the model to {path.parent} ({exc.strerror or exc}). "
                             f"{_disk_words(exc)}") from exc
    finally:
        for leftover in temporaries:
            if os.path.exists(leftover):
                os.unlink(leftover)
    return StoredModel(path, full_meta)


def _json_beside(path: Path, data: dict[str, Any]) -> Path:
    """`data` written to a temporary file next to `path`, ready to be renamed over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True))
    return temporary


def _write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """`data` as the JSON at `path`, whole or not at all (no temporary left when the disk refuses)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_meta(model_path: Path) -> ModelMeta:
    """The sidecar of `model_path`; ModelFileError when missing, unreadable, or holding a value of the wrong type."""
    sidecar = sidecar_path(Path(model_path))
    try:
        meta = json.loads(sidecar.read_text())
    except FileNotFoundError:
        raise ModelFileError(f"{model_path} has no {sidecar.name} beside it, so it cannot be verified. "
                             "Train it again with MNIST Studio.") from None
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{sidecar} is unreadable ({exc}). Delete it and train the model again.") from exc
    if not isinstance(meta, dict):
        raise ModelFileError(f"{sidecar} is not a metadata object. Delete it and train the model again.")
    return ModelMeta.from_dict(meta, str(sidecar))


def verify(model_path: Path) -> StoredModel:
    """Check that the file exists and matches the checksum in its sidecar."""
    model_path = Path(model_path)
    if not model_path.is_file():
        raise ModelFileError(f"No model file at {model_path}. Check the path, or train one with "
                             "`python -m mnist_core train`.")
    with _pair_lock(model_path, exclusive=False):
        return _verified(model_path)


def _verified(model_path: Path) -> StoredModel:
    """verify() for a caller that holds the pair's lock already."""
    if not model_path.is_file():
        raise ModelFileError(f"No model file at {model_path}. Check the path, or train one with "
                             "`python -m mnist_core train`.")
    meta = read_meta(model_path)
    if meta.sha256 != file_sha256(model_path):
        raise ModelFileError(f"{model_path} does not match the checksum in {sidecar_path(model_path).name}: "
                             "it is damaged (cut short or changed since it was saved). Delete it and train it "
                             "again.")
    return StoredModel(model_path, meta)


def load_model(model_path: Path | str | None = None, *, outputs: int = 10) -> tuple["keras.Model", StoredModel]:
    """Verify, then load with Keras safe_mode (no arbitrary code from the file).

    Without a path, the bundled default model is loaded. `outputs`: what the network must give for one 28x28
    digit (ten digit scores; the digit check gives one).
    """
    path = Path(model_path) if model_path else BUNDLED_MODEL
    with _pair_lock(path, exclusive=False):  # no save between the check and the load
        stored = _verified(path)
        import keras

        try:
            model = keras.saving.load_model(stored.path, compile=False, safe_mode=True)
        except Exception as exc:  # Keras raises many types for a bad archive; all mean "unusable"
            raise ModelFileError(f"{stored.path} could not be loaded as a Keras model ({type(exc).__name__}: "
                                 f"{str(exc)[:200]}). Train it again with this version of MNIST Studio.") from exc
    if tuple(model.input_shape[1:]) != (28, 28, 1) or model.output_shape[-1] != outputs:
        raise ModelFileError(f"{stored.path} is not the network expected here (input {model.input_shape}, "
                             f"output {model.output_shape}; expected (None, 28, 28, 1) and {outputs} outputs).")
    return model, stored


def update_meta(model_path: Path, changes: Mapping[str, Any]) -> StoredModel:
    """Add or replace sidecar entries of a verified model, given as in the JSON (the weights and checksum stay).

    The check and the write happen under one exclusive lock: no save or other update comes between them.
    """
    model_path = Path(model_path)
    try:
        with _pair_lock(model_path, exclusive=True):
            stored = _verified(model_path)
            meta = stored.meta.with_changes(changes)
            _write_json_atomically(sidecar_path(stored.path), meta.to_dict())
    except OSError as exc:
        raise ModelFileError(f"Could not update {sidecar_path(model_path)} ({exc.strerror or exc}). "
                             f"{_disk_words(exc)}") from exc
    return StoredModel(stored.path, meta)


def copy_model(source: Path, folder: Path, changes: Mapping[str, Any] | None = None) -> StoredModel:
    """Copy a verified model and its sidecar into `folder` under a name no other copy has, with `changes` to
    its sidecar (given as in the JSON); the copy is verified before it is offered.

    The name is the source's stem and a random part (`taught-3f9a1c2e.keras`); it is taken under the new
    pair's exclusive lock, where it is checked to be free, so two visitors saving at once get two files.
    """
    source, folder = Path(source), Path(folder)
    temporaries: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _pair_lock(source, exclusive=False):  # no save over the source while it is copied
            stored = _verified(source)
            weights = folder / f".{source.stem}.{os.getpid()}.{secrets.token_hex(4)}{MODEL_SUFFIX}.tmp"
            temporaries.append(weights)
            shutil.copyfile(stored.path, weights)
        if file_sha256(weights) != stored.meta.sha256:
            raise ModelFileError(f"The copy of {source.name} came out damaged. Try again.")
        meta = stored.meta.with_changes(changes or {})
        while True:
            target = folder / f"{source.stem.rsplit('-copy-', 1)[0]}-copy-{secrets.token_hex(4)}{MODEL_SUFFIX}"
            with _pair_lock(target, exclusive=True):
                if target.exists() or sidecar_path(target).exists():
                    continue  # taken (1 chance in 4 billion): draw again
                sidecar = _json_beside(sidecar_path(target), meta.to_dict())
                temporaries.append(sidecar)
                os.chmod(weights, 0o644)
                os.replace(weights, target)
                os.replace(sidecar, sidecar_path(target))
                return StoredModel(target, meta)
    except OSError as exc:
        raise ModelFileError(f"Could not copy the model into {folder} ({exc.strerror or exc}). "
                             f"{_disk_words(exc)}") from exc
    finally:
        for leftover in temporaries:
            leftover.unlink(missing_ok=True)


def delete_model(model_path: Path) -> bool:
    """Delete a model and its sidecar as a pair, under the pair's lock (no reader is left between them).

    False when there was no model file. The bundled models are never deleted: ModelFileError.
    """
    model_path = Path(model_path)
    if model_path.resolve().parent == BUNDLED_DIR.resolve():
        raise ModelFileError(f"{model_path.name} ships with the app and is never deleted.")
    try:
        with _pair_lock(model_path, exclusive=True):
            existed = model_path.is_file()
            model_path.unlink(missing_ok=True)
            sidecar_path(model_path).unlink(missing_ok=True)
    except OSError as exc:
        raise ModelFileError(f"Could not delete {model_path} ({exc.strerror or exc}). "
                             f"{_disk_words(exc)}") from exc
    return existed


def list_models(folder: Path | None = None) -> list[StoredModel]:
    """Every finished model in the home folder that passes verification, newest first."""
    folder = folder or models_dir()
    found = []
    for path in folder.glob(f"*{MODEL_SUFFIX}") if folder.is_dir() else []:
        if path.name.startswith("."):
            continue
        try:
            found.append(verify(path))
        except ModelFileError:
            continue
    return sorted(found, key=lambda stored: stored.meta.saved_at, reverse=True)


def bundled_model() -> StoredModel:
    """The default model shipped in models/, verified."""
    return verify(BUNDLED_MODEL)
