"""Images per second of the bundled model, drawing-to-answer latency (alone, and with the network at work
beside it), and the memory of a fresh process."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

from .inputs import REPO, Say, canvas_drawing

LATENCY_RUNS = 30


def inference(say: Say) -> dict[str, Any]:
    """Throughput of the bundled model, latency of one drawing end to end, and process memory."""
    from .. import layer_trace
    from ..inference import load_reader
    from ..prediction import predict

    from ..data import load_mnist

    reader = load_reader()
    x_test = load_mnist().x_test.astype(np.float32)[..., None] / 255.0
    result: dict[str, Any] = {}
    for batch in (1, 1000):
        inputs = x_test[:batch]
        reader.classify(inputs)  # warm-up: the first call traces the graph
        runs = max(3, 200 // batch)
        started = time.perf_counter()
        for _ in range(runs):
            reader.classify(inputs)
        result[f"images_per_second_batch_{batch}"] = round(runs * batch / (time.perf_counter() - started), 1)
    drawing = canvas_drawing()
    layer_trace.stages(reader.model, predict(drawing, reader, multi=False).preprocessed.digits[0])  # warm-up: traces
    timings, network = [], []
    for _ in range(LATENCY_RUNS):  # interleaved: the answer alone, then the answer and the network at work
        started = time.perf_counter()
        predict(drawing, reader, multi=False)
        timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        layer_trace.stages(reader.model, predict(drawing, reader, multi=False).preprocessed.digits[0])
        network.append(time.perf_counter() - started)
    result["draw_to_prediction_ms_median"] = round(statistics.median(timings) * 1000, 2)
    result["draw_to_prediction_ms_p90"] = round(sorted(timings)[int(0.9 * len(timings))] * 1000, 2)
    # The Draw page's network at work: every layer's output for the drawing, on top of its answer.
    result["draw_to_network_ms_median"] = round(statistics.median(network) * 1000, 2)
    result["network_extra_ratio"] = round(statistics.median(network) / statistics.median(timings), 3)
    result.update(_memory_of_a_fresh_process())
    say(f"  inference: {result['images_per_second_batch_1']:.0f} images/s at batch 1, "
        f"{result['images_per_second_batch_1000']:.0f} at batch 1000; drawing -> prediction "
        f"{result['draw_to_prediction_ms_median']} ms median, with the network at work "
        f"{result['draw_to_network_ms_median']} ms; memory {result['peak_rss_mb']} MB peak")
    return result


_MEMORY_PROBE = """
import json
from mnist_core.inference import load_reader
from mnist_core.prediction import predict
from mnist_core.bench.inputs import canvas_drawing, process_memory_mb
predict(canvas_drawing(), load_reader(), multi=False)
print(json.dumps(process_memory_mb()))
"""


def _memory_of_a_fresh_process() -> dict[str, Any]:
    """RSS of a new process after loading the default model and making one prediction."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        output = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], capture_output=True, text=True,
                                env=env, timeout=300, check=True).stdout
        memory = json.loads(output.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError, OSError):
        return {"rss_mb": None, "peak_rss_mb": None}
    return {"rss_mb": memory["VmRSS"], "peak_rss_mb": memory["VmHWM"]}
