"""Presenter mode in a real browser with no internet, and a deep link as the very first visit."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from browser_steps import (SEVEN, draw, expect_no_traceback, go_to, metric, mnist_png, screenshot, upload_input,
                           wait_until_idle)

pytestmark = pytest.mark.e2e

PRESENTER_FONT_PX = 24  # ui/presenter.py's root font size
FIRST_VISIT_SECONDS = 90


def offline(page: Page, server_url: str) -> list[str]:
    """Refuse every request that leaves the app's server, as with no internet; returns the refused URLs."""
    refused: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith((server_url, "data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.context.route("**/*", handle)
    return refused


def test_presenter_mode_offline_has_large_type_and_no_developer_widgets(page: Page, app_url: str,
                                                                        tmp_path: Path) -> None:
    refused = offline(page, app_url)
    page.goto(f"{app_url}/?presenter=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Train a network", timeout=60_000)
    # Its settings (Start, or the results when another browser test trained this first setting already).
    expect(page.get_by_role("combobox", name="Model", exact=True)).to_be_visible()
    for hidden in ("Batch size", "Learning rate", "For developers"):
        expect(page.get_by_text(hidden, exact=True)).to_have_count(0)
    for shown in ("Training images", "Passes over the images"):
        expect(page.get_by_text(shown, exact=True)).to_be_visible()
    assert "epoch" not in page.get_by_test_id("stMain").inner_text().lower()
    assert "epoch" not in page.get_by_test_id("stSidebar").inner_text().lower()
    root_px = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root_px == PRESENTER_FONT_PX
    expect_no_traceback(page)
    screenshot(page, "presenter-train")
    # Streamlit drops ?presenter=1 on the way to another page; the session keeps presenting.
    go_to(page, "Draw & Upload")
    draw(page, SEVEN)
    expect(metric(page, "Prediction").first).to_have_text("7")
    wait_until_idle(page)
    upload_input(page).set_input_files(mnist_png(tmp_path / "three.png", "3"))
    expect(metric(page.locator("[class*=st-key-upload-card]"), "Prediction")).to_have_text("3")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == PRESENTER_FONT_PX
    expect_no_traceback(page)
    screenshot(page, "presenter-draw")
    assert refused == [], f"the app asked the internet for {refused}"


def test_normal_mode_shows_the_developer_widgets_folded_away(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_text("Training images", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Batch size", exact=True)).not_to_be_visible()
    page.get_by_role("button", name=re.compile("For developers")).click()
    for shown in ("Batch size", "Learning rate"):
        expect(page.get_by_text(shown, exact=True)).to_be_visible()


def test_a_deep_link_as_the_first_visit_opens_its_page_at_once(page: Page, fresh_server) -> None:
    """Streamlit's legacy pages/ mode once answered the first visit after a start with "Page not found"."""
    page.goto(f"{fresh_server.url}/draw-and-upload")
    answer = metric(page, "Prediction")
    deadline = time.monotonic() + FIRST_VISIT_SECONDS
    while not answer.count():  # watch the whole load: the message came and went within seconds
        assert "page not found" not in page.inner_text("body").lower()
        assert time.monotonic() < deadline, "the Draw & Upload page did not load"
        page.wait_for_timeout(100)
    expect(page.get_by_role("heading", level=1)).to_have_text("Draw & Upload")
    expect(answer).to_have_text("—")
    assert "page not found" not in page.inner_text("body").lower()
