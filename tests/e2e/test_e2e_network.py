"""The network at work in a real browser: in view with the canvas and the answer, on a laptop and a projector."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from browser_steps import SEVEN, expect_no_traceback, metric, screenshot
from drawing_steps import draw_with_mouse, drawing_canvas
from ui import canvas_view, network_view

pytestmark = pytest.mark.e2e

MIN_PICTURES_IN_VIEW = 3  # issue 23: at least three pictures of the network's work beside the answer
MIN_ANSWER_PX = 120  # issue 24: the answer digit at least this tall at 1920x1080 when presenting


def in_view(locator: Locator, height: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def network_pictures(page: Page) -> Locator:
    return page.locator(f".st-key-{network_view.ROW_KEY} [data-testid=stImage] img")


@pytest.mark.parametrize("width, height, query", [(1366, 768, ""), (1920, 1080, "?presenter=1")])
def test_the_network_at_work_is_in_view_beside_the_answer(new_page, app_url: str, width: int, height: int,
                                                          query: str) -> None:
    page = new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/draw-and-upload{query}")
    draw_with_mouse(page, SEVEN)
    answer = metric(page, "Prediction").first
    expect(answer).to_have_text("7")
    pictures = network_pictures(page)
    expect(pictures).to_have_count(7)  # the bundled best reader: input, five layers, the ten outputs
    page.wait_for_load_state("networkidle")
    assert in_view(drawing_canvas(page), height) and in_view(answer, height)
    shown = sum(in_view(pictures.nth(index), height) for index in range(pictures.count()))
    assert shown >= MIN_PICTURES_IN_VIEW, f"{shown} pictures of the network in view at {width}x{height}"
    title = page.get_by_role("heading", level=1)
    header = page.get_by_test_id("stHeader").bounding_box()
    assert title.bounding_box()["y"] >= header["y"] + header["height"] - 1 or not query, "the title under the header"
    if query:  # presenting: a canvas and an answer for the back of the room
        assert drawing_canvas(page).bounding_box()["width"] >= canvas_view.CANVAS_SIDE_PRESENTING
        assert answer.bounding_box()["height"] >= MIN_ANSWER_PX
    expect_no_traceback(page)
    screenshot(page, f"network-{width}x{height}")
    page.get_by_role("button", name="Look closer").click()  # one map: on the drawing, and what it looks for
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("looks for tiny bits of stroke")).to_be_visible(timeout=60_000)
    expect(dialog.get_by_test_id("stImage")).to_have_count(2)
    dialog.get_by_text("Layer 5", exact=True).click()
    expect(dialog.get_by_text("looks for large parts of digits")).to_be_visible(timeout=60_000)
    expect_no_traceback(page)


def test_training_has_its_own_address(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/training")
    expect(page.get_by_role("heading", level=1)).to_have_text("Train a network", timeout=60_000)
    # The Train page itself (its settings), whether or not another test already trained its first setting.
    expect(page.get_by_role("combobox", name="Model", exact=True)).to_be_visible()
    page.wait_for_timeout(1000)  # the "Page not found" dialog came a moment after the page
    assert "page not found" not in page.inner_text("body").lower()
