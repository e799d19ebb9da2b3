"""Where MNIST Studio keeps things.

Everything written at run time (the decoded MNIST copy, trained models and
their metadata) goes under one home folder, so the repository stays read-only
and a presenter can wipe all state by deleting one directory.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "MNIST_STUDIO_HOME"
DEFAULT_HOME = Path.home() / ".mnist_studio"
# The bundled models ship beside the package, in the repository's models/ folder.
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "models"
BUNDLED_MODEL = BUNDLED_DIR / "default.keras"
MODEL_SUFFIX = ".keras"  # a model file; its JSON sidecar sits beside it


def home_dir() -> Path:
    """The home folder from MNIST_STUDIO_HOME, else ~/.mnist_studio (created on demand)."""
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser()


def models_dir() -> Path:
    """Trained models and their JSON sidecars."""
    return home_dir() / "models"


def cache_dir() -> Path:
    """Decoded datasets and other derived files that are safe to delete."""
    return home_dir() / "cache"
