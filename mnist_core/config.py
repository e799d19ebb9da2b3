"""What determines a trained model: TrainConfig, the ranges its fields accept, and the cache version.

The library, the CLI and the app check settings against one table (LIMITS); a configuration's `key` names its
result in the store, so the same settings are never trained twice. Below the training engine (and the fitting
loop that reads it), above the zoo and the paths.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from dataclasses import asdict, dataclass
from pathlib import Path

from .data import NUM_FIT
from .errors import TrainingError
from .models import get_spec, steps_per_epoch
from .paths import MODEL_SUFFIX, models_dir

# Bump when training code changes what a configuration produces, to invalidate old results.
CACHE_VERSION = 5  # 3: trains on at most 55,000 images; the last 5,000 calibrate the confidence
# 4: weights and order seeded per job (fitting.py), so a seed gives other weights than before
# 5: `fast` reads the middle 24 x 24, conv3 unpadded, and trains through fused kernels (issue #16): another network
# Training images per second on a 2-core CPU at each recipe's batch size (the bundled models' sidecars and
# docs/benchmarks.md; deepnn, not bundled, measured at about 300). Smaller batches are counted as slower.
CPU_IMAGES_PER_SECOND = {"softmax": 20_000, "mlp": 6_000, "deepnn": 300, "keras_cnn": 1_500, "fast": 4_000,
                         "best": 240}


@dataclass(frozen=True)
class Range:
    """The values one TrainConfig field accepts: the one source for the library, the CLI and the app."""

    low: float
    high: float
    whole: bool  # only whole numbers (epochs, images); else any real number (the learning rate)

    def problem(self, field: str, value: object) -> str | None:
        """Why `value` does not fit, in a sentence that names the field and the range; None when it fits."""
        kind = "a whole number" if self.whole else "a number"
        allowed = (numbers.Integral,) if self.whole else (numbers.Real,)
        fits = isinstance(value, allowed) and not isinstance(value, bool) and math.isfinite(value) \
            and self.low <= value <= self.high
        return None if fits else f"{field} must be {kind} from {self.low:g} to {self.high:g}, not {value!r}."


# Ranges a person would use: every zoo recipe fits (the mlp's 33 passes, Adam's 1e-4, plain SGD's 0.8);
# beyond them a run only takes longer or learns nothing (a rate above 1 diverges).
LIMITS: dict[str, Range] = {
    "epochs": Range(1, 50, whole=True),
    "batch_size": Range(16, 1024, whole=True),
    "learning_rate": Range(1e-5, 1.0, whole=False),
    "limit": Range(100, NUM_FIT, whole=True),  # None means all NUM_FIT images
    "seed": Range(0, 2**31 - 1, whole=True),
}


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a trained model; its `key` names the result.

    Checked when it is made: a wrong type or a value out of range raises TrainingError at once, with the
    field and its range, instead of failing later inside a training thread.
    """

    model: str
    epochs: int
    batch_size: int
    learning_rate: float
    limit: int | None = None  # train on the first N training images (quick demos, tests)
    seed: int = 0

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def for_model(cls, model: str, *, epochs: int | None = None, batch_size: int | None = None,
                  learning_rate: float | None = None, limit: int | None = None, seed: int = 0) -> "TrainConfig":
        """The published recipe of `model`, with any value overridden."""
        defaults = get_spec(model).defaults

        def pick(value, default):
            return default if value is None else value

        return cls(model=model, epochs=pick(epochs, defaults.epochs), batch_size=pick(batch_size, defaults.batch_size),
                   learning_rate=pick(learning_rate, defaults.learning_rate), limit=limit, seed=seed)

    def validate(self) -> None:
        """Raise TrainingError naming the first field that is of the wrong type or out of its range."""
        if not isinstance(self.model, str):
            raise TrainingError(f"model must be a model name such as 'fast', not {self.model!r}.")
        get_spec(self.model)
        for name, allowed in LIMITS.items():
            value = getattr(self, name)
            if name == "limit" and value is None:
                continue
            problem = allowed.problem(name, value)
            if problem:
                raise TrainingError(problem)

    @property
    def num_images(self) -> int:
        return self.limit or NUM_FIT

    @property
    def total_steps(self) -> int:
        return self.epochs * steps_per_epoch(self.num_images, self.batch_size)

    @property
    def cpu_seconds(self) -> float:
        """About how long this training takes on a 2-core CPU (an upper bound's estimate, for the public cap)."""
        rate = CPU_IMAGES_PER_SECOND.get(self.model, min(CPU_IMAGES_PER_SECOND.values()))
        slower = max(1.0, get_spec(self.model).defaults.batch_size / self.batch_size)  # more steps, each with overhead
        return self.epochs * self.num_images / rate * slower

    @property
    def key(self) -> str:
        """A stable 16-hex-digit hash of the configuration and the cache version."""
        payload = json.dumps({**asdict(self), "cache_version": CACHE_VERSION}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def model_path(self, stopped: bool = False) -> Path:
        """Where the finished result lives; a stopped run has a path of its own, so it never replaces it."""
        suffix = "-stopped" if stopped else ""
        return models_dir() / f"{self.model}-{self.key}{suffix}{MODEL_SUFFIX}"
