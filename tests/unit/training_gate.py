"""A stand-in for training that the training engine's unit tests share (import `gate`, a fixture, and `Gate`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from mnist_core import training
from mnist_core.errors import TrainingError


class Gate:
    """Stands in for training: records the order jobs start in, holds a job until let through, then fails it fast.

    A failed job is a finished one, which is all the engine's bookkeeping needs; real training is tested elsewhere.
    """

    def __init__(self) -> None:
        self.started: list[int] = []
        self.open = threading.Event()

    def __call__(self, job: training.TrainingJob):
        self.started.append(job.config.seed)
        if not self.open.wait(timeout=60):
            raise TimeoutError("the test never let the job through")
        raise TrainingError(f"seed {job.config.seed} done")


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """Every job of the test waits in Gate instead of training, until `gate.open` is set (at the latest, at the end)."""
    gate = Gate()
    monkeypatch.setattr(training.TrainingJob, "_train", lambda job: gate(job))
    yield gate
    gate.open.set()
