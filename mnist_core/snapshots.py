"""Learning snapshots: what a network looks at, and how it reads 20 fixed test digits, as it trains.

An audience cannot see a loss curve learn; it can see pictures change. Every
few steps a `Recorder` keeps two things:

- the first layer's pictures: the 32 small filters of a convolutional network,
  or, for the networks that read pixels directly (softmax, MLP), the ten digit
  templates, each a 28x28 picture of the weights one digit's score gives
  every pixel;
- the answers the network gives for a strip of 20 fixed test digits (two of
  each), which turn from wrong to right as it learns.

Steps are spaced densely at the start, where most of the learning happens,
and at most `MAX_SNAPSHOTS` are kept, so recording costs a few per cent of
training time. A finished run's recording lies beside its model as
`<stem>.snapshots.npz`, tied to the model file by its checksum, so a cached
or finished result can be replayed at an audience's pace.

A recording's curve is the live chart's line (`practice_window`); recordings written before it (format 1)
kept Keras' pass averages, and `load` turns them into the window's curve when it is told the run's batch
size and image count.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from . import npz_cache
from .errors import ModelFileError
from .inference import forward
from .practice_window import WINDOW_IMAGES, recent_curve

if TYPE_CHECKING:
    import keras

STRIP_PER_DIGIT = 2
STRIP_SIZE = 10 * STRIP_PER_DIGIT
MAX_SNAPSHOTS = 40  # per run: enough frames for a smooth 15 s replay, few enough to cost little
MAX_FILTERS = 32  # first-layer filters shown (all of them in every zoo model)
FILE_SUFFIX = ".snapshots.npz"
FORMAT_VERSION = 2  # 2: the curve is the practice window's (1: Keras' averages since each pass began)
READABLE_FORMATS = (1, 2)
PIXELS = 28 * 28
EXAMPLES = 12  # training digits shown before a run starts: what it will learn from

log = logging.getLogger(__name__)

Kind = Literal["filters", "templates"]


@dataclass(frozen=True)
class Snapshot:
    """The network at one step: its first-layer pictures and its answers for the strip of test digits."""

    step: int
    epoch: float  # fractional: step / steps per epoch
    elapsed: float  # seconds of training so far
    kind: Kind
    pictures: np.ndarray  # (n, h, w) float32 signed weights: n filters, or 10 digit templates of 28x28
    predictions: np.ndarray  # (STRIP_SIZE,) int: the digit the network reads for each strip image

    def correct(self, labels: np.ndarray) -> int:
        """How many strip digits this snapshot reads right."""
        return int((self.predictions == labels).sum())


@dataclass(frozen=True)
class Recording:
    """A whole run: its snapshots, plus the curve and test points for a replayed chart."""

    snapshots: tuple[Snapshot, ...]
    total_steps: int
    epochs: int  # epochs asked for (a stopped run's snapshots end earlier)
    # (m, 4) rows of step, fractional epoch, loss, training accuracy: the live chart's points, each over the
    # last `window` training images (0: Keras' average since the pass began, a format-1 file left as it was)
    curve: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    # (k, 3) rows of fractional epoch, test accuracy, elapsed seconds
    tests: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.float32))
    window: int = WINDOW_IMAGES

    @property
    def kind(self) -> Kind:
        return self.snapshots[0].kind if self.snapshots else "filters"


@lru_cache(maxsize=1)
def strip_indices() -> np.ndarray:
    """The fixed test digits watched while training: the first two of each class, read 0-9 twice."""
    from .data import load_mnist

    labels = load_mnist().y_test
    firsts = [np.flatnonzero(labels == digit)[:STRIP_PER_DIGIT] for digit in range(10)]
    return np.array([firsts[digit][round_] for round_ in range(STRIP_PER_DIGIT) for digit in range(10)])


@lru_cache(maxsize=1)
def strip() -> tuple[np.ndarray, np.ndarray]:
    """The strip's images (STRIP_SIZE, 28, 28) uint8 (white ink on black, as in MNIST) and their labels."""
    from .data import load_mnist

    mnist = load_mnist()
    indices = strip_indices()
    images, labels = mnist.x_test[indices].copy(), mnist.y_test[indices].astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


