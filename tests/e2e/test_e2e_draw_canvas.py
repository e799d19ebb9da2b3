"""The Draw page's canvas in a real browser: strokes near its top edge, Several digits on (the answer in view) and
off again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_steps import ONE, SEVEN, APP_READY_MS, expect_no_traceback, metric
from drawing_steps import draw_with_mouse, drawing_canvas
from ui import canvas_view

pytestmark = pytest.mark.e2e

THREE = [[(80, 60), (190, 60), (130, 135), (195, 175), (170, 230), (80, 225)]]


def test_in_presenter_mode_a_stroke_starting_near_the_top_of_the_canvas_draws(page: Page, app_url: str) -> None:
    """The canvas's own toolbar, enlarged by presenting's type, lay over the top of the canvas and ate strokes."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}/draw-and-upload?presenter=1")
    expect(drawing_canvas(page)).to_be_visible(timeout=APP_READY_MS)
    expect(page.locator(".st-key-canvas .dc-toolbar")).to_be_hidden()
    draw_with_mouse(page, [[(140, 40), (140, 140), (140, 250)]])  # a 1 from the top 15% of the canvas
    expect(metric(page, "Prediction").first).to_have_text("1")
    expect_no_traceback(page)


def test_a_digit_drawn_after_switching_several_digits_off_is_read(page: Page, app_url: str) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/draw-and-upload")
    expect(drawing_canvas(page)).to_be_visible(timeout=APP_READY_MS)
    switch = page.locator(".st-key-several_digits").get_by_text("Several digits")
    switch.click()
    expect(drawing_canvas(page)).to_have_attribute("width", str(canvas_view.CANVAS_WIDE))
    for shift, digit in enumerate((ONE, SEVEN)):
        draw_with_mouse(page, [[(x + shift * 220, y) for x, y in stroke] for stroke in digit],
                        canvas_width=canvas_view.CANVAS_WIDE)
    expect(metric(page, "Prediction").first).to_have_text("17")
    # The answer, below the wide canvas, is on the first screen of a 1366x768 laptop without scrolling.
    expect(metric(page, "Prediction").first).to_be_in_viewport(ratio=1)
    expect(page.get_by_text("sure of every digit")).to_be_in_viewport(ratio=1)
    switch.click()  # a fresh, square canvas: no answer until something is drawn
    expect(drawing_canvas(page)).to_have_attribute("width", str(canvas_view.CANVAS_SIDE))
    expect(metric(page, "Prediction").first).to_have_text("—")
    draw_with_mouse(page, THREE)  # without pressing Clear
    expect(metric(page, "Prediction").first).to_have_text("3")
    expect_no_traceback(page)
