"""Answers go first: a page's work below its answer waits while another page reads a drawing (ui/draw_view)."""

from __future__ import annotations

import threading
import time

from ui import answer_first


def test_a_lone_page_never_waits():
    assert answer_first.after_answers(limit=1.0) < 0.05


def test_work_below_an_answer_waits_until_every_answer_being_read_has_been_shown():
    entered, leave = threading.Event(), threading.Event()

    def other_page() -> None:
        with answer_first.answering():
            entered.set()
            leave.wait(5)

    other = threading.Thread(target=other_page)
    other.start()
    entered.wait(5)
    waited: list[float] = []
    waiter = threading.Thread(target=lambda: waited.append(answer_first.after_answers(limit=5.0)))
    waiter.start()
    time.sleep(0.3)
    assert not waited, "it went ahead of an answer still being read"
    leave.set()
    other.join(5)
    waiter.join(5)
    assert 0.25 < waited[0] < 2.0, "released as soon as the other answer was shown"


def test_the_wait_is_bounded_and_an_answer_that_fails_still_releases_the_others():
    with answer_first.answering():
        started = time.monotonic()
        assert 0.15 <= answer_first.after_answers(limit=0.2) < 1.0
        assert time.monotonic() - started < 1.0
    try:
        with answer_first.answering():
            raise RuntimeError("the reading failed")
    except RuntimeError:
        pass
    assert answer_first.after_answers(limit=1.0) < 0.05
    with answer_first.answering(active=False):  # an empty canvas holds no one up
        assert answer_first.after_answers(limit=1.0) < 0.05

