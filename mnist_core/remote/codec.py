"""Progress and learning pictures as JSON for Redis: what a worker publishes and every app server reads.

JSON, not pickle: whatever can write to Redis could otherwise run code on every app server that unpickles it.
Arrays travel as base64 bytes of a fixed dtype with their shape, checked on the way in. A finished model's
file travels by name only: each machine finds it in its own mount of the shared store (models_dir()).
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, fields
from typing import Any

import numpy as np

from .. import snapshots, store
from ..config import TrainConfig
from ..errors import TrainingError
from ..meta import EpochPoint, ModelMeta
from ..paths import MODEL_SUFFIX, models_dir
from ..training.progress import BatchPoint, Progress

PLAIN = ("state", "step", "total_steps", "elapsed", "device", "error", "unexpected", "cached", "stopping")
KINDS = ("filters", "templates")


def dump_progress(progress: Progress) -> str:
    """A Progress as JSON, without its learning pictures (they travel one by one: `dump_snapshot`)."""
    result = progress.result
    data: dict[str, Any] = {name: getattr(progress, name) for name in PLAIN}
    data.update(config=asdict(progress.config), batches=[astuple(point) for point in progress.batches],
                epochs=[astuple(point) for point in progress.epochs],
                pace_from=list(progress.pace_from) if progress.pace_from else None,
                result=None if result is None else {"file": result.path.name, "meta": result.meta.to_dict()})
    return json.dumps(data)


def load_progress(text: str | bytes, learned: tuple[snapshots.Snapshot, ...] = ()) -> Progress:
    """The Progress `dump_progress` wrote; TrainingError when the text is not one."""
    try:
        data = json.loads(text)
        result = data["result"]
        stored = None if result is None else store.StoredModel(
            path=models_dir() / _file_name(result["file"]), meta=ModelMeta.from_dict(result["meta"], "the line"))
        return Progress(config=TrainConfig(**data["config"]), result=stored, learned=learned,
                        batches=tuple(BatchPoint(int(s), float(e), float(loss), float(a))
                                      for s, e, loss, a in data["batches"]),
                        epochs=tuple(EpochPoint(float(e), float(a), float(t)) for e, a, t in data["epochs"]),
                        pace_from=None if data["pace_from"] is None else (int(data["pace_from"][0]),
                                                                          float(data["pace_from"][1])),
                        **{name: data[name] for name in PLAIN})
    except (ValueError, KeyError, TypeError) as exc:
        raise TrainingError(f"The training line holds a progress report this version cannot read ({exc}): "
                            "are the app servers and the workers running the same version?") from None


def dump_snapshot(snapshot: snapshots.Snapshot) -> str:
    """One learning picture (filters or templates, and the strip's answers) as JSON."""
    return json.dumps({"step": snapshot.step, "epoch": snapshot.epoch, "elapsed": snapshot.elapsed,
                       "kind": snapshot.kind, "pictures": _array(snapshot.pictures, np.float32),
                       "predictions": _array(snapshot.predictions, np.int16)})


def load_snapshot(text: str | bytes) -> snapshots.Snapshot:
    try:
        data = json.loads(text)
        if data["kind"] not in KINDS:
            raise ValueError(f"unknown kind {data['kind']!r}")
        return snapshots.Snapshot(step=int(data["step"]), epoch=float(data["epoch"]), elapsed=float(data["elapsed"]),
                                  kind=data["kind"], pictures=_from_array(data["pictures"], np.float32),
                                  predictions=_from_array(data["predictions"], np.int16).astype(np.int64))
    except (ValueError, KeyError, TypeError) as exc:
        raise TrainingError(f"The training line holds a learning picture this version cannot read ({exc}).") from None


def astuple(point: BatchPoint | EpochPoint) -> list[float]:
    return [getattr(point, item.name) for item in fields(point)]


def _file_name(name: str) -> str:
    """Only a plain model file name: a published path must not lead a reader outside its store folder."""
    if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith(".") \
            or not name.endswith(MODEL_SUFFIX):
        raise ValueError(f"not a model file name: {name!r}")
    return name


def _array(values: np.ndarray, dtype: type) -> dict[str, Any]:
    array = np.ascontiguousarray(values, dtype=dtype)
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode("ascii")}


def _from_array(data: dict[str, Any], dtype: type) -> np.ndarray:
    shape = tuple(int(size) for size in data["shape"])
    return np.frombuffer(base64.b64decode(data["data"]), dtype=dtype).reshape(shape).copy()
