"""Does teaching work on a new writer? Every bundled model, every generated writer (mnist_core.writers).

For each writer: 10 examples of each digit to teach with, and 20 more of each digit, never taught, to test
on; all drawn on the canvas and read back through `preprocess`, as the app reads a drawing. Teaching uses all
100 examples (nothing kept aside: the 200 others are the test). Printed as a Markdown table for
docs/benchmarks.md, with the teaching time (wall and this process's processor time) and MNIST test accuracy
before and after.

    nice -n 10 .venv/bin/python research/measure_adapt.py [--models default fast ...] [--json]

The writers' digits are made once and kept in the cache folder (writers-v1.npz); delete it to make them again.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnist_core import adapt, store, writers  # noqa: E402
from mnist_core.models import LOGITS_LAYER, describe  # noqa: E402
from mnist_core.paths import BUNDLED_DIR, cache_dir  # noqa: E402

TEACH_PER_DIGIT, TEST_PER_DIGIT = 10, 20
WRITER_SEED = 100  # writer i draws with seed WRITER_SEED + i
MODELS = ("default", "fast", "keras_cnn", "mlp", "softmax")


def writer_sets() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """name -> (28x28 digits, labels, taught mask), made once and cached."""
    path = cache_dir() / "adapt" / "writers-v1.npz"
    if path.exists():
        with np.load(path) as stored:
            names = [str(name) for name in stored["names"]]
            return {name: (stored[f"d{i}"], stored[f"l{i}"], stored[f"t{i}"]) for i, name in enumerate(names)}
    sets = {}
    for index, writer in enumerate(writers.writers()):
        rng = np.random.default_rng(WRITER_SEED + index)
        labels = np.concatenate([np.repeat(np.arange(10), TEACH_PER_DIGIT), np.tile(np.arange(10), TEST_PER_DIGIT)])
        digits, kept = [], []
        for number, (image, label) in enumerate(zip(writers.write(writer, labels, rng), labels)):
            try:
                digits.append(adapt.example_from_image(image, int(label), str(number)).digit)
                kept.append(number)
            except Exception as exc:  # a digit preprocessing cannot read is left out, and said
                print(f"{writer.name}: digit {number} left out ({exc})", file=sys.stderr)
        kept = np.array(kept)
        sets[writer.name] = (np.stack(digits), labels[kept], kept < 10 * TEACH_PER_DIGIT)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, names=np.array(list(sets)), **{f"{key}{i}": value for i, (d, l, t) in enumerate(sets.values())
                                                 for key, value in (("d", d), ("l", l), ("t", t))})
    return sets


def measure(name: str, sets: dict) -> list[dict]:
    model, stored = store.load_model(BUNDLED_DIR / f"{name}.keras")
    started = time.perf_counter()
    prepared = adapt.prepare(model, stored.meta.sha256)
    prepare_seconds = time.perf_counter() - started
    rows = []
    for writer, (digits, labels, taught) in sets.items():
        examples = [adapt.Example(d, int(l), str(i)) for i, (d, l) in enumerate(zip(digits[taught], labels[taught]))]
        features, truth = prepared.features(digits[~taught]), labels[~taught]
        result = adapt.adapt(model, examples, sha256=stored.meta.sha256, keep_aside=0.0)
        kernel, bias = result.model.get_layer(LOGITS_LAYER).get_weights()
        rows.append({
            "model": describe(stored.meta, stored.path.stem), "writer": writer, "taught": len(examples), "tested": int(len(truth)),
            "writer_before": float(((features @ prepared.kernel + prepared.bias).argmax(1) == truth).mean()),
            "writer_after": float(((features @ kernel + bias).argmax(1) == truth).mean()),
            "mnist_before": result.mnist_test_accuracy_before, "mnist_after": result.mnist_test_accuracy_after,
            "seconds": result.seconds, "cpu_seconds": result.cpu_seconds, "prepare_seconds": prepare_seconds,
            "prepared_from_cache": prepared.from_cache})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), help="bundled model file stems")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sets = writer_sets()
    rows = [row for name in args.models for row in measure(name, sets)]
    if args.json:
        print(json.dumps(rows))
        return
    print("| model | writer | writer's other digits before -> after | MNIST test before -> after (points) "
          "| teaching s (CPU s) |")
    print("|---|---|---|---|---|")
    for row in rows:
        change = (row["mnist_after"] - row["mnist_before"]) * 100
        print(f"| {row['model']} | {row['writer']} | {row['writer_before']:.1%} -> {row['writer_after']:.1%} | "
              f"{row['mnist_before']:.2%} -> {row['mnist_after']:.2%} ({change:+.2f}) | "
              f"{row['seconds']:.1f} ({row['cpu_seconds']:.1f}) |")


if __name__ == "__main__":
    main()
