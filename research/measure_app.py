"""Measure what a person at the canvas feels, and what the server holds in memory.

Latency: the server-side work between a finished stroke and the answer, i.e.
`predict()` on a 280x280 RGBA canvas image with the loaded default model,
after warm-up (the first call traces the model), as the median of many
different drawings. Memory: the resident set of this process after loading
the default model and making the first prediction, and its peak so far.

Usage: PYTHONPATH=. python research/measure_app.py [--runs 50]. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

RUNS = 50
WARMUP = 5
SEED = 0
LATENCY_TARGET_MS = 50.0
RSS_TARGET_MB = 1024.0


def memory_mb() -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (peak resident) of this process, from /proc/self/status."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024  # kB -> MB
    return fields


def drawn_one() -> np.ndarray:
    """A "1" drawn on the canvas (white stroke on black, 280x280 RGBA), made without loading MNIST."""
    import cv2

    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    cv2.line(canvas, (140, 45), (140, 235), (255, 255, 255, 255), thickness=22)
    return canvas


def canvas_drawings(count: int) -> tuple[list[np.ndarray], list[int]]:
    """MNIST test digits redrawn as canvas strokes (RGBA, 280x280), with their labels."""
    from mnist_core import synth
    from mnist_core.data import load_mnist

    mnist = load_mnist()
    rng = np.random.default_rng(SEED)
    return [synth.canvas_like(mnist.x_test[i], rng) for i in range(count)], [int(y) for y in mnist.y_test[:count]]


def milliseconds(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered) * 1000, 2),
            "p90": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
            "max": round(ordered[-1] * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="timed predictions (default %(default)s)")
    args = parser.parse_args()

    from mnist_core.inference import load_reader
    from mnist_core.models import describe
    from mnist_core.prediction import predict
    from mnist_core.preprocess import preprocess

    # Memory: what the app holds once the default model has answered one drawing (before MNIST is loaded).
    model = load_reader()
    stored = model.stored
    first = predict(drawn_one(), model, name="canvas", multi=False)
    memory = memory_mb()

    drawings, labels = canvas_drawings(WARMUP + args.runs)

    for drawing in drawings[:WARMUP]:
        predict(drawing, model, name="canvas", multi=False)
    totals, preprocessing, inference, correct = [], [], [], 0
    for drawing, label in zip(drawings[WARMUP:], labels[WARMUP:]):
        started = time.perf_counter()
        answer = predict(drawing, model, name="canvas", multi=False)
        totals.append(time.perf_counter() - started)
        correct += answer.digit == label
        # The two halves of the same work, timed apart to show where the time goes.
        started = time.perf_counter()
        prepared = preprocess(drawing, name="canvas", multi=False)
        preprocessing.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.classify(prepared.input_batch)
        inference.append(time.perf_counter() - started)

    latency = milliseconds(totals)
    result = {
        "model": describe(stored.meta, stored.path.stem),
        "latency_ms": {**latency, "runs": args.runs, "warmup": WARMUP},
        "preprocess_ms": milliseconds(preprocessing),
        "model_ms": milliseconds(inference),
        "first_prediction": first.digit,
        "correct": f"{correct}/{args.runs}",
        "rss_mb_after_first_prediction": round(memory["VmRSS"], 1),
        "peak_rss_mb": round(memory["VmHWM"], 1),
        "targets": {"latency_ms": LATENCY_TARGET_MS, "rss_mb": RSS_TARGET_MB},
        "meets_targets": latency["median"] < LATENCY_TARGET_MS and memory["VmRSS"] < RSS_TARGET_MB,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
