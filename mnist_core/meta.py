"""What a model's sidecar says, typed: one `ModelMeta` instead of a dict read with `.get()` everywhere.

The sidecar (`<stem>.json` beside `<stem>.keras`) is written by `store.save_model`
from a `ModelMeta` and read back into one by `store.read_meta`. Training fills
most fields; a model taught a visitor's handwriting (`adapt`) adds `adapted`; the
"not a digit" check (`digit_check`) fills `threshold` and keeps its own entries
in `extra`. `from_dict` accepts every sidecar written so far: a field it does not
find keeps its default (older files lack `train_images`, `epochs_done` and the
calibration), an entry it does not know is kept in `extra` and written back, and a
value of the wrong type is refused with the field's name.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import ModelFileError

OLD_FULL_TRAINING = 60_000  # models saved before the validation hold-out trained on every training image


@dataclass(frozen=True)
class EpochPoint:
    """A test accuracy measured during training: after whole epochs, or where a stopped run stopped (0.33)."""

    epoch: float
    test_accuracy: float
    elapsed: float  # seconds since training started


@dataclass(frozen=True)
class ReliabilityBin:
    """Test images whose confidence fell in [low, high): how sure the model said it was, and how right it was."""

    low: float
    high: float
    count: int
    confidence: float  # mean stated confidence in the bin
    accuracy: float  # share of right answers in the bin


@dataclass(frozen=True)
class CalibrationCheck:
    """How honest the model's confidence is on one set of images, after (and before) its temperature."""

    images: int
    accuracy: float
    mean_confidence: float
    ece: float  # expected calibration error: the average gap between stated confidence and accuracy
    reliability: tuple[ReliabilityBin, ...] = ()
    ece_uncalibrated: float | None = None
    mean_confidence_uncalibrated: float | None = None


@dataclass(frozen=True)
class Calibration:
    """Where the temperature was fitted, and its effect on the held-out images and on the test set."""

    fitted_on: str = ""
    validation: CalibrationCheck | None = None
    test: CalibrationCheck | None = None


