"""Five people on one server at once: drawing and uploading while one training job runs.

The job is a long one (all 55,000 training images, several epochs) that the person who
started it stops once everyone has been answered: so the answers are known to
have come while it ran, on a machine of any speed, and the test stays short.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_steps import (ONE, SEVEN, ZERO, choose_settings, draw, expect_no_traceback, finished, go_to, metric,
                           mnist_png, open_app, screenshot, upload_input, wait_until_idle)
from mnist_core.data import NUM_FIT
from mnist_core.paths import models_dir
from mnist_core.training import TrainConfig

pytestmark = pytest.mark.e2e

SESSIONS = 5
ANSWER_MS = 90_000  # five sessions, a training job and other people's work on two cores
JOB = dict(model="fast", epochs=3, limit=None)  # ~700 steps: minutes on a CPU, stopped well before its end
ALL_IMAGES = f"all {NUM_FIT:,}"
DRAWINGS = ((ONE, "1"), (SEVEN, "7"), (ZERO, "0"), (ONE, "1"), (SEVEN, "7"))
UPLOADS = ("3", "4", "2", "7", "427")  # first test-set digits with these labels: each session its own picture


def model_picker(page: Page):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Read digits with")


def pick_model(page: Page, label: re.Pattern) -> None:
    model_picker(page).click()
    page.get_by_role("option", name=label).first.click()
    expect(model_picker(page)).to_have_value(label)


def upload_card(page: Page, name: str):
    return page.locator("[class*=st-key-upload-card]").filter(has_text=name)


def test_five_sessions_are_answered_while_one_job_trains(new_page, server, tmp_path: Path) -> None:
    config = TrainConfig.for_model(**JOB)
    models_before = set(models_dir().glob("*.keras"))
    log_start = server.log.stat().st_size
    pages = [new_page() for _ in range(SESSIONS)]
    trainer, joiner, *others = pages

    # One person starts the job.
    open_app(trainer, server.url)
    choose_settings(trainer, ALL_IMAGES, epochs=JOB["epochs"])
    trainer.get_by_role("button", name=re.compile("Start training")).click()
    expect(trainer.get_by_test_id("stProgress")).to_contain_text(f"of {config.total_steps:,}", timeout=ANSWER_MS)

    # A second asks for the same settings and follows that job; the rest are told it is running.
    for page in (joiner, *others):
        open_app(page, server.url)
    choose_settings(joiner, ALL_IMAGES, epochs=JOB["epochs"])
    expect(joiner.get_by_test_id("stProgress")).to_contain_text(f"of {config.total_steps:,}", timeout=ANSWER_MS)
    expect(joiner.get_by_role("button", name=re.compile("Start training"))).to_have_count(0)
    for page in others:  # their own (default) settings differ: one job at a time, theirs would wait
        expect(page.get_by_text("Another training is running")).to_be_visible(timeout=ANSWER_MS)
    screenshot(others[0], "five-sessions-another-is-running")

    # Everyone draws, then everyone uploads, without waiting for one another.
    pictures = [mnist_png(tmp_path / f"upload-{labels}.png", labels) for labels in UPLOADS]
    for page in pages:
        go_to(page, "Draw & Upload")
    for page, (strokes, _) in zip(pages, DRAWINGS):
        draw(page, strokes)
    # Each page's upload waits for its drawing's answer and the end of that run: a file set while the page
    # reruns can be dropped.
    for page, (_, digit) in zip(pages, DRAWINGS):
        expect(metric(page, "Prediction").first).to_have_text(digit, timeout=ANSWER_MS)
        wait_until_idle(page, ANSWER_MS)
    for page, picture in zip(pages, pictures):
        upload_input(page).set_input_files(picture)
    for page, picture, labels in zip(pages, pictures, UPLOADS):
        expect(metric(upload_card(page, picture.name), "Prediction")).to_have_text(labels, timeout=ANSWER_MS)
    screenshot(others[-1], "five-sessions-answered")
    assert not config.model_path().exists(), "every answer came while the job was still training"

    # The job is stopped; both who follow it see the one result.
    go_to(trainer, "Train")
    trainer.get_by_role("button", name=re.compile("Stop")).click()
    finished(trainer)
    expect(trainer.get_by_text(re.compile("stopped after")).first).to_be_visible()
    go_to(joiner, "Train")
    finished(joiner)
    accuracy = metric(trainer, "Right on the 10,000 test digits").inner_text()
    expect(metric(joiner, "Right on the 10,000 test digits")).to_have_text(accuracy)
    stopped = config.model_path(stopped=True)
    assert set(models_dir().glob("*.keras")) - models_before == {stopped}, "exactly one job trained"

    # Switching models is each session's own business.
    trained, bundled = re.compile(r"^Quick learner.*stopped early"), re.compile(r"^Best reader \(ours\) · [\d.]+%$")
    for page in (trainer, joiner):
        page.get_by_role("button", name=re.compile("Use this model")).click()
        expect(model_picker(page)).to_have_value(trained)
    pick_model(trainer, bundled)
    for page in pages[1:]:
        go_to(page, "Draw & Upload")  # a fresh run of the page: it would show a changed choice
        expect(model_picker(page)).to_have_value(trained if page is joiner else bundled)
    expect(model_picker(trainer)).to_have_value(bundled)

    for page in pages:
        expect_no_traceback(page)
    assert "Traceback" not in server.log_since(log_start)
