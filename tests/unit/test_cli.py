"""The CLI contract (DESIGN.md), exercised through real subprocesses as other tools use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mnist_core.data import load_mnist

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def last_json(stdout: str) -> dict:
    """Every stdout line must be JSON; the contract's answer is the last one."""
    lines = stdout.strip().splitlines()
    parsed = [json.loads(line) for line in lines]
    return parsed[-1]


@pytest.fixture(scope="module")
def handwritten_pngs(tmp_path_factory) -> list[tuple[Path, int]]:
    """Real handwriting (MNIST test digits) as black-on-white 112x112 PNGs, like a scanned note."""
    folder = tmp_path_factory.mktemp("digits")
    mnist = load_mnist()
    files = []
    for index in range(10):
        digit = 255 - mnist.x_test[index]
        path = folder / f"digit{index}.png"
        Image.fromarray(digit).resize((112, 112), Image.Resampling.BICUBIC).save(path)
        files.append((path, int(mnist.y_test[index])))
    return files


def test_models_json_lists_the_zoo():
    result = cli("models", "--json")
    assert result.returncode == 0, result.stderr
    models = {entry["name"]: entry for entry in last_json(result.stdout)["models"]}
    assert set(models) == {"softmax", "mlp", "deepnn", "keras_cnn", "fast", "best"}
    for entry in models.values():
        assert {"name", "source", "params", "reported_accuracy"} <= set(entry)


def test_train_twice_second_is_cached(tmp_path):
    args = ("train", "--model", "softmax", "--epochs", "1", "--limit", "2000", "--json")
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    answer = last_json(first.stdout)
    assert {"model", "test_accuracy", "train_seconds", "device", "path", "cached"} <= set(answer)
    assert answer["cached"] is False and answer["test_accuracy"] > 0.8 and Path(answer["path"]).is_file()
    second = last_json(cli(*args, "--out", str(tmp_path / "copy.keras")).stdout)
    assert second["cached"] is True and second["test_accuracy"] == answer["test_accuracy"]
    assert (tmp_path / "copy.keras").is_file() and (tmp_path / "copy.json").is_file()


def test_predict_reads_handwriting_with_the_bundled_model(handwritten_pngs):
    result = cli("predict", *(str(path) for path, _ in handwritten_pngs), "--json")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(answers) == len(handwritten_pngs)
    for answer, (path, label) in zip(answers, handwritten_pngs):
        assert set(answer) == {"file", "digit", "digits", "confidence", "probabilities", "error"}
        assert answer["file"] == str(path) and answer["error"] is None
        assert answer["digit"] == label and answer["digits"] == str(label)
        assert len(answer["probabilities"]) == 10 and abs(sum(answer["probabilities"]) - 1) < 1e-3


def test_one_bad_file_fails_the_call_but_not_the_others(handwritten_pngs, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("<html>not an image</html>")
    good, label = handwritten_pngs[0]
    result = cli("predict", str(bad), str(good), str(tmp_path / "missing.png"), "--json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    answers = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [answer["digit"] for answer in answers] == [None, label, None]
    assert "notes.png" in answers[0]["error"] and answers[2]["error"]


def test_errors_are_one_line_without_traceback():
    result = cli("train", "--model", "resnet", "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "Unknown model 'resnet'" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_the_bundled_model():
    result = cli("evaluate", "--json")
    assert result.returncode == 0, result.stderr
    answer = last_json(result.stdout)
    assert answer["test_images"] == 10_000 and answer["test_accuracy"] >= 0.99


def test_bench_json_reports_the_speed_fields():
    result = cli("bench", "--suite", "speed", "--limit", "1000", "--json")
    assert result.returncode == 0, result.stderr
    report = last_json(result.stdout)
    speed = report["speed"]
    for run in (speed["reference"], speed["fast"]):
        assert {"test_accuracy", "train_seconds", "images_per_second"} <= set(run)
    assert speed["speedup"] == pytest.approx(speed["reference"]["train_seconds"] / speed["fast"]["train_seconds"],
                                             rel=0.01)
    assert report["machine"]["cores"] >= 1


@pytest.mark.parametrize("args, words", [
    (("adapt", "--examples", "mine", "--out", "mine.keras", "--epochs", "0"), "0 is too small"),
    (("train", "--model", "softmax", "--epochs", "0"), "0 is too small"),
    (("train", "--model", "softmax", "--limit", "-5"), "-5 is too small"),
    (("predict", "--model", "weights.h5", "x.png"), "not a .keras model file"),
    (("adapt", "--examples", "mine", "--out", "mine.pkl"), "not a .keras model file"),
])
def test_settings_out_of_range_are_refused_in_one_line_before_anything_runs(args, words):
    result = cli(*args, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], result.stderr


def test_calibrate_never_writes_into_the_apps_folder(tmp_path):
    sidecar = ROOT / "models" / "softmax.json"
    before = sidecar.read_bytes()
    refused = cli("calibrate", "--model", "models/softmax.keras", timeout=120)
    assert refused.returncode == 1 and "--out" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    copied = cli("calibrate", "--model", "models/softmax.keras", "--out", str(tmp_path / "softmax.keras"), "--json")
    assert copied.returncode == 0, copied.stderr
    assert last_json(copied.stdout)["model"] == str(tmp_path / "softmax.keras")
    assert (tmp_path / "softmax.json").exists()
    assert sidecar.read_bytes() == before