@dataclass(frozen=True)
class ModelMeta:
    """Everything a sidecar records about its model file. Unset numbers are None (an older file lacks them)."""

    model: str = ""  # the zoo name ("fast"), or "digit_check"
    kind: str | None = None  # "digit_check" for the check network; None for a digit reader
    config: dict[str, Any] = field(default_factory=dict)  # the settings it was trained with (TrainConfig's fields)
    key: str | None = None  # TrainConfig.key: names the training result in the cache
    test_accuracy: float | None = None
    train_seconds: float | None = None
    device: str = ""  # "CPU" or "GPU"
    stopped: bool = False  # stopped before its planned epochs
    steps: int | None = None
    epochs: tuple[EpochPoint, ...] = ()  # the test points of the training's chart
    images_per_second: float | None = None
    seconds_to_99: float | None = None  # None: it never reached 99% on the test set
    data_source: str | None = None
    params: int | None = None
    precision: str | None = None  # Keras' dtype policy, e.g. "float32" or "mixed_float16"
    train_images: int | None = None
    epochs_done: float | None = None  # fractional for a stopped run
    temperature: float | None = None  # None: never calibrated (confidence is the raw softmax, temperature 1)
    calibration: Calibration | None = None
    adapted: dict[str, Any] | None = None  # what teaching a visitor's handwriting did (adapt.Result.summary and base)
    threshold: float | None = None  # the digit check's "looks like a digit" score threshold
    sha256: str = ""  # of the model file; set by store.save_model
    versions: dict[str, str] = field(default_factory=dict)  # python, tensorflow, keras at save time
    saved_at: str = ""  # ISO 8601 with the UTC offset, as written by store.save_model
    extra: dict[str, Any] = field(default_factory=dict)  # entries this code does not read, kept as written

    # --- What readers ask ---

    @property
    def planned_epochs(self) -> int | None:
        """The epochs the training was set up for (a stopped run did fewer: `epochs_done`)."""
        epochs = self.config.get("epochs")
        return epochs if isinstance(epochs, int) and not isinstance(epochs, bool) else None

    @property
    def images_trained(self) -> int:
        """Training images it learned from; a model saved before the hold-out existed saw all 60,000."""
        limit = self.config.get("limit")
        return self.train_images or (limit if isinstance(limit, int) else None) or OLD_FULL_TRAINING

    # --- Reading and writing ---

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "the sidecar") -> "ModelMeta":
        """The typed view of a sidecar's JSON object; ModelFileError naming the field when a value has the wrong type."""
        known = {item.name for item in fields(cls)} - {"extra"}
        values: dict[str, Any] = {}
        for name in known & set(data):
            if data[name] is None:
                continue  # an explicit null means unset, as a missing entry does
            values[name] = _read(name, data[name], source)
        extra = {name: value for name, value in data.items() if name not in known}
        return cls(**values, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """The sidecar's JSON object: unset entries left out, the unknown ones written back as they were read."""
        written: dict[str, Any] = dict(self.extra)
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "extra" or value is None or (isinstance(value, (tuple, dict, str)) and not value):
                continue
            if item.name == "epochs":
                value = [asdict(point) for point in value]
            elif item.name == "calibration":
                value = _calibration_dict(value)
            written[item.name] = value
        return written

    def with_changes(self, changes: Mapping[str, Any]) -> "ModelMeta":
        """A copy with sidecar entries added or replaced, given as in the JSON (e.g. a new calibration)."""
        return ModelMeta.from_dict({**self.to_dict(), **changes})


def _calibration_dict(value: Calibration) -> dict[str, Any]:
    written: dict[str, Any] = {"fitted_on": value.fitted_on}
    for split in ("validation", "test"):
        check = getattr(value, split)
        if check is not None:
            written[split] = {key: item for key, item in asdict(check).items() if item is not None}
            written[split]["reliability"] = [asdict(bin_) for bin_ in check.reliability]
    return written


# --- Checking each entry's type ---

REAL = "a number"
WHOLE = "a whole number"
_KINDS: dict[str, str] = {
    "model": "text", "kind": "text", "key": "text", "device": "text", "data_source": "text", "precision": "text",
    "sha256": "text", "saved_at": "text", "stopped": "true or false", "steps": WHOLE, "params": WHOLE,
    "train_images": WHOLE, "test_accuracy": REAL, "train_seconds": REAL, "images_per_second": REAL,
    "seconds_to_99": REAL, "epochs_done": REAL, "temperature": REAL, "threshold": REAL,
    "config": "an object", "adapted": "an object", "versions": "an object",
    "epochs": "a list of test points", "calibration": "a calibration record",
}


def _fits(value: Any, kind: str) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "true or false":
        return isinstance(value, bool)
    if kind in (REAL, WHOLE):
        allowed = numbers.Integral if kind == WHOLE else numbers.Real
        return isinstance(value, allowed) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(value, dict)


def _read(name: str, value: Any, source: str) -> Any:
    """`value` of sidecar entry `name`, converted to its field's type; ModelFileError when it cannot be."""
    kind = _KINDS[name]
    try:
        if name == "epochs":
            return tuple(EpochPoint(epoch=float(point["epoch"]), test_accuracy=float(point["test_accuracy"]),
                                    elapsed=float(point["elapsed"])) for point in value)
        if name == "calibration":
            return Calibration(fitted_on=str(value.get("fitted_on", "")),
                               validation=_check(value.get("validation")), test=_check(value.get("test")))
        if _fits(value, kind):
            return float(value) if kind == REAL else int(value) if kind == WHOLE else value
    except (TypeError, KeyError, ValueError, AttributeError):
        pass
    raise ModelFileError(f"{source} holds an invalid {name} ({str(value)[:60]!r}; it should be {kind}). "
                         "Delete the model and its sidecar and train it again.")


def _check(value: Mapping[str, Any] | None) -> CalibrationCheck | None:
    if not value:
        return None
    bins = tuple(ReliabilityBin(low=float(b["low"]), high=float(b["high"]), count=int(b["count"]),
                                confidence=float(b["confidence"]), accuracy=float(b["accuracy"]))
                 for b in value.get("reliability", ()))

    def optional(key: str) -> float | None:
        return None if value.get(key) is None else float(value[key])

    return CalibrationCheck(images=int(value["images"]), accuracy=float(value["accuracy"]),
                            mean_confidence=float(value["mean_confidence"]), ece=float(value["ece"]),
                            reliability=bins, ece_uncalibrated=optional("ece_uncalibrated"),
                            mean_confidence_uncalibrated=optional("mean_confidence_uncalibrated"))
