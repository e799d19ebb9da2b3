"""Shared test set-up: every test session gets its own MNIST Studio home folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def studio_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh MNIST_STUDIO_HOME, inherited by the subprocesses tests start, so nothing touches ~/."""
    home = tmp_path_factory.mktemp("studio-home")
    previous = os.environ.get("MNIST_STUDIO_HOME")
    os.environ["MNIST_STUDIO_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("MNIST_STUDIO_HOME", None)
    else:
        os.environ["MNIST_STUDIO_HOME"] = previous
