"""Measure the memory of a real app server through a visit, as Streamlit Community Cloud would host it.

Starts `streamlit run app.py` with a fresh home folder, drives it with Chromium (Debian's, via Playwright):
open the app, draw a 7, visit "Inside the model", then train the fast preset on all 55,000 training images. After
each step it reads the server's resident memory (VmRSS) and its peak so far (VmHWM) from /proc.

Usage: python research/measure_server.py [--skip-training]. Prints one JSON object. The same server
memory under a training and a drawing person, without a browser: `python -m mnist_core bench --suite memory`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "e2e")]
# The browser tests' steps (what a person does in the app), so this visit is the one the tests check.
from browser_steps import SEVEN, draw, go_to, metric, open_app  # noqa: E402

# The server as the classroom and memory benchmarks start and measure it (one way to do it, not two).
from mnist_core.bench.server import start_server, stop_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ANSWER_MS = 180_000
TRAINING_MS = 600_000


def train_fast(page: Page) -> None:
    """Start the Train page's first offer (the fast preset's recipe) and wait for its results."""
    page.get_by_role("button", name=re.compile("Start training")).click()
    expect(page.get_by_role("button", name=re.compile("Use this model"))).to_be_visible(timeout=TRAINING_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-training", action="store_true", help="measure drawing and inspection only")
    args = parser.parse_args()
    expect.set_options(timeout=ANSWER_MS)  # the first visit loads TensorFlow and the models: seconds on 2 cores
    with tempfile.TemporaryDirectory() as home:
        server = start_server(Path(home))
        report: dict[str, dict[str, int]] = {}
        try:
            report["server started"] = server.memory_mb()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                open_app(page, server.url)
                report["Train page open"] = server.memory_mb()
                go_to(page, "Draw & Upload")
                draw(page, SEVEN)
                expect(metric(page, "Prediction").first).to_have_text("7", timeout=ANSWER_MS)
                report["a 7 drawn and read"] = server.memory_mb()
                go_to(page, "Inside the model")
                page.wait_for_load_state("networkidle")
                expect(page.get_by_test_id("stImage").first).to_be_visible(timeout=ANSWER_MS)
                report["Inside the model shown"] = server.memory_mb()
                if not args.skip_training:
                    go_to(page, "Train")
                    train_fast(page)
                    report["fast preset trained on 55,000 images"] = server.memory_mb()
                browser.close()
        finally:
            stop_server(server)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
