"""MNIST Studio's library: data, model zoo, training engine, preprocessing, prediction.

Importing the package is cheap: TensorFlow (and OpenCV) load only when a model
is built, trained or run, so `python -m mnist_core models` answers at once.
"""

import os

# TensorFlow's C++ start-up chatter is noise for the people using this tool.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from .errors import DataError, ImageError, MnistStudioError, ModelFileError, TrainingError  # noqa: E402

__all__ = ["DataError", "ImageError", "MnistStudioError", "ModelFileError", "Prediction", "TrainingError", "predict"]


def __getattr__(name: str):
    """`mnist_core.predict` and `mnist_core.Prediction`, imported on first use."""
    if name in ("predict", "Prediction"):
        from . import prediction as module

        return getattr(module, name)
    raise AttributeError(f"module 'mnist_core' has no attribute {name!r}")
