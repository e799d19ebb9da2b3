"""The "is this a digit?" check: it turns away letters, shapes and scribbles, not digits, for any model."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from mnist_core import digit_check, digit_check_training, npz_cache, store
from mnist_core.digit_check import CHECK_MODEL, NOT_A_DIGIT, digit_scores, load_check, not_a_digit
from mnist_core.digit_check_training import build_network, prepared_examples

ROOT = Path(__file__).resolve().parents[2]
TEST_SEED = 99  # non-digits the bundled check never trained or tuned on (11, 12) nor was benchmarked on (13)


def canvas(*strokes: np.ndarray, closed: bool = False) -> np.ndarray:
    """A 280x280 RGBA canvas with white strokes on transparent black, as the Draw page sends it."""
    image = np.zeros((280, 280, 4), np.uint8)
    cv2.polylines(image, [np.asarray(s, np.int32) for s in strokes], closed, (255, 255, 255, 255), 18)
    return image


STAR = canvas(np.array([[140, 30], [205, 240], [35, 105], [245, 105], [75, 240]]), closed=True)
SEVEN = canvas(np.array([[70, 60], [210, 60], [120, 230]]))


@pytest.fixture()
def no_cached_check():
    load_check.cache_clear()
    yield
    load_check.cache_clear()


def test_bundled_check_rejects_generated_non_digits_and_accepts_training_digits():
    check = load_check()
    assert check is not None, f"the bundled check {CHECK_MODEL} must load"
    others, kinds = prepared_examples(False, 60, TEST_SEED)
    digits, _ = prepared_examples(True, 120, TEST_SEED, index_range=digit_check_training.TUNE_SLICE)
    assert len(others) >= 50 and len(digits) >= 110
    rejected = 1.0 - check.looks_like_digits(others).mean()
    accepted = check.looks_like_digits(digits).mean()
    assert rejected >= 0.8, f"only {rejected:.0%} of {len(others)} non-digits turned away ({sorted(set(kinds))})"
    assert accepted >= 0.97, f"{1 - accepted:.1%} of {len(digits)} training digits turned away"


def test_raw_mnist_training_digits_pass():
    from mnist_core.data import load_mnist

    digits = load_mnist().x_train[55_000:55_500].astype(np.float32)[..., None] / 255.0
    assert load_check().looks_like_digits(digits).mean() >= 0.99


def test_predict_says_not_a_digit_and_keeps_the_forced_choice():
    from mnist_core.prediction import predict

    answer = predict(STAR, multi=False)
    assert answer.digit is None and answer.digits is None and answer.confidence is None
    assert answer.error == NOT_A_DIGIT
    assert len(answer.readings) == 1 and 0 <= answer.readings[0].digit <= 9  # "if it had to pick: ..."
    shown = answer.to_json()
    assert set(shown) == {"file", "digit", "digits", "confidence", "probabilities", "error"}
    assert shown["digit"] is None and len(shown["probabilities"]) == 10
    assert predict(SEVEN, multi=False).digit == 7


def test_the_check_applies_whichever_model_reads():
    """A model the check has never met (an untrained softmax) still gets "not a digit" for the star."""
    import keras

    from mnist_core.inference import Reader
    from mnist_core.prediction import predict

    keras.utils.set_random_seed(0)
    other = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    assert predict(STAR, Reader(other), multi=False).error == NOT_A_DIGIT


def test_missing_check_file_leaves_predictions_working(tmp_path, monkeypatch, caplog, no_cached_check):
    from mnist_core.prediction import predict

    monkeypatch.setattr(digit_check, "CHECK_MODEL", tmp_path / "absent.keras")
    with caplog.at_level(logging.WARNING, logger="mnist_core.digit_check"):
        assert predict(SEVEN, multi=False).digit == 7
        assert predict(STAR, multi=False).error != NOT_A_DIGIT  # no check: the star gets an answer
    assert "digit check is off" in caplog.text


def test_check_is_cheap_once_loaded():
    import time

    batch = np.zeros((1, 28, 28, 1), np.float32)
    not_a_digit(batch)  # loads and traces once
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        not_a_digit(batch)
        timings.append(time.perf_counter() - started)
    assert np.median(timings) < 0.02  # about 1 ms on an idle core; generous for a busy shared machine


def test_scores_average_the_input_and_its_copies_moved_a_pixel_each_way():
    import keras

    centre = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Lambda(lambda x: x[:, 14, 14, :])])
    dots = np.zeros((3, 28, 28, 1), np.float32)
    dots[0, 14, 14] = dots[1, 14, 15] = dots[2, 0, 0] = 1.0  # on the centre, a pixel right of it, far away
    np.testing.assert_allclose(digit_check.digit_scores(centre, dots), [0.2, 0.2, 0.0], atol=1e-6)


def test_shifted_moves_pixels_and_brings_in_black():
    image = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1) + 1
    moved = digit_check.shifted(image, 1, -1)[0, ..., 0]
    np.testing.assert_array_equal(moved[:3, 1:], image[0, 1:, :3, 0])
    assert not moved[3].any() and not moved[:, 0].any()


def test_no_inputs_means_nothing_to_say():
    assert not_a_digit(np.zeros((0, 28, 28, 1), np.float32)) is None


def test_examples_depend_only_on_seed_and_index():
    first, _ = prepared_examples(False, 3, TEST_SEED)
    again, _ = prepared_examples(False, 3, TEST_SEED)
    np.testing.assert_array_equal(first, again)


def test_a_damaged_chunk_of_examples_is_made_again_with_one_log_line(caplog):
    made, kinds = prepared_examples(False, 3, TEST_SEED, cache=True)
    chunk = digit_check_training._chunk_path(False, TEST_SEED, (0, 0), range(3), None)  # the cache is shared
    assert chunk.is_file()
    whole = chunk.read_bytes()
    chunk.write_bytes(whole[:len(whole) // 2])
    with caplog.at_level(logging.WARNING, logger="mnist_core.npz_cache"):
        again, kinds_again = prepared_examples(False, 3, TEST_SEED, cache=True)
    np.testing.assert_array_equal(again, made)
    assert kinds_again == kinds
    assert len(caplog.records) == 1 and "damaged" in caplog.records[0].getMessage()
    assert npz_cache.read(chunk, ("crops", "kinds"), "examples") is not None  # made again and kept


def test_cli_trains_a_tiny_check(tmp_path):
    out = tmp_path / "check.keras"
    result = subprocess.run(
        [sys.executable, "-m", "mnist_core", "train-digit-check", "--out", str(out), "--digits", "60",
         "--raw-digits", "200", "--non-digits", "60", "--tune-digits", "20", "--tune-non-digits", "20", "--epochs", "1",
         "--members", "2", "--workers", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    answer = json.loads(lines[-1])
    assert all(json.loads(line) is not None for line in lines)  # stdout carries only JSON
    assert {"path", "threshold", "tuning", "params", "train_seconds"} <= set(answer)
    assert Path(answer["path"]) == out and out.with_suffix(".json").is_file()
    model, stored = store.load_model(out, outputs=1)  # verified against its sidecar, then loaded safely
    assert stored.meta.threshold == answer["threshold"] and model.output_shape[-1] == 1
    assert answer["config"]["members"] == 2 and answer["params"] == 2 * build_network().count_params()
    inputs = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)  # one file, the members' mean
    members = [layer for layer in model.layers if isinstance(layer, type(model))]
    assert len(members) == 2
    np.testing.assert_allclose(digit_scores(model, inputs),
                               np.mean([digit_scores(member, inputs) for member in members], axis=0), rtol=1e-5)


def test_cli_refuses_a_too_small_run(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mnist_core", "train-digit-check", "--out",
                             str(tmp_path / "x.keras"), "--digits", "5", "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
