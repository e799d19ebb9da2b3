"""The zoo: every model builds with its recorded parameter count and learns on a small slice."""

from __future__ import annotations

import pytest

from mnist_core.models import ZOO, BuildOptions, get_spec
from mnist_core.errors import TrainingError
from mnist_core.training import TrainConfig, start_training


def test_zoo_holds_the_tutorials_and_presets():
    assert list(ZOO) == ["softmax", "mlp", "deepnn", "keras_cnn", "fast", "best"]
    for spec in ZOO.values():
        summary = spec.summary()
        assert 0.9 <= summary["reported_accuracy"] <= 1 and summary["source"] and summary["params"] > 0


@pytest.mark.parametrize("name", list(ZOO))
def test_builds_with_recorded_parameter_count(name):
    spec = get_spec(name)
    model = spec.build(BuildOptions(learning_rate=spec.defaults.learning_rate, steps_per_epoch=10, total_steps=20))
    assert model.count_params() == spec.params
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)


@pytest.mark.parametrize("name", list(ZOO))
def test_trains_on_a_small_slice(name):
    # 2,000 images, one epoch: enough for every model to beat chance clearly.
    # `best` (augmentation, batch norm, a one-cycle schedule) needs more than 40 steps: at batch 50 it ends
    # between 10% and 35% depending on the seed; at batch 20 (100 steps) 89-93% for seeds 0-2.
    config = TrainConfig.for_model(name, epochs=1, limit=2000, batch_size=20 if name == "best" else 50)
    progress = start_training(config).wait(timeout=300)
    assert progress.state == "done", progress.error
    assert progress.test_accuracy > 0.3
    assert progress.batches and progress.epochs[0].epoch == 1


def test_unknown_model_names_the_choices():
    with pytest.raises(TrainingError, match="softmax, mlp, deepnn, keras_cnn, fast, best"):
        get_spec("resnet")
