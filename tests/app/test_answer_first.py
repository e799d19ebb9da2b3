"""Answers go first: a page's work below its answer waits while another page reads a drawing (ui/draw_view)."""

from __future__ import annotations

import threading
import time

from ui import draw_view


def test_a_lone_page_never_waits():
    assert draw_view.after_answers(limit=1.0) < 0.05


def test_work_below_an_answer_waits_until_every_answer_being_read_has_been_shown():
    entered, leave = threading.Event(), threading.Event()

    def other_page() -> None:
        with draw_view.answering():
            entered.set()
            leave.wait(5)

    other = threading.Thread(target=other_page)
    other.start()
    entered.wait(5)
    waited: list[float] = []
    waiter = threading.Thread(target=lambda: waited.append(draw_view.after_answers(limit=5.0)))
    waiter.start()
    time.sleep(0.3)
    assert not waited, "it went ahead of an answer still being read"
    leave.set()
    other.join(5)
    waiter.join(5)
    assert 0.25 < waited[0] < 2.0, "released as soon as the other answer was shown"


def test_the_wait_is_bounded_and_an_answer_that_fails_still_releases_the_others():
    with draw_view.answering():
        started = time.monotonic()
        assert 0.15 <= draw_view.after_answers(limit=0.2) < 1.0
        assert time.monotonic() - started < 1.0
    try:
        with draw_view.answering():
            raise RuntimeError("the reading failed")
    except RuntimeError:
        pass
    assert draw_view.after_answers(limit=1.0) < 0.05
    with draw_view.answering(active=False):  # an empty canvas holds no one up
        assert draw_view.after_answers(limit=1.0) < 0.05


def test_streamlit_still_keeps_a_new_request_where_a_waiting_page_looks_for_it():
    """ui/draw_view._drawn_again reads a private field of Streamlit's: a rename must fail here, not slow pages."""
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

    requests = ScriptRequests()
    assert requests._state.name == "CONTINUE"
    requests.request_rerun(RerunData())
    assert requests._state.name == "RERUN"


def drawn_again_page():
    import streamlit as st

    from ui import draw_view

    st.session_state["seen"] = draw_view._drawn_again()


def test_a_page_not_asked_to_rerun_is_not_drawn_again():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(drawn_again_page).run()
    assert not at.exception and at.session_state["seen"] is False
