"""Trained results on disk: the cached result of a setting, the disk budget, and pruning the oldest to fit it."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from .. import host, snapshots, store
from ..config import TrainConfig
from ..errors import MnistStudioError
from ..paths import models_dir

log = logging.getLogger(__name__)

DISK_ENV = "MNIST_STUDIO_DISK_MB"  # the trained results' disk budget, in MB (models, sidecars, recordings)
DISK_MB, PUBLIC_DISK_MB = 1000, 300  # the budget by default, and on a public host
LEFTOVER_SECONDS = 3600  # a temporary file in the models folder this old was left by a killed save


def stored_result(config: TrainConfig) -> store.StoredModel | None:
    """The finished (not stopped) model for `config` on disk, if a valid one exists (reads and hashes the file)."""
    try:
        stored = store.verify(config.model_path())
    except MnistStudioError:
        return None
    return None if stored.meta.stopped or stored.meta.key != config.key else stored


def disk_budget() -> int:
    """Bytes the trained results may take: MNIST_STUDIO_DISK_MB, else DISK_MB (PUBLIC_DISK_MB on a public host)."""
    try:
        megabytes = float(os.environ.get(DISK_ENV, ""))
    except ValueError:
        megabytes = PUBLIC_DISK_MB if host.public() else DISK_MB
    return int(max(0.0, megabytes) * 1e6)


def prune_results(budget: int | None = None, keep: tuple[Path, ...] = ()) -> list[Path]:
    """Delete the oldest trained results (model, sidecar, recording) until the models folder fits `budget` bytes
    (default: disk_budget()); returns the model paths deleted.

    Never `keep`, never a bundled model (they live beside the code, not here). A finished job whose file goes
    must be forgotten by its line (`TrainingJob.run` tells it). Temporary files and lone sidecars a killed save
    left behind (older than LEFTOVER_SECONDS) go too.
    """
    budget = disk_budget() if budget is None else budget
    folder = models_dir()
    if not folder.is_dir():
        return []
    now, results = time.time(), []
    for path in folder.iterdir():
        try:
            info = path.stat()
            stale = now - info.st_mtime > LEFTOVER_SECONDS
            if path.name.startswith(".") or (path.suffix == store.SIDECAR_SUFFIX and
                                             not path.with_suffix(store.MODEL_SUFFIX).exists()):
                if stale:  # a killed save's temporary, or the sidecar of a model it never renamed into place
                    path.unlink()
            elif path.suffix == store.MODEL_SUFFIX:
                companions = (store.sidecar_path(path), snapshots.path_for(path))
                size = info.st_size + sum(c.stat().st_size for c in companions if c.exists())
                results.append((info.st_mtime, size, path))
        except OSError:
            continue  # gone meanwhile: nothing to count
    total = sum(size for _, size, _ in results)
    kept = {Path(path) for path in keep}
    deleted = []
    for _, size, path in sorted(results):
        if total <= budget:
            break
        if path in kept:
            continue
        try:
            store.delete_model(path)
            snapshots.delete(path)
        except MnistStudioError as exc:
            log.warning("Could not prune %s: %s", path.name, exc)
            continue
        total -= size
        deleted.append(path)
    if deleted:
        log.info("Pruned %d old trained result(s) to keep the models folder under %d MB.", len(deleted),
                 budget // 1_000_000)
    return deleted
