"""Errors a user can act on.

Every exception the library raises on purpose derives from `MnistStudioError`;
its message is written for the person at the keyboard (what went wrong, what to
do), so the CLI and the app can show it as it is, without a traceback.
"""


class MnistStudioError(Exception):
    """Base class: the message is safe and useful to show to a user."""


class DataError(MnistStudioError):
    """MNIST could not be found, read or validated."""


class ImageError(MnistStudioError):
    """An input image could not be decoded or is not usable."""


class ModelFileError(MnistStudioError):
    """A stored model is missing, damaged or incompatible."""


class TrainingError(MnistStudioError):
    """A training configuration is invalid or a job failed."""


class AdaptError(MnistStudioError):
    """Examples or a model that cannot be used for teaching a handwriting (mnist_core.adapt)."""
