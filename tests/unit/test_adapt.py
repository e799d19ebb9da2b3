"""Teaching a model one writer's handwriting (mnist_core.adapt) and the `adapt` command."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from mnist_core import adapt, calibration, store
from mnist_core.adapt import features
from mnist_core.data import NUM_FIT, load_mnist
from mnist_core.inference import Reader, load_reader
from mnist_core.paths import BUNDLED_DIR
from mnist_core.prediction import predict

ROOT = Path(__file__).resolve().parents[2]
SOFTMAX = BUNDLED_DIR / "softmax.keras"  # the quickest bundled model: its features are the pixels


def bent(digit: np.ndarray) -> np.ndarray:
    """One writer's hand: every digit slanted hard, widened and turned the same way (28x28 float)."""
    angle = np.radians(-14)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotation @ np.array([[1.0, -0.55], [0.0, 1.0]]) @ np.diag([1.35, 0.9])
    offset = np.array([13.5, 13.5]) - matrix @ np.array([13.5, 13.5])
    warped = cv2.warpAffine(np.asarray(digit, np.float32) / 255.0, np.hstack([matrix, offset[:, None]]).astype(
        np.float32), (28, 28), flags=cv2.INTER_LINEAR)
    return np.clip(warped, 0, 1)


def writer_set(per_digit: int, start: int) -> list[adapt.Example]:
    """The bent writer's digits, from the held-out training images (never the test set)."""
    mnist = load_mnist()
    x, y = mnist.x_train[NUM_FIT:], mnist.y_train[NUM_FIT:]
    found = []
    for digit in range(10):
        for index in np.flatnonzero(y == digit)[start:start + per_digit]:
            found.append(adapt.Example(bent(x[index]), digit, f"{digit}/{index}"))
    return found


@pytest.fixture(scope="module")
def softmax():
    return store.load_model(SOFTMAX)


@pytest.fixture(scope="module")
def taught(softmax):
    model, stored = softmax
    before = [weight.copy() for weight in model.get_weights()]
    result = adapt.adapt(model, writer_set(10, 0), sha256=stored.meta.sha256, keep_aside=0.0)
    return result, before


def reads(model, examples: list[adapt.Example]) -> float:
    probabilities = Reader(model).classify(np.stack([e.digit for e in examples])[..., None])
    return float((probabilities.argmax(axis=1) == np.array([e.label for e in examples])).mean())


def test_teaching_reads_the_writers_other_digits_better_and_keeps_mnist(softmax, taught):
    model, _ = softmax
    result, _ = taught
    others = writer_set(20, 10)  # the writer's digits it never saw
    before, after = reads(model, others), reads(result.model, others)
    assert after >= before + 0.05, (before, after)
    # Softmax's last layer is the whole network: it gives up 1-1.6 MNIST points (docs/benchmarks.md).
    assert result.mnist_test_accuracy_after >= result.mnist_test_accuracy_before - 0.02
    assert result.examples_accuracy_after > result.examples_accuracy_before
    assert result.examples_measured_on == "training examples" and result.examples == 100


def test_the_summary_says_when_there_was_nothing_to_learn(taught):
    result, _ = taught
    assert result.summary()["nothing_to_learn"] is False  # the bent writer had digits to fix
    already_right = dataclasses.replace(result, examples_accuracy_before=1.0, examples_accuracy_after=1.0,
                                        examples_turned_away_before=0)
    assert already_right.summary()["nothing_to_learn"] is True
    turned_away = dataclasses.replace(already_right, examples_turned_away_before=1)
    assert turned_away.summary()["nothing_to_learn"] is False, "a digit called 'not a digit' was there to fix"


def test_the_base_model_is_never_changed(softmax, taught):
    model, _ = softmax
    _, before = taught
    for old, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, now)


def test_the_taught_model_is_recalibrated(taught):
    result, _ = taught
    assert result.reader.temperature == pytest.approx(result.temperature)
    low, high = calibration.TEMPERATURE_RANGE
    assert low < result.temperature < high
    assert "after teaching" in result.calibration["fitted_on"]
    assert result.calibration["test"]["accuracy"] == pytest.approx(result.mnist_test_accuracy_after)


