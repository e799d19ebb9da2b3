"""What a training job shows its readers: immutable `Progress` snapshots with per-batch and per-epoch points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .. import snapshots, store
from ..config import TrainConfig
from ..meta import EpochPoint

# No time estimate before the pace is known: the first steps include building the model's compiled step,
# so the estimate starts from step WARMUP_STEPS and needs PACE_STEPS and PACE_SECONDS after it.
WARMUP_STEPS, PACE_STEPS, PACE_SECONDS = 3, 5, 1.0
TARGET_ACCURACY = 0.99

State = Literal["queued", "running", "done", "stopped", "failed"]
FINISHED: tuple[State, ...] = ("done", "stopped", "failed")


@dataclass(frozen=True)
class BatchPoint:
    step: int
    epoch: float  # fractional, for the chart's x axis
    loss: float
    accuracy: float  # share right on the last practice_window.WINDOW_IMAGES training images (never restarts at a pass)
    # loss likewise: both from practice_window.PracticeWindow, not Keras' averages since the pass began, which jump


@dataclass(frozen=True)
class Progress:
    """An immutable snapshot of a job, safe to hand to any reader."""

    config: TrainConfig
    state: State
    step: int = 0
    total_steps: int = 0
    elapsed: float = 0.0
    device: str = ""
    batches: tuple[BatchPoint, ...] = ()
    epochs: tuple[EpochPoint, ...] = ()
    error: str | None = None
    # True when `error` is a programming or environment fault (its text is technical, for the log and
    # developers); False when it is a library error whose message is written for the user.
    unexpected: bool = False
    result: store.StoredModel | None = None
    cached: bool = False
    stopping: bool = False  # stop() was asked for; the job is finishing its batch, testing and saving
    # Every learning snapshot taken so far, in step order: a slow-motion view shows them one by one at an
    # audience's pace while the real training may already be far ahead.
    learned: tuple[snapshots.Snapshot, ...] = ()
    pace_from: tuple[int, float] | None = None  # (step, elapsed) when warm-up ended: the pace counts from here

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def testing(self) -> bool:
        """Every step is done and the job is testing and saving its model: too late for Stop to change anything."""
        return self.state == "running" and not self.stopping and 0 < self.total_steps <= self.step

    @property
    def learning(self) -> snapshots.Snapshot | None:
        """The latest learning snapshot (None before the first), for a live view that follows the real run."""
        return self.learned[-1] if self.learned else None

    @property
    def fraction(self) -> float:
        return 1.0 if self.state == "done" else (self.step / self.total_steps if self.total_steps else 0.0)

    @property
    def eta_seconds(self) -> float | None:
        """Time left at the pace measured since warm-up; None until a few steps and a second are measured."""
        if self.finished or self.stopping or self.pace_from is None:
            return None
        steps, seconds = self.step - self.pace_from[0], self.elapsed - self.pace_from[1]
        if steps < PACE_STEPS or seconds < PACE_SECONDS:
            return None
        return seconds / steps * (self.total_steps - self.step)

    @property
    def epochs_done(self) -> float:
        """Epochs trained so far, fractional (a stopped run's 0.33)."""
        return self.step / self.total_steps * self.config.epochs if self.total_steps else 0.0

    @property
    def images_per_second(self) -> float:
        return self.step * self.config.batch_size / self.elapsed if self.elapsed else 0.0

    @property
    def test_accuracy(self) -> float | None:
        if self.result is not None:
            return self.result.meta.test_accuracy
        return self.epochs[-1].test_accuracy if self.epochs else None

    @property
    def seconds_to_target(self) -> float | None:
        """Elapsed seconds at the end of the first epoch that reached 99% test accuracy."""
        return next((point.elapsed for point in self.epochs if point.test_accuracy >= TARGET_ACCURACY), None)

