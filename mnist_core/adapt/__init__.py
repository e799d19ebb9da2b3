"""Teach a model one person's handwriting in seconds: adapt its last layer to their examples.

A network trained on MNIST misreads some people's 7s or 1s. Given a few of their digits, each with its label,
`adapt()` fine-tunes a copy of the model. Only the last layer changes, so a teaching step is a small matrix
product: seconds on a 2-core CPU, even for the largest zoo model. One module per job:

  examples   the person's digits: read through `preprocess` as `predict` reads them, kept aside, augmented
  features   the model split before its last layer; its features for MNIST, computed once per model and cached
  teaching   the last layer trained beside replayed MNIST digits, recalibrated, measured, saved with its sidecar
"""

from ..errors import AdaptError
from .examples import HOLD_OUT_SHARE, MIN_EXAMPLES, Example, Skipped, example_from_image, hold_out, read_examples
from .features import Prepared, prepare, warm_up
from .teaching import DEFAULT_EPOCHS, Result, adapt, save, sidecar

__all__ = ["DEFAULT_EPOCHS", "HOLD_OUT_SHARE", "MIN_EXAMPLES", "AdaptError", "Example", "Prepared", "Result", "Skipped",
           "adapt", "example_from_image", "hold_out", "prepare", "read_examples", "save", "sidecar", "warm_up"]