def test_saved_with_its_sidecar_and_read_by_predict(softmax, taught, tmp_path):
    _, stored = softmax
    result, _ = taught
    saved = adapt.save(result, stored, tmp_path / "mine")
    assert saved.path == tmp_path / "mine.keras"
    meta = store.verify(saved.path).meta
    assert meta.model == "softmax" and meta.temperature == pytest.approx(result.temperature)
    assert meta.adapted["base_model"] == str(stored.path) and meta.adapted["examples"] == 100
    for key in ("examples_accuracy_before", "examples_accuracy_after", "mnist_test_accuracy_before",
                "mnist_test_accuracy_after"):
        assert meta.adapted[key] == getattr(result, key)
    assert load_reader(saved.path).temperature == pytest.approx(result.temperature)
    digit = (writer_set(1, 40)[7].digit * 255).astype(np.uint8)
    assert predict(digit, saved.path, multi=False).readings  # the CLI's predict path reads the file


def test_saving_over_the_base_or_into_the_bundled_folder_is_refused(softmax, taught):
    _, stored = softmax
    result, _ = taught
    with pytest.raises(adapt.AdaptError, match="being taught"):
        adapt.save(result, stored, stored.path)
    with pytest.raises(adapt.AdaptError, match="ship with the app"):
        adapt.save(result, stored, BUNDLED_DIR / "taught.keras")


def test_features_are_computed_once_per_model(softmax):
    model, stored = softmax
    features._memo.clear()  # an earlier test may have prepared them, in another test's home
    first = adapt.prepare(model, stored.meta.sha256)
    assert adapt.prepare(model, stored.meta.sha256) is first  # from memory
    features._memo.clear()
    again = adapt.prepare(model, stored.meta.sha256)
    assert again.from_cache  # from the cache folder
    np.testing.assert_allclose(again.test, first.test, atol=1e-2)
    assert again.test_accuracy() == pytest.approx(stored.meta.test_accuracy, abs=3e-4)


def test_damaged_features_are_made_again_with_one_log_line(softmax, caplog):
    model, stored = softmax
    features._memo.clear()
    first = adapt.prepare(model, stored.meta.sha256)  # cached in this test's home
    cached = features._cache_path(first.key)
    whole = cached.read_bytes()
    cached.write_bytes(whole[:len(whole) // 2])
    features._memo.clear()
    with caplog.at_level(logging.WARNING, logger="mnist_core.npz_cache"):
        again = adapt.prepare(model, stored.meta.sha256)
    assert not again.from_cache
    np.testing.assert_allclose(again.test, first.test, atol=1e-2)  # half precision on disk
    assert len(caplog.records) == 1 and "damaged" in caplog.records[0].getMessage()
    features._memo.clear()
    assert adapt.prepare(model, stored.meta.sha256).from_cache  # made again, and kept


def test_kept_aside_examples_cover_no_digit_entirely():
    examples = [adapt.Example(np.zeros((28, 28), np.float32), label, str(i))
                for i, label in enumerate([0, 1, 1, 2, 2, 2, 3, 4, 5, 6, 7, 7])]
    learn, test = adapt.hold_out(examples, 0.2)
    assert len(test) == 2 and len(learn) == 10
    assert {e.label for e in learn} == {e.label for e in examples}  # every digit is still taught
    assert adapt.hold_out(examples, 0.0) == (examples, [])


def test_too_few_examples_or_epochs_out_of_range_are_explained(softmax):
    model, _ = softmax
    with pytest.raises(adapt.AdaptError, match="at least 10 examples.*Add 1 more"):
        adapt.adapt(model, writer_set(1, 0)[:9])
    with pytest.raises(adapt.AdaptError, match="epochs"):
        adapt.adapt(model, writer_set(1, 0), epochs=0)


def test_a_model_without_a_logits_layer_cannot_be_taught():
    import keras

    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs)))
    with pytest.raises(adapt.AdaptError, match="no layer named 'logits'"):
        adapt.prepare(model)


# --- The examples folder and the command ---


