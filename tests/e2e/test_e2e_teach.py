"""Teach it your handwriting, in a real browser: my 7s are read as 1s; after teaching, they are read as 7s."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from browser_steps import APP_READY_MS, TRAINING_DONE_MS, Stroke, canvas, draw, expect_no_traceback, go_to, metric, open_app, screenshot
from playwright.sync_api import expect

from mnist_core import adapt, store
from mnist_core.models import describe

pytestmark = pytest.mark.e2e

# This writer's 7: a short, steep flag on a long stem. The bundled model reads it as a 1.
HOOKED_SEVEN: list[Stroke] = [[(100, 95), (150, 45), (150, 235)]]
DRAWN, UPLOADED = 3, 9  # examples added from the canvas, and as pictures


def hooked_seven_png(path: Path, rng: np.random.Generator) -> Path:
    """The same 7 on paper: black ink on white, shifted and wobbled a little, as a scan or photo would be."""
    paper = np.full((280, 280), 255, np.uint8)
    dx, dy = rng.uniform(-25, 25, 2)
    points = np.array([(x + dx + rng.uniform(-8, 8), y + dy + rng.uniform(-8, 8)) for x, y in HOOKED_SEVEN[0]],
                      np.int32)
    cv2.polylines(paper, [points], False, 0, int(rng.integers(16, 28)), cv2.LINE_AA)
    cv2.imwrite(str(path), paper)
    return path


def draw_above(page, shift: float = 0) -> None:
    """The canvas is at the top of the page, the section far below it: scroll up, then draw."""
    canvas(page).scroll_into_view_if_needed()
    draw(page, HOOKED_SEVEN, shift=shift)


def test_teaching_my_sevens_changes_the_answer_for_me_only(new_page, app_url, tmp_path):
    # The once-per-model preparation (the bundled model over 18,000 MNIST digits) is done here, into the cache
    # folder the server shares, so the browser waits only for the teaching itself.
    model, stored = store.load_model()
    adapt.prepare(model, stored.meta.sha256)

    page = new_page()
    open_app(page, app_url)
    go_to(page, "Draw & Upload")
    expect(canvas(page)).to_be_visible(timeout=APP_READY_MS)  # the model loads first
    draw(page, HOOKED_SEVEN)
    expect(metric(page, "Prediction")).to_have_text("1")  # misread

    add = page.get_by_role("button", name=re.compile("Add this drawing as an example"))
    page.locator(".st-key-teach_label").get_by_role("radio", name="7", exact=True).click()  # the digit I meant
    expect(add).to_be_enabled()
    add.click()
    for number in range(1, DRAWN + 1):
        if number > 1:
            draw_above(page, shift=(number - 2) * 12)
            expect(metric(page, "Prediction")).not_to_have_text("—")
            expect(add).to_be_enabled()
            add.click()
        expect(page.get_by_text(f"Your examples: {number}")).to_be_visible()
        expect(metric(page, "Prediction")).to_have_text("—")  # the canvas is cleared for the next one

    rng = np.random.default_rng(3)
    pictures = [hooked_seven_png(tmp_path / f"seven{i}.png", rng) for i in range(UPLOADED)]
    page.locator(".st-key-teach_upload_0").locator("input[type=file]").set_input_files([str(p) for p in pictures])
    page.get_by_role("button", name=re.compile("Add them as 7")).click()
    expect(page.get_by_text(f"Your examples: {DRAWN + UPLOADED}")).to_be_visible()

    page.get_by_role("button", name=re.compile(r"\bTeach$")).click()
    expect(page.get_by_role("heading", name="What it learned")).to_be_visible(timeout=TRAINING_DONE_MS)
    expect_no_traceback(page)
    picker = page.get_by_role("combobox", name="Read digits with")
    expect(picker).to_have_value(re.compile("your handwriting"))  # used here at once

    draw_above(page)
    expect(metric(page, "Prediction")).to_have_text("7")
    screenshot(page, "teach-after")

    other = new_page()  # another visitor still has the model as it was
    open_app(other, app_url)
    go_to(other, "Draw & Upload")
    expect(canvas(other)).to_be_visible(timeout=APP_READY_MS)
    expect(other.get_by_role("combobox", name="Read digits with")).to_have_value(describe(stored.meta, stored.path.stem))
    draw(other, HOOKED_SEVEN)
    expect(metric(other, "Prediction")).to_have_text("1")
