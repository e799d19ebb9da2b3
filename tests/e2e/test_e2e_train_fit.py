"""The Train page fits a presenter's screens: nothing cut short at 1366x768, the results' charts readable at 1920x1080.

A presenter opens the Train page on a laptop (1366x768, presenting: larger type, the sidebar folded away) and
trains the page's first setting, the quick learner's own recipe: its results show the most numbers (the run's,
ours beside it, the time to 99% and the training time), the row a narrow screen cut first ("99.11%", "99.0%").
Then the room's projector (1920x1080) shows the same result: the confusion matrix labels all ten digits on both
axes and every count stays inside its cell. Screenshots (the viewport only) go to artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_steps import CUT_TEXT, TRAINING_DONE_MS, expect_no_traceback, finished
from test_e2e_train_story import LAPTOP, PROJECTOR, open_at, shot

pytestmark = pytest.mark.e2e

# The confusion matrix's counts that spill out of their cells (a count's box against the cell under its centre).
COUNTS_OUTSIDE = """chart => {
  const cells = [...chart.querySelectorAll('g.mark-rect.role-mark path')].map(p => p.getBoundingClientRect());
  return [...chart.querySelectorAll('g.mark-text.role-mark text')].filter(t => {
    const b = t.getBoundingClientRect(), x = b.x + b.width / 2, y = b.y + b.height / 2;
    const cell = cells.find(c => c.left <= x && x <= c.right && c.top <= y && y <= c.bottom);
    return !cell || b.left < cell.left || b.right > cell.right || b.top < cell.top - 3 || b.bottom > cell.bottom + 3;
  }).map(t => t.textContent); }"""
# The axis labels Vega shows: one it drops for overlapping another stays in the page, with opacity 0.
AXIS_LABELS = """chart => [...chart.querySelectorAll('g.role-axis-label text')]
  .filter(t => t.getAttribute('opacity') !== '0' && getComputedStyle(t).opacity !== '0').map(t => t.textContent)"""
DIGITS = [str(digit) for digit in range(10)]


def nothing_cut(page: Page, moment: str) -> None:
    page.wait_for_timeout(500)  # a rerun's elements settle into their columns
    assert page.evaluate(CUT_TEXT) == [], f"cut short {moment}"


def confusion_matrix(page: Page):
    """The results' chart that holds the matrix (the live chart, drawn first, has no rectangles)."""
    matrix = page.get_by_test_id("stVegaLiteChart").filter(has=page.locator("g.mark-rect"))
    expect(matrix).to_have_count(1, timeout=60_000)
    matrix.scroll_into_view_if_needed()
    expect(matrix.locator("g.mark-text.role-mark text")).to_have_count(100)
    return matrix


def matrix_is_readable(page: Page, name: str) -> None:
    matrix = confusion_matrix(page)
    page.wait_for_timeout(1000)  # Vega sizes the chart to its column, then draws it again
    shot(page, name)
    labels = matrix.evaluate(AXIS_LABELS)
    assert sorted(label for label in labels if label in DIGITS) == sorted(DIGITS * 2), f"axis labels: {labels}"
    assert matrix.evaluate(COUNTS_OUTSIDE) == [], "counts spill out of their cells"


def test_the_train_page_fits_a_laptop_when_presenting_before_during_and_after_a_training(browser, app_url: str):
    page = open_at(browser, app_url, LAPTOP, presenter=True)  # the quick learner's own recipe, as it opens
    start = page.get_by_role("button", name=re.compile("Start training"))
    expect(start).to_be_visible()
    expect(page.get_by_role("combobox", name="Model", exact=True)).to_have_value("Quick learner (ours)")
    nothing_cut(page, "before Start")
    shot(page, "fit-1366-presenter-before")
    page.get_by_text("Slow motion", exact=True).click()  # off: the real run is enough here (saves 15 s)
    expect(page.get_by_role("switch", name="Slow motion")).not_to_be_checked()
    start.click()
    progress = page.get_by_test_id("stProgress")
    expect(progress.or_(page.get_by_role("button", name=re.compile("Use this model")))).to_be_visible(
        timeout=TRAINING_DONE_MS)
    if progress.count():
        nothing_cut(page, "while it trains")
        shot(page, "fit-1366-presenter-training")
    finished(page)
    expect(page.get_by_text(re.compile("Training finished"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Mistakes: [\d,]+ of 10,000"))).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetricDelta")).to_contain_text(re.compile(r"[+-]\d+\.\d\d points vs ours"))
    nothing_cut(page, "after the training")
    shot(page, "fit-1366-presenter-results")
    matrix_is_readable(page, "fit-1366-presenter-matrix")
    # Train again asks first: the popover says what it does, and nothing happens until its button is pressed.
    page.get_by_role("button", name=re.compile("Train again from scratch")).click()
    expect(page.get_by_text("This forgets the result of these settings")).to_be_visible()
    expect(page.get_by_role("button", name="Forget it and train again")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name=re.compile("Use this model"))).to_be_visible()
    expect_no_traceback(page)

    # The same result on the projector, as a second browser sees it: served from the first run.
    projector = open_at(browser, app_url, PROJECTOR, presenter=True)
    expect(projector.get_by_text(re.compile(r"Mistakes: [\d,]+ of 10,000"))).to_be_visible(timeout=60_000)
    nothing_cut(projector, "on the projector")
    matrix_is_readable(projector, "fit-1920-presenter-matrix")
    expect_no_traceback(projector)
