"""MNIST Studio in a real browser: drawing, uploading, training, sharing a job, looking inside.

Each test is what a person in the audience would do; screenshots of every
page land in artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_steps import (ONE, SEVEN, ZERO, canvas, choose_settings, clear_canvas, draw, expect_no_traceback, finished,
                           go_to, metric, mnist_png, open_app, screenshot, upload_input)
from mnist_core.training import TrainConfig

pytestmark = pytest.mark.e2e

PAGES = ("Train", "Draw & Upload", "Inside the model")


def progress_step(page: Page) -> int:
    """The step the live progress bar shows (all of them once the batches are done, or the bar is gone)."""
    bar = page.get_by_test_id("stProgress")
    if not bar.count():  # the results took its place
        return 10**9
    text = bar.inner_text()
    if "steps done" in text or "Testing and saving" in text:
        return 10**9
    found = re.search(r"step ([\d,]+) of", text)
    return int(found.group(1).replace(",", "")) if found else 0


def test_every_page_opens_without_a_traceback(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    for title in PAGES:
        go_to(page, title)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_timeout(1500)  # let images and charts arrive
        expect_no_traceback(page)
        screenshot(page, f"page-{title.split()[0].lower()}")


def test_drawn_digits_are_read(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    go_to(page, "Draw & Upload")
    expect(metric(page, "Prediction")).to_have_text("—")
    for strokes, digit in ((ONE, "1"), (SEVEN, "7"), (ZERO, "0")):
        draw(page, strokes)
        expect(metric(page, "Prediction")).to_have_text(digit)
        screenshot(page, f"draw-{digit}")
        if digit != "0":
            clear_canvas(page)
    # The drawing is the digit the Inside page studies, and it is still there on coming back.
    go_to(page, "Inside the model")
    expect(metric(page, "Prediction")).to_have_text("0")
    # The digit and its attention map; each conv layer is a collapsed step, its pictures made when opened.
    expect(page.get_by_test_id("stImage").nth(1)).to_be_visible()
    expect(page.locator("[data-step=true]").last).to_contain_text("The answer: 0")
    expect_no_traceback(page)
    screenshot(page, "inside-drawn-zero")
    go_to(page, "Draw & Upload")
    expect(metric(page, "Prediction")).to_have_text("0")


def test_several_drawn_digits_are_read_left_to_right(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    go_to(page, "Draw & Upload")
    page.locator(".st-key-several_digits").get_by_text("Several digits").click()  # the toggle, not a mention
    expect(canvas(page)).to_have_attribute("width", re.compile(r"^[5-9]\d\d$"))
    for offset, strokes in enumerate((ONE, SEVEN, ZERO)):
        draw(page, strokes, shift=offset * 220)
    expect(metric(page, "Prediction")).to_have_text("170")
    expect_no_traceback(page)
    screenshot(page, "draw-several")


def test_uploads_read_good_files_and_explain_bad_ones(page: Page, app_url: str, tmp_path: Path) -> None:
    good = mnist_png(tmp_path / "three.png", "3")
    several = mnist_png(tmp_path / "year.png", "427")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"this is not a picture at all")
    open_app(page, app_url)
    go_to(page, "Draw & Upload")
    upload_input(page).set_input_files([good, broken, several])
    cards = page.locator("[class*=st-key-upload-card]")
    three = cards.filter(has_text="three.png")
    expect(metric(three, "Prediction")).to_have_text("3")
    expect(metric(cards.filter(has_text="year.png"), "Prediction")).to_have_text("427")
    error = cards.filter(has_text="broken.png").get_by_test_id("stAlertContentError")
    expect(error).to_be_visible()
    assert "Traceback" not in error.inner_text()
    expect_no_traceback(page)
    screenshot(page, "upload")


def test_training_shows_live_progress_and_the_model_can_be_used(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    choose_settings(page, "20,000")  # a few seconds: long enough to watch the chart grow
    page.get_by_role("button", name=re.compile("Start training")).click()
    expect(page.get_by_test_id("stProgress")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=60_000)
    # The chart is there from the start (empty); wait for the first steps before timing the progress.
    expect(page.get_by_test_id("stProgress").or_(page.get_by_role("button", name=re.compile("Use this model")))
           ).to_contain_text(re.compile(r"step [1-9]|Use this model"), timeout=60_000)
    first = progress_step(page)
    page.wait_for_timeout(1500)  # the live view redraws every second
    assert progress_step(page) > first or page.get_by_role("button", name=re.compile("Use this model")).count()
    screenshot(page, "train-running")
    finished(page)
    expect(metric(page, "Right on the 10,000 test digits")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Mistakes: [\d,]+ of 10,000"))).to_be_visible(timeout=60_000)
    expect_no_traceback(page)
    screenshot(page, "train-finished")
    page.get_by_role("button", name=re.compile("Use this model")).click()
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Read digits with")
    expect(picker).to_have_value(re.compile("^Quick learner"))
    go_to(page, "Draw & Upload")
    expect(picker).to_have_value(re.compile("^Quick learner"))
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Trained here")


def test_two_browsers_follow_one_training_job(new_page, app_url: str) -> None:
    # Watching must not disturb the job: while Streamlit reset Keras after each watcher's chart tick
    # (see ui/runtime.py), mixed-precision jobs failed and every job crawled.
    config = TrainConfig.for_model("fast", epochs=1, limit=10_000)  # settings no other browser test trains
    first, second = new_page(), new_page()
    for page in (first, second):
        open_app(page, app_url)
    choose_settings(first, "10,000", epochs=1)
    first.get_by_role("button", name=re.compile("Start training")).click()
    # Its progress, or, when its 79 steps are over before the page looks, its result.
    expect(first.get_by_test_id("stProgress").or_(first.get_by_text(re.compile("Training finished")))).to_be_visible()
    # The second person asks for the same settings while the job runs: they join it, nothing new starts.
    choose_settings(second, "10,000", epochs=1)
    # Following the job: its progress (or, on a fast machine, its result), never a second Start.
    progress = second.get_by_test_id("stProgress")
    expect(progress.or_(second.get_by_role("button", name=re.compile("Use this model")))).to_be_visible()
    if progress.count():
        expect(progress).to_contain_text(f"of {config.total_steps}")
    expect(second.get_by_role("button", name=re.compile("Start training"))).to_have_count(0)
    for page in (first, second):
        finished(page)
    accuracies = {metric(page, "Right on the 10,000 test digits").inner_text() for page in (first, second)}
    assert len(accuracies) == 1
    assert not second.get_by_text("Another training is").count()
