"""Every screen a presenter or a visitor uses: titles uncovered, nothing cut short, pictures inside their cards."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_steps import CUT_TEXT, SEVEN, expect_no_traceback, metric, mnist_png, upload_input
from drawing_steps import draw_with_mouse

pytestmark = pytest.mark.e2e

PAGES = {"training": "Train a network", "draw-and-upload": "Draw & Upload", "inside-the-model": "Inside the model"}
SIZES = {"phone": (390, 844, ""), "laptop presenting": (1366, 768, "?presenter=1"),
         "projector": (1920, 1080, "?presenter=1")}
# Whether the title is what the browser shows at its left and middle: nothing (the header) lies over it.
TITLE_SHOWN = """() => { const title = document.querySelector('h1'); const box = title.getBoundingClientRect();
  return [[box.left + 8, box.top + 4], [box.left + box.width / 2, box.top + box.height / 2]]
    .every(([x, y]) => title.contains(document.elementFromPoint(x, y))); }"""


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_title_is_uncovered(new_page, app_url: str, size: str) -> None:
    width, height, query = SIZES[size]
    page = new_page()
    page.set_viewport_size({"width": width, "height": height})
    for path, title in PAGES.items():
        page.goto(f"{app_url}/{path}{query}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title, timeout=60_000)
        page.wait_for_timeout(500)  # the page's own styles arrive with its first elements
        assert page.evaluate(TITLE_SHOWN), f"{title!r} is covered at {size}"
        expect_no_traceback(page)


def test_nothing_is_cut_short_on_a_laptop_when_presenting(new_page, app_url: str) -> None:
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/draw-and-upload?presenter=1")
    draw_with_mouse(page, SEVEN)
    expect(metric(page, "Prediction").first).to_have_text("7")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(CUT_TEXT) == []


def test_an_uploads_steps_stay_inside_its_card(page: Page, app_url: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/draw-and-upload")
    upload_input(page).set_input_files([mnist_png(tmp_path / f"{digit}.png", digit) for digit in "358"])
    card = page.locator("[class*=st-key-upload-card]").first
    expect(metric(card, "Prediction")).to_have_text("3")
    card.get_by_text("How it was read").click()
    pictures = card.locator("[data-testid=stImage] img")
    expect(pictures.nth(2)).to_be_visible()  # the digit found, then its steps
    page.wait_for_load_state("networkidle")
    edge = card.bounding_box()
    for index in range(pictures.count()):
        box = pictures.nth(index).bounding_box()
        assert edge["x"] <= box["x"] and box["x"] + box["width"] <= edge["x"] + edge["width"] + 1, \
            f"step picture {index} spills out of its card"
    assert page.evaluate(CUT_TEXT) == []