@lru_cache(maxsize=1)
def examples() -> tuple[np.ndarray, np.ndarray]:
    """The first EXAMPLES training digits (white ink on black) and their labels: every slice of the training
    images starts with them, so they are what any run learns from, shown before it starts."""
    from .data import load_mnist

    mnist = load_mnist()
    images, labels = mnist.x_train[:EXAMPLES].copy(), mnist.y_train[:EXAMPLES].astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def snapshot_steps(total_steps: int, limit: int = MAX_SNAPSHOTS) -> np.ndarray:
    """Steps to record at: 0 (before any learning), dense at first, then evenly, and always the last.

    Half the snapshots are spaced geometrically (1, 2, 4, ... steps: the first answers change fastest),
    half evenly over the run.
    """
    if total_steps <= 0:
        return np.array([0])
    half = max(1, (limit - 2) // 2)
    early = np.geomspace(1, max(1, total_steps), half)
    even = np.linspace(0, total_steps, half + 1)
    steps = np.unique(np.round(np.concatenate([[0], early, even, [total_steps]])).astype(int))
    return steps[(steps >= 0) & (steps <= total_steps)]


def pictures(model: "keras.Model") -> tuple[Kind, np.ndarray]:
    """The first layer's pictures as (n, h, w) float32.

    A convolutional network: its first conv layer's filters (averaged over input channels). A network that
    reads the pixels directly: one 28x28 template per digit, the dense weights from the pixels to that
    digit's score; for the MLP the product of its two weight matrices, which leaves out the hidden layer's
    ReLU and so is an approximation of what each digit's score looks for.
    """
    import keras

    layers = model.layers
    conv = next((layer for layer in layers if isinstance(layer, keras.layers.Conv2D)), None)
    if conv is not None:
        kernel = np.asarray(conv.kernel, dtype=np.float32)  # (h, w, in, out)
        return "filters", kernel.mean(axis=2).transpose(2, 0, 1)[:MAX_FILTERS]
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    if not dense or dense[0].kernel.shape[0] != PIXELS:
        raise ModelFileError(f"The model {model.name!r} has no first layer that can be drawn as pictures.")
    combined = np.asarray(dense[0].kernel, dtype=np.float32)
    for layer in dense[1:]:
        if combined.shape[1] == 10:
            break
        combined = combined @ np.asarray(layer.kernel, dtype=np.float32)
    return "templates", combined.T.reshape(-1, 28, 28)


def strip_batch() -> np.ndarray:
    """The strip as the network's input: (STRIP_SIZE, 28, 28, 1) floats in [0, 1]."""
    return strip()[0].astype(np.float32)[..., None] / 255.0


def take(model: "keras.Model", step: int, epoch: float, elapsed: float,
         read: Callable[[np.ndarray], np.ndarray] | None = None) -> Snapshot:
    """One snapshot of `model` now (a forward pass over the 20 strip digits plus a weight copy)."""
    batch = strip_batch()
    scores = read(batch) if read is not None else np.asarray(model(batch, training=False))
    predictions = scores.argmax(axis=1).astype(np.int64)
    kind, drawn = pictures(model)
    return Snapshot(step=int(step), epoch=float(epoch), elapsed=float(elapsed), kind=kind,
                    pictures=drawn.astype(np.float32), predictions=predictions)


class Recorder:
    """Decides when to snapshot during training and keeps what it took.

    Call `start` before training (it traces the forward pass and takes step 0), then `at_step` after every
    training step; it returns the new snapshot when one is due (for the live view), else None. `finish`
    adds the last state (the stop step of a stopped run, or, for the MLP, the averaged weights fit()
    swaps in at the end).
    """

    def __init__(self, total_steps: int, steps_per_epoch: int, limit: int = MAX_SNAPSHOTS) -> None:
        self.total_steps = total_steps
        self.steps_per_epoch = max(1, steps_per_epoch)
        self._due = set(int(step) for step in snapshot_steps(total_steps, limit))
        self.snapshots: list[Snapshot] = []
        self._read: Callable[[np.ndarray], np.ndarray] | None = None

    def start(self, model: "keras.Model") -> Snapshot:
        """Trace the model's forward pass once and snapshot the untrained network (step 0)."""
        self._read = forward(model)  # traced: a snapshot costs a few ms, an eager call tens
        self._due.discard(0)
        return self._take(model, 0, 0.0)

    def at_step(self, model: "keras.Model", step: int, elapsed: float) -> Snapshot | None:
        if step not in self._due:
            return None
        self._due.discard(step)
        return self._take(model, step, elapsed)

    def finish(self, model: "keras.Model", step: int, elapsed: float) -> Snapshot:
        """The final state, replacing a snapshot already taken at this step."""
        if self.snapshots and self.snapshots[-1].step == step:
            self.snapshots.pop()
        return self._take(model, step, elapsed)

    def _take(self, model: "keras.Model", step: int, elapsed: float) -> Snapshot:
        snapshot = take(model, step, round(step / self.steps_per_epoch, 4), elapsed, self._read)
        self.snapshots.append(snapshot)
        return snapshot

    def recording(self, epochs: int, curve: np.ndarray | None = None, tests: np.ndarray | None = None,
                  window: int = WINDOW_IMAGES) -> Recording:
        """The run as kept beside its model; `curve` holds the practice window's points (`window` images)."""
        return Recording(snapshots=tuple(self.snapshots), total_steps=self.total_steps, epochs=epochs,
                         curve=_rows(curve, 4), tests=_rows(tests, 3), window=window)


def _rows(values: np.ndarray | None, columns: int) -> np.ndarray:
    if values is None or len(values) == 0:
        return np.zeros((0, columns), np.float32)
    return np.asarray(values, dtype=np.float32).reshape(-1, columns)


def path_for(model_path: Path | str) -> Path:
    """`<stem>.snapshots.npz` beside `<stem>.keras`."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + FILE_SUFFIX)


def delete(model_path: Path | str) -> None:
    """Delete the recording beside `model_path`, if there is one (its model is being deleted)."""
    target = path_for(model_path)
    try:
        target.unlink(missing_ok=True)
    except OSError as exc:
        raise ModelFileError(f"Could not delete {target} ({exc.strerror or exc}). "
                             "Check that the folder is writable.") from exc


def save(model_path: Path | str, recording: Recording, model_sha256: str) -> Path:
    """Write the recording beside the model, atomically, tied to the model file's checksum."""
    target = path_for(model_path)
    shots = recording.snapshots
    arrays = {
        "format": np.array(FORMAT_VERSION), "model_sha256": np.array(model_sha256),
        "kind": np.array(recording.kind), "total_steps": np.array(recording.total_steps),
        "epochs": np.array(recording.epochs),
        "steps": np.array([s.step for s in shots], np.int64),
        "epoch": np.array([s.epoch for s in shots], np.float64),
        "elapsed": np.array([s.elapsed for s in shots], np.float64),
        "pictures": (np.stack([s.pictures for s in shots]) if shots else np.zeros((0, 0, 0, 0))).astype(np.float16),
        "predictions": (np.stack([s.predictions for s in shots]) if shots
                        else np.zeros((0, STRIP_SIZE))).astype(np.int8),
        "strip": strip_indices(), "curve": recording.curve, "tests": recording.tests,
        "window": np.array(recording.window),
    }
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as output:
                np.savez_compressed(output, **arrays)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as exc:
        raise ModelFileError(f"Could not save the learning snapshots to {target.parent} "
                             f"({exc.strerror or exc}). Free some disk space.") from exc
    return target


def load(model_path: Path | str, model_sha256: str, batch_size: int | None = None,
         images: int | None = None) -> Recording | None:
    """The recording saved beside `model_path`, or None when there is none or it belongs to another file.

    A model trained before snapshots were kept, or replaced since, simply has nothing to replay. A recording
    made before the practice window (format 1) gets the window's curve when `batch_size` and `images` (the
    run's) are given; without them its curve stays Keras' averages since each pass began (`window` 0).
    """
    source = path_for(model_path)
    if not source.is_file():
        return None
    try:
        with np.load(source, allow_pickle=False) as data:
            version = int(data["format"])
            if (version not in READABLE_FORMATS or str(data["model_sha256"]) != model_sha256
                    or not np.array_equal(data["strip"], strip_indices())):
                return None
            curve, window = _rows(data["curve"], 4), int(data["window"]) if "window" in data else 0
            total_steps, epochs = int(data["total_steps"]), int(data["epochs"])
            if version == 1 and batch_size and images:
                curve = recent_curve(curve, total_steps // max(1, epochs), batch_size, images)
                window = WINDOW_IMAGES
            kind = str(data["kind"])
            pictures_ = data["pictures"].astype(np.float32)
            predictions = data["predictions"].astype(np.int64)
            shots = tuple(Snapshot(step=int(step), epoch=float(epoch), elapsed=float(elapsed), kind=kind,
                                   pictures=pictures_[i], predictions=predictions[i])
                          for i, (step, epoch, elapsed) in enumerate(zip(data["steps"], data["epoch"],
                                                                          data["elapsed"])))
            return Recording(snapshots=shots, total_steps=total_steps, epochs=epochs, curve=curve,
                             tests=_rows(data["tests"], 3), window=window)
    except (*npz_cache.DAMAGED, IndexError, TypeError) as exc:  # cut short, garbled or of a foreign shape
        log.warning("The learning snapshots at %s are damaged (%s: %s); removed: the model still answers, without "
                    "its replay, until these settings are trained again.", source, type(exc).__name__, exc)
        source.unlink(missing_ok=True)
        return None


def paced_step(total_steps: int, seconds: float, duration: float) -> int:
    """The step a slow-motion view of a `total_steps` run has reached `seconds` into its `duration`.

    Each snapshot planned for the run (`snapshot_steps`) gets the same share of the duration, as each
    recorded one does in a replay (`at_fraction`): the first steps, where the answers change fastest, take
    as long to watch as the calm end. The last planned snapshot is reached before the duration is over, so
    the final picture stays in view for a moment.
    """
    planned = snapshot_steps(total_steps)
    index = int(seconds / duration * len(planned)) if duration > 0 else len(planned) - 1
    return int(planned[min(len(planned) - 1, max(0, index))])


def paced(taken: Sequence[Snapshot], total_steps: int, seconds: float, duration: float) -> Snapshot:
    """The snapshot a slow-motion view shows `seconds` into its `duration`: the newest of `taken` (in step
    order) at or before the paced step. Never one the real training has not reached yet, so a run slower than
    the duration is simply shown as it goes; and the same for a running job's snapshots as for its recording,
    so a view that goes on from one to the other does not jump."""
    if not taken:
        raise ValueError("no snapshot taken yet")
    step = paced_step(total_steps, seconds, duration)
    shown = taken[0]
    for snapshot in taken[1:]:
        if snapshot.step > step:
            break
        shown = snapshot
    return shown


def at_fraction(recording: Recording, fraction: float) -> int:
    """Index of the snapshot a replay shows `fraction` (0-1) of the way through.

    Each snapshot gets the same share of the replay, so the early steps, where the pictures and answers
    change most, are slowed down and the long, calm end goes by quickly.
    """
    count = len(recording.snapshots)
    if count == 0:
        raise ValueError("the recording holds no snapshots")
    return min(count - 1, max(0, int(fraction * count)))
