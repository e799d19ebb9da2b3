"""The malloc arena cap applies once per process on glibc, and an explicit MALLOC_ARENA_MAX wins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = "from mnist_core import malloc; print(malloc.limit_arenas(), malloc.limit_arenas())"


def probe(**env: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "MALLOC_ARENA_MAX"}
    environment.update(PYTHONPATH=str(REPO), **env)
    return subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True,
                          check=True, timeout=60).stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_arenas_are_capped_once_unless_the_environment_says_otherwise():
    assert probe() == "True True"  # applied; the second call is the cached first
    assert probe(MALLOC_ARENA_MAX="4") == "False False"
