"""A phone (390 x 844, touch): the canvas fits the screen in both modes, a finger draws, the answer is in view.

The drawing is real touch input (see drawing_steps.draw_with_finger), on a context that says it has a touch
screen and is a phone, as Chrome's device emulation does.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_steps import APP_READY_MS, SCREENSHOTS, SEVEN, expect_no_traceback, metric
from drawing_steps import drawing_canvas, draw_with_finger
from ui import canvas_view

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    context.set_default_timeout(30_000)
    yield context
    context.close()


def overlaps(first: dict, second: dict) -> bool:
    return not (first["x"] + first["width"] <= second["x"] or second["x"] + second["width"] <= first["x"]
                or first["y"] + first["height"] <= second["y"] or second["y"] + second["height"] <= first["y"])


def answer_in_view(page: Page, digit: str) -> None:
    """The answer shows `digit` and sits on the first screen, without scrolling."""
    answer = metric(page, "Prediction").first
    expect(answer).to_have_text(digit)
    box = answer.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the answer is at {box['y']:.0f} px, below the screen"


@pytest.mark.parametrize("several", [False, True], ids=["one digit", "several digits"])
def test_a_finger_draws_on_a_canvas_that_fits_the_phone_and_the_answer_is_in_view(phone, app_url: str,
                                                                                   several: bool) -> None:
    page = phone.new_page()
    page.goto(f"{app_url}/draw-and-upload")  # on a phone the sidebar with the page links starts closed
    expect(drawing_canvas(page)).to_be_visible(timeout=APP_READY_MS)
    if several:
        page.locator(".st-key-several_digits").get_by_text("Several digits").click()
        expect(drawing_canvas(page)).to_have_attribute("width", str(canvas_view.CANVAS_WIDE))
    surface = drawing_canvas(page)
    expect(surface).to_be_visible()
    box = surface.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"the canvas spans {box}: not all reachable"
    width = canvas_view.CANVAS_WIDE if several else canvas_view.CANVAS_SIDE
    draw_with_finger(phone, page, SEVEN, canvas_width=width)
    answer_in_view(page, "7")
    # The canvas's own toolbar stays hidden (it lay over the canvas's top edge); the page's Clear button remains.
    surface.hover()
    expect(page.locator(".st-key-canvas .dc-toolbar")).to_be_hidden()
    for control in ("Clear", "Pen width"):  # under the canvas, not under its edge
        button = page.get_by_role("button", name=control).first
        assert not overlaps(surface.bounding_box(), button.bounding_box()), f"the canvas covers {control}"
    expect_no_traceback(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-draw-{'several' if several else 'one'}.png"))