def write_png(path: Path, digit28: np.ndarray) -> None:
    """A 28x28 float digit as a black-on-white 112x112 picture, like a scan."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ink = (np.clip(digit28, 0, 1) * 255).astype(np.uint8)
    Image.fromarray(255 - ink).resize((112, 112), Image.Resampling.BICUBIC).save(path)


@pytest.fixture(scope="module")
def examples_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("examples")
    for example in writer_set(2, 0):
        write_png(folder / str(example.label) / f"{example.name.split('/')[1]}.png", example.digit)
    (folder / "3" / "broken.png").write_bytes(b"not a picture at all")
    Image.new("L", (64, 64), 255).save(folder / "5" / "blank.png")
    return folder


def test_read_examples_preprocesses_like_predict_and_names_what_it_skips(examples_dir):
    examples, skipped = adapt.read_examples(examples_dir, judge=load_reader().classify)  # predict's own model
    assert len(examples) == 20 and sorted({e.label for e in examples}) == list(range(10))
    path = next(examples_dir.glob("7/*.png"))
    expected = predict(path, multi=False).preprocessed.digits[0]
    mine = next(e for e in examples if e.name == str(path.relative_to(examples_dir)))
    np.testing.assert_array_equal(mine.digit, expected)
    assert {s.name for s in skipped} == {"3/broken.png", "5/blank.png"}
    assert all(s.reason for s in skipped)


@pytest.mark.parametrize("layout, message", [
    ({}, "no subfolders named 0 to 9"),
    ({"seven": 1}, r"folders not named 0 to 9 \(seven\)"),
    ({"4": 0}, "no usable pictures"),
])
def test_bad_folders_get_one_clear_line(tmp_path, layout, message):
    for name, count in layout.items():
        (tmp_path / name).mkdir()
        for index in range(count):
            write_png(tmp_path / name / f"{index}.png", writer_set(1, 0)[7].digit)
    with pytest.raises(adapt.AdaptError, match=message):
        adapt.read_examples(tmp_path)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_cli_adapt_json(examples_dir, tmp_path):
    out = tmp_path / "taught.keras"
    result = cli("adapt", "--model", str(SOFTMAX), "--examples", str(examples_dir), "--out", str(out),
                 "--epochs", "5", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    answer = json.loads(lines[-1])
    assert all(json.loads(line) for line in lines)  # stdout carries only JSON
    assert {"path", "examples", "seconds", "examples_accuracy_before", "examples_accuracy_after",
            "mnist_test_accuracy_before", "mnist_test_accuracy_after"} <= set(answer)
    assert answer["path"] == str(out) and answer["examples"] == 20 and answer["examples_held_out"] == 4
    assert "3/broken.png" in result.stderr and "5/blank.png" in result.stderr
    assert "Traceback" not in result.stderr
    assert store.verify(out).meta.adapted["examples"] == 20
    read = cli("predict", "--model", str(out), "--json", str(next(examples_dir.glob("7/*.png"))))
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout.strip().splitlines()[-1])["digit"] is not None


@pytest.mark.parametrize("make, message", [
    (lambda folder: None, "no subfolders named 0 to 9"),
    (lambda folder: (folder / "sevens").mkdir(), "not named 0 to 9"),
])
def test_cli_bad_folder_is_one_line_on_stderr(tmp_path, make, message):
    make(tmp_path)
    result = cli("adapt", "--examples", str(tmp_path), "--out", str(tmp_path / "x.keras"), "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_warm_up_prepares_in_the_background_once(softmax, tmp_path, monkeypatch):
    model, stored = softmax
    monkeypatch.setattr(features, "_cache_path", lambda key: tmp_path / f"{key}.npz")
    features._memo.clear()
    assert adapt.warm_up(model, stored.meta.sha256)
    prepared = adapt.prepare(model, stored.meta.sha256)  # waits for the warm-up, then finds it in memory
    assert not prepared.from_cache and (tmp_path / f"{stored.meta.sha256}.npz").exists()
    assert not adapt.warm_up(model, stored.meta.sha256)  # ready: nothing more to do
