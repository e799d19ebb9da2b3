"""Your digit, every model: one drawing read by every bundled network, each metric under its plain name."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_steps import SEVEN, expect_no_traceback, go_to, metric, open_app, screenshot
from drawing_steps import draw_with_mouse
from mnist_core.models import ZOO
from mnist_core.paths import BUNDLED_DIR
from mnist_core.store import read_meta
from ui import compare_view

pytestmark = pytest.mark.e2e


def bundled_networks() -> list[str]:
    """The plain names of the zoo networks that ship with the app (models/*.keras)."""
    names = {read_meta(path).model for path in BUNDLED_DIR.glob("*.keras")}
    return [ZOO[name].plain_name for name in ZOO if name in names]


def test_a_drawn_seven_is_read_by_every_bundled_network(page: Page, app_url: str) -> None:
    networks = bundled_networks()
    assert len(networks) >= 5, "softmax, mlp, keras_cnn, fast and best ship with the app"
    open_app(page, app_url)
    go_to(page, "Draw & Upload")
    draw_with_mouse(page, SEVEN)
    expect(metric(page, "Prediction").first).to_have_text("7")
    heading = page.get_by_role("heading", name=compare_view.HEADING)
    expect(heading).to_be_visible()
    below = heading.bounding_box()["y"]
    for name in networks:
        reading = metric(page, name)
        expect(reading).to_have_text("7")  # a clear 7: every network from the template matcher up reads it
        assert reading.bounding_box()["y"] > below, f"{name}'s answer is not under the heading"
    expect_no_traceback(page)
    screenshot(page, "draw-every-model")
