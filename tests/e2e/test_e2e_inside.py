"""Inside the model in a real browser: your drawing, studied step by step; collapsed, about three screens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_steps import SEVEN, expect_no_traceback, go_to, metric, open_app, screenshot
from drawing_steps import draw_with_mouse

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}
SCREENS = 3  # collapsed, the page fits in about this many screens


ROOM_PX = 16  # at least this much white between the digit's picture and the "Prediction" beside it


def pictures_have_room(page: Page) -> None:
    """The digit and where it looks stay inside their columns: nothing touches the answer or leaves the page."""
    pictures = page.locator(".st-key-inside-overview [data-testid=stImage] img")
    expect(pictures).to_have_count(2)
    page.wait_for_timeout(500)  # let them reach their size
    digit, heat = (pictures.nth(index).bounding_box() for index in (0, 1))
    label = page.get_by_test_id("stMetricLabel").filter(has_text="Prediction").bounding_box()
    content = page.get_by_test_id("stExpander").filter(has_text="The layers, from input to answer").bounding_box()
    assert digit["x"] + digit["width"] + ROOM_PX <= label["x"], (digit, label)
    assert heat["x"] + heat["width"] <= content["x"] + content["width"] + 1, (heat, content)
    assert digit["width"] >= 160, "still large enough to see its 28 x 28 squares"


def test_your_drawing_is_studied_step_by_step_on_a_page_of_three_screens(browser, app_url: str) -> None:
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        open_app(page, app_url)
        go_to(page, "Draw & Upload")
        draw_with_mouse(page, SEVEN)
        expect(metric(page, "Prediction").first).to_have_text("7")
        go_to(page, "Inside the model")
        expect(metric(page, "Prediction")).to_have_text("7")
        pictures_have_room(page)
        steps = page.locator("[data-step=true]")
        expect(steps.last).to_contain_text("The answer: 7")
        first = steps.first
        expect(first).to_contain_text("Layer 1 of")
        page.wait_for_timeout(1000)  # let the pictures above arrive
        height = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
        assert height <= SCREENS * LAPTOP["height"], f"collapsed, the page is {height} px tall"
        # Opening a step brings its pictures, each with what to look for.
        first.get_by_text("Layer 1 of").click()
        expect(first.get_by_text("Your digit through each of")).to_be_visible(timeout=120_000)
        expect(first.get_by_test_id("stImage").first).to_be_visible()
        expect(first.get_by_text("Look for: each filter")).to_be_visible()
        expect_no_traceback(page)
        screenshot(page, "inside-first-step-open")
    finally:
        context.close()
