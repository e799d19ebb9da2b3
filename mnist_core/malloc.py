"""Fewer glibc malloc arenas: the memory a long-lived process with many threads keeps but no longer uses.

glibc gives threads that allocate at the same time arenas of their own (up to 8 per core) and keeps what
was freed in each for reuse. TensorFlow's thread pools, a training and one Streamlit thread per page run
each fill arenas that are rarely given back: `train --model fast` peaked 94 MB higher with the default
(1,178 MB vs 1,084 MB with two arenas, docs/benchmarks.md "Memory"). Called by the CLI and the app before
TensorFlow starts; elsewhere than glibc (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

ARENAS = 2  # as MALLOC_ARENA_MAX=2; the environment variable, when set, wins
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "mallopt") else None
    except OSError:
        return None


@functools.cache  # once per process: threads created later share the arenas there are
def limit_arenas() -> bool:
    """Cap malloc arenas at ARENAS for the threads this process starts from now on; True when it applied."""
    libc = _libc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, ARENAS))

