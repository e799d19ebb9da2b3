"""Cache files of arrays (.npz): read whole or not at all, written atomically.

A cache cut short (a full disk, a killed process, an interrupted copy) must cost a rebuild, never a crash:
depending on where it was cut, np.load raises BadZipFile, EOFError, OSError, ValueError or KeyError. A damaged
cache file is removed with one line in the log, and the caller makes it again.
"""

from __future__ import annotations

import logging
import os
import threading
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DAMAGED = (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError)  # what np.load raises for a cut file


def read(path: Path, keys: Iterable[str], what: str) -> dict[str, np.ndarray] | None:
    """The arrays `keys` of `path`, loaded; None when there is no such file, or when it is damaged (then removed)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {key: np.asarray(stored[key]) for key in keys}
    except DAMAGED as exc:
        log.warning("The cached %s at %s is damaged (%s: %s); it is made again.", what, path, type(exc).__name__,
                    exc)
        path.unlink(missing_ok=True)
        return None


def write(path: Path, arrays: dict[str, np.ndarray], compressed: bool = False) -> bool:
    """Write `arrays` to `path` whole or not at all; False when the disk refused (a cache only saves time)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            (np.savez_compressed if compressed else np.savez)(handle, **arrays)
        os.replace(temporary, path)
        return True
    except OSError as exc:
        log.warning("Could not keep a cache file at %s (%s); it will be computed again next time.", path,
                    exc.strerror or exc)
        temporary.unlink(missing_ok=True)
        return False
