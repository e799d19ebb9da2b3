"""Temperature scaling: the fit recovers a known temperature, ECE measures what it should, sidecars carry it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_core import calibration, inference, store
from mnist_core.errors import ModelFileError


def sampled(temperature: float, count: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits and labels drawn from softmax(logits / temperature): `temperature` is the right answer."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 4.0, (count, 10))
    probabilities = calibration.soften(logits, temperature)
    labels = np.array([rng.choice(10, p=row) for row in probabilities])
    return logits, labels


@pytest.mark.parametrize("truth", [0.4, 1.0, 2.5])
def test_the_fit_recovers_the_temperature_the_labels_were_drawn_with(truth):
    logits, labels = sampled(truth)
    assert calibration.fit_temperature(logits, labels) == pytest.approx(truth, rel=0.05)


def test_scaling_by_the_fitted_temperature_brings_the_calibration_error_down():
    logits, labels = sampled(2.5, seed=1)
    before = calibration.expected_calibration_error(calibration.soften(logits, 1.0), labels)
    fitted = calibration.fit_temperature(logits, labels)
    after = calibration.expected_calibration_error(calibration.soften(logits, fitted), labels)
    assert before > 0.1 and after < 0.02


def test_reliability_bins_hold_every_answer_with_its_confidence_and_accuracy():
    probabilities = np.array([[0.95, 0.05] + [0.0] * 8, [0.05, 0.95] + [0.0] * 8, [0.55, 0.45] + [0.0] * 8])
    labels = np.array([0, 0, 1])
    bins = calibration.reliability(probabilities, labels, bins=10)
    assert [(b.count, b.accuracy) for b in bins] == [(1, 0.0), (2, 0.5)]
    assert bins[1].confidence == pytest.approx(0.95)
    assert calibration.expected_calibration_error(probabilities, labels, bins=10) == pytest.approx(
        (1 * 0.55 + 2 * 0.45) / 3)


def test_softening_is_the_softmax_of_logits_over_temperature():
    logits = np.array([[2.0, 0.0, -1.0] + [-50.0] * 7])
    soft = calibration.soften(logits, 2.0)
    expected = np.exp(logits / 2.0) / np.exp(logits / 2.0).sum()
    assert np.allclose(soft, expected) and soft.sum() == pytest.approx(1.0)
    assert np.allclose(calibration.log_probabilities(soft) - np.log(soft), 0.0)


def linear_model():
    """The smallest zoo-shaped network: a "logits" layer, then the softmax."""
    import keras

    inputs = keras.Input((28, 28, 1))
    logits = keras.layers.Dense(10, name="logits")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, keras.layers.Activation("softmax", name="probabilities")(logits))
    return model


def test_a_stored_model_carries_its_temperature_and_a_bad_one_is_refused(tmp_path):
    model = linear_model()
    path = tmp_path / "m.keras"
    store.save_model(model, path, {"model": "softmax", "temperature": 0.5})
    reader = inference.load_reader(path)
    assert reader.temperature == 0.5 and inference.temperature(reader.stored) == 0.5

    batch = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    assert np.allclose(reader.classify(batch), calibration.soften(reader.logits(batch), 0.5), atol=1e-5)

    sidecar = store.sidecar_path(path)
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "temperature": "hot"}))
    with pytest.raises(ModelFileError, match="invalid temperature"):
        inference.load_reader(path)


def test_a_recalibrated_or_replaced_file_is_loaded_afresh_not_served_stale(tmp_path):
    model = linear_model()
    path = tmp_path / "m.keras"
    store.save_model(model, path, {"model": "softmax", "temperature": 1.0})
    first = inference.load_reader(path)
    assert inference.load_reader(path) is first
    store.update_meta(path, {"temperature": 2.0})
    second = inference.load_reader(path)
    assert second is not first and second.temperature == 2.0
    weights = model.get_layer("logits")
    weights.kernel.assign(weights.kernel + 1.0)  # retrained: other weights, another checksum
    store.save_model(model, path, {"model": "softmax", "temperature": 2.0})
    assert inference.load_reader(path) is not second
