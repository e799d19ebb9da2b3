"""Measure the memory of a real app server through a visit, as Streamlit Community Cloud would host it.

Starts `streamlit run app.py` with a fresh home folder, drives it with Chromium (Debian's, via Playwright):
open the app, draw a 7, visit "Inside the model", then train the fast preset on all 60,000 images. After
each step it reads the server's resident memory (VmRSS) and its peak so far (VmHWM) from /proc.

Usage: PYTHONPATH=. python scripts/measure_server.py [--skip-training]. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "e2e"))
# The browser tests' steps (what a person does in the app), so this visit is the one the tests check.
from browser_steps import SEVEN, draw, go_to, metric, open_app  # noqa: E402
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_SECONDS = 120
ANSWER_MS = 180_000
TRAINING_MS = 600_000


def memory_mb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of process `pid`, in MB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: int(status[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("The Streamlit server did not start; run `bash scripts/app.sh` to see why.")


def train_fast(page: Page) -> None:
    """Start the Train page's first offer (the fast preset's recipe) and wait for its results."""
    page.get_by_role("button", name=re.compile("Start training")).click()
    expect(page.get_by_role("button", name=re.compile("Use this model"))).to_be_visible(timeout=TRAINING_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-training", action="store_true", help="measure drawing and inspection only")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MNIST_STUDIO_HOME": home, "PYTHONPATH": str(REPO)}
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1"], cwd=REPO, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report: dict[str, dict[str, int]] = {}
        try:
            wait_healthy(url, server)
            report["server started"] = memory_mb(server.pid)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                open_app(page, url)
                report["Train page open"] = memory_mb(server.pid)
                go_to(page, "Draw & Upload")
                draw(page, SEVEN)
                expect(metric(page, "Prediction").first).to_have_text("7", timeout=ANSWER_MS)
                report["a 7 drawn and read"] = memory_mb(server.pid)
                go_to(page, "Inside the model")
                page.wait_for_load_state("networkidle")
                expect(page.get_by_test_id("stImage").first).to_be_visible(timeout=ANSWER_MS)
                report["Inside the model shown"] = memory_mb(server.pid)
                if not args.skip_training:
                    go_to(page, "Train")
                    train_fast(page)
                    report["fast preset trained on 60,000 images"] = memory_mb(server.pid)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
