"""How this server is hosted: a classroom (the default) or a public server anyone with the link can use.

`MNIST_STUDIO_PUBLIC=1` is the host's word that strangers use the app. Then one training's work is capped
(training.PUBLIC_WORK), a taught model cannot be saved for everyone, and a training can be stopped only by
the browser session that started it. Without it, everyone in the room shares the app as one class: anyone
may stop any training and save a taught model for all.
"""

from __future__ import annotations

import os

PUBLIC_ENV = "MNIST_STUDIO_PUBLIC"
YES = ("1", "true", "yes", "on")


def public() -> bool:
    """Whether the host declared a public server (read on every call: a test or a host may change it)."""
    return os.environ.get(PUBLIC_ENV, "").strip().lower() in YES
