"""TrainConfig is checked at the boundary: wrong types and values out of range fail when it is made."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_core.data import NUM_FIT
from mnist_core.errors import TrainingError
from mnist_core.config import LIMITS, TrainConfig


@pytest.mark.parametrize("field, value, words", [
    ("epochs", 1.5, "epochs must be a whole number from 1 to 50, not 1.5."),
    ("epochs", "3", "epochs must be a whole number from 1 to 50, not '3'."),
    ("epochs", True, "epochs must be a whole number"),
    ("epochs", 0, "epochs must be a whole number from 1 to 50, not 0."),
    ("epochs", 51, "epochs must be a whole number from 1 to 50"),
    ("batch_size", 10_000, "batch_size must be a whole number from 16 to 1024"),
    ("batch_size", 1, "batch_size must be a whole number from 16 to 1024"),
    ("learning_rate", float("nan"), "learning_rate must be a number from 1e-05 to 1, not nan."),
    ("learning_rate", 5.0, "learning_rate must be a number from 1e-05 to 1, not 5.0."),
    ("learning_rate", -0.1, "learning_rate must be a number"),
    ("limit", 60_000, f"limit must be a whole number from 100 to {NUM_FIT}"),
    ("seed", -1, "seed must be a whole number from 0 to"),
])
def test_a_wrong_value_is_refused_when_the_config_is_made_naming_the_field_and_range(field, value, words):
    with pytest.raises(TrainingError) as raised:
        TrainConfig.for_model("softmax", **{field: value})
    assert str(raised.value).startswith(words)


def test_numpy_numbers_and_whole_learning_rates_are_fine():
    config = TrainConfig.for_model("softmax", epochs=np.int64(2), learning_rate=1, limit=np.int32(500))
    assert config.epochs == 2 and config.limit == 500 and config.learning_rate == 1


def test_an_unknown_model_or_a_direct_construction_is_checked_too():
    with pytest.raises(TrainingError):
        TrainConfig.for_model("nope")
    with pytest.raises(TrainingError, match="epochs must be"):
        TrainConfig(model="softmax", epochs=2.0, batch_size=100, learning_rate=0.5)


def test_every_zoo_recipe_fits_the_limits():
    from mnist_core.models import ZOO

    for name in ZOO:
        config = TrainConfig.for_model(name)
        assert all(LIMITS[field].problem(field, getattr(config, field)) is None for field in ("epochs", "batch_size",
                                                                                            "learning_rate"))
