"""What a person does in the app, as Playwright steps: open a page, draw, read a metric, take a picture."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from mnist_core.data import load_mnist
from mnist_core.models import ZOO

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
APP_READY_MS = 60_000
TRAINING_DONE_MS = 180_000
SCREENSHOT_WIDTH = 1400
SCREENSHOT_MARGIN = 120  # pixels below the content
SCREENSHOT_TRIES = 4
MOVE_STEPS = 4  # intermediate mouse events between two points, like a real hand

Stroke = list[tuple[float, float]]  # points in canvas pixels (0-280)

# Text cut short with an ellipsis anywhere in the main area: not only on leaves (a button's or a metric's label
# puts its ellipsis on the box around the text's <p>, so "Replay (15 s)" showed as "Re…").
CUT_TEXT = """() => Array.from(document.querySelectorAll('[data-testid=stMain] *')).filter(e => {
  const style = getComputedStyle(e);
  return e.textContent.trim() && style.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1; })
  .map(e => e.textContent.trim())"""

# Digits as pen strokes on the 280x280 canvas.
ONE: list[Stroke] = [[(140, 45), (140, 235)]]
SEVEN: list[Stroke] = [[(75, 60), (205, 60), (180, 110), (150, 170), (125, 235)]]
ZERO: list[Stroke] = [[(140 + 62 * math.sin(t / 24 * 2 * math.pi), 140 - 95 * math.cos(t / 24 * 2 * math.pi))
                       for t in range(26)]]


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=APP_READY_MS)


def go_to(page: Page, title: str) -> None:
    """Click a page in the sidebar navigation: same browser session, unlike a new URL. Presenting starts with the
    sidebar folded away: it is opened first, as a presenter would."""
    opener = page.get_by_test_id("stExpandSidebarButton")
    if opener.is_visible():
        opener.click()
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def metric(scope: Page | Locator, label: str) -> Locator:
    """The value element of the st.metric labelled `label` within `scope`."""
    page = scope if isinstance(scope, Page) else scope.page
    # The inner locator of `has` is matched inside each candidate, so it is built from the page.
    label_inside = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return scope.get_by_test_id("stMetric").filter(has=label_inside).get_by_test_id("stMetricValue")


def upload_input(page: Page) -> Locator:
    """The file input of "Upload pictures": the main area's first uploader (the teaching section below has its own,
    and the sidebar one for a model of your own)."""
    return page.get_by_test_id("stMain").get_by_test_id("stFileUploaderDropzoneInput").first


def wait_until_idle(page: Page, timeout: float = 60_000) -> None:
    """Until the script run has finished: a file given to an uploader while the page is still being drawn
    (the first answer shows long before the rest) can be lost on a loaded machine."""
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=timeout)


def expect_no_traceback(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "Traceback" not in page.inner_text("body")


def canvas(page: Page) -> Locator:
    """The drawing surface (the top one of the canvas widget's stacked HTML canvases)."""
    return page.locator("canvas.upper-canvas")


def draw(page: Page, strokes: list[Stroke], shift: float = 0) -> None:
    """Draw `strokes` with the mouse, moved `shift` pixels to the right."""
    surface = canvas(page)
    expect(surface).to_be_visible()
    box = surface.bounding_box()
    left, top = box["x"] + shift, box["y"]
    for stroke in strokes:
        page.mouse.move(left + stroke[0][0], top + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(left + x, top + y, steps=MOVE_STEPS)
        page.mouse.up()


def clear_canvas(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Clear")).click()
    expect(metric(page, "Prediction")).to_have_text("—")


def screenshot(page: Page, name: str) -> Path:
    """The whole page: Streamlit scrolls inside its main area, so the viewport is grown until all of it fits."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    previous = page.viewport_size
    page.wait_for_load_state("networkidle")
    height = 0
    for _ in range(SCREENSHOT_TRIES):  # images and charts arriving can lengthen the page
        needed = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
        if needed + SCREENSHOT_MARGIN <= height:
            break
        height = max(previous["height"], needed + SCREENSHOT_MARGIN)
        page.set_viewport_size({"width": SCREENSHOT_WIDTH, "height": height})
        page.wait_for_timeout(500)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(previous)
    return path


def mnist_png(path: Path, labels: str, scale: int = 8) -> Path:
    """Test-set digits for `labels`, side by side, enlarged, as black ink on white paper."""
    mnist = load_mnist()
    digits = [mnist.x_test[int(np.flatnonzero(mnist.y_test == int(label))[0])] for label in labels]
    gap = np.zeros((28, 10), np.uint8)
    row = np.hstack([part for digit in digits for part in (gap, digit)] + [gap])
    Image.fromarray(255 - row).resize((row.shape[1] * scale, 28 * scale), Image.BILINEAR).save(path)
    return path


def choose_settings(page: Page, images: str, epochs: int = 1, model: str = "fast") -> None:
    """Pick the zoo model, the training slice (a slider notch at a time) and the epochs.

    Each model has its own widgets (keys end in its name), so waiting for them means the page has caught up.
    """
    title = ZOO[model].plain_name
    picker = page.get_by_role("combobox", name="Model", exact=True)
    if picker.input_value() != title:
        picker.click()
        page.get_by_role("option", name=title, exact=True).click()
    slider = page.locator(f".st-key-slice-{model}").get_by_role("slider")
    expect(slider).to_be_visible()
    slider.focus()
    while (now := slider.get_attribute("aria-valuetext")) != images:
        slider.press("ArrowRight" if count(now) < count(images) else "ArrowLeft")
        expect(slider).not_to_have_attribute("aria-valuetext", now)
    box = page.locator(f".st-key-epochs-{model}").get_by_role("spinbutton")
    if box.input_value() != str(epochs):
        box.fill(str(epochs))
        box.press("Enter")
        expect(box).to_have_value(str(epochs))


def count(label: str) -> int:
    """The number in a slider label such as "10,000" or "all 55,000"."""
    return int(re.sub(r"\D", "", label))


def finished(page: Page) -> None:
    """Wait for the results (or a failure, which then fails the test at once)."""
    use = page.get_by_role("button", name=re.compile("Use this model"))
    expect(use.or_(page.get_by_test_id("stAlertContentError"))).to_be_visible(timeout=TRAINING_DONE_MS)
    assert use.is_visible(), page.get_by_test_id("stAlertContentError").inner_text()
