"""Server CPU per drawing on the Draw page: the whole page (reading, every network, the steps, the rest) in AppTest.

The canvas is replaced by the classroom bench's drawings (mnist_core.bench.classroom.drawing_state: a 1, 7, 0,
4 or 2 with jittered strokes, as the real canvas sends them), one new drawing per run of the page. Reported:
CPU time of this process (every thread: TensorFlow's too) and wall time per run, after 5 warm-up runs; with
--profile, the functions that took the most time; with --parts, the CPU time of each part of the page (the
sidebar, the reading, the answer, the comparison row, the pictures, the teaching section; the rest is the
page's other elements and AppTest's own work). Run with an empty home folder so the comparison row holds the
bundled networks only, as in the bench:

    MNIST_STUDIO_HOME=$(mktemp -d) python research/measure_draw_page.py [--runs 30] [--profile] [--parts]

To measure another checkout (e.g. `git archive <commit> | tar -x -C /tmp/old`), run this file from there.
"""

from __future__ import annotations

import argparse
import base64
import collections
import cProfile
import io
import json
import pstats
import random
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def drawings(count: int) -> list[np.ndarray]:
    """The classroom bench's drawings, decoded as the canvas component decodes them."""
    from mnist_core.bench.classroom import STROKES, drawing_state

    rng = random.Random(0)
    result = []
    for index in range(count):
        state = json.loads(drawing_state(list(STROKES)[index % len(STROKES)], rng))
        data = base64.b64decode(state["drawing"]["data"].split(",", 1)[1])
        result.append(np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")))
    return result


def timed(function, name: str, totals: dict[str, float]):
    """`function`, adding the CPU time of each call (every thread of this process) to totals[name]."""
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.process_time() - started
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print where the page's time goes")
    parser.add_argument("--parts", action="store_true", help="CPU ms per drawing of each part of the page")
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    from ui import answer_first, canvas_view, compare_view, draw_view, sidebar, teach_view

    parts: dict[str, float] = collections.defaultdict(float)
    if args.parts:
        for module, name in ((sidebar, "render"), (answer_first, "read"), (draw_view, "answer"),
                             (compare_view, "show"), (draw_view, "steps"), (teach_view, "section")):
            setattr(module, name, timed(getattr(module, name), f"{module.__name__}.{name}", parts))

    pictures = drawings(args.runs + 5)
    turn = {"index": 0}
    profiler, profiling = cProfile.Profile(), {"on": False}
    section = teach_view.section

    def canvas(several: bool) -> np.ndarray:  # the page's first call of the drawing's part
        if profiling["on"]:
            profiler.enable()
        return pictures[turn["index"]]

    def last_section(*args, **kwargs):  # the page's last part
        try:
            return section(*args, **kwargs)
        finally:
            if profiling["on"]:
                profiler.disable()

    canvas_view.canvas, teach_view.section = canvas, last_section
    page = AppTest.from_file(str(REPO / "app.py"), default_timeout=300).run()
    page.switch_page("app_pages/draw.py").run()
    for turn["index"] in range(5):
        page.run()
    assert not page.exception, page.exception
    parts.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    for turn["index"] in range(5, 5 + args.runs):
        page.run()
    cpu, wall = (time.process_time() - cpu) / args.runs, (time.perf_counter() - wall) / args.runs
    answers = [metric.value for metric in page.metric if metric.label == "Prediction"]
    print(json.dumps({"runs": args.runs, "cpu_ms_per_drawing": round(cpu * 1000, 1),
                      "wall_ms_per_drawing": round(wall * 1000, 1), "last_answer": answers[:1],
                      **({"cpu_ms_per_part": {name: round(seconds / args.runs * 1000, 1)
                                              for name, seconds in parts.items()}} if args.parts else {})}))
    if args.profile:
        profiling["on"] = True
        for turn["index"] in range(5, 5 + args.runs):
            page.run()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
