"""Answers go first: reading a drawing in a line, and letting other pages' later work wait for the answers.

Every browser session runs its page in a thread of this one process. A short line of readings, and the
comparison rows and pictures waiting while any page shows an answer, keep a classroom's answers quick
(bench --suite classroom, docs/benchmarks.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from mnist_core.inference import Reader
from mnist_core.prediction import Prediction, predict
from ui import state, streamlit_internals

# Drawings read at once in this server: the others wait their turn, roughly in order of arrival. Thirty pages
# sharing Python's lock all finished late together; a short line answers each sooner (bench --suite classroom).
READING_AT_ONCE = 2
_reading = threading.BoundedSemaphore(READING_AT_ONCE)
# Answers go first. A drawing's answer is what its person waits for; the comparison row and the pictures below
# it can come a moment later. While any page is reading a drawing or showing its answer, the other pages' work
# below their answer waits (at most ANSWER_FIRST_SECONDS, and never once its own person has drawn again), so a
# crowd's answers are not slowed down by everyone's comparisons (bench --suite classroom, docs/benchmarks.md).
ANSWER_FIRST_SECONDS = 2.0
_ANSWER_CHECK_SECONDS = 0.05  # how often a waiting page looks whether its own person has drawn again
_answers = threading.Condition()
_answers_pending = 0


@contextmanager
def answering(active: bool = True) -> Iterator[None]:
    """The block that reads this page's drawing and shows its answer: other pages' later work waits for it."""
    global _answers_pending
    if not active:
        yield
        return
    with _answers:
        _answers_pending += 1
    try:
        yield
    finally:
        with _answers:
            _answers_pending -= 1
            if not _answers_pending:
                _answers.notify_all()



def after_answers(limit: float = ANSWER_FIRST_SECONDS) -> float:
    """Wait until no page is reading a drawing or showing its answer (at most `limit` s); returns the wait.

    Called before each piece of work below the answer. A lone person never waits.
    """
    started = time.monotonic()
    deadline = started + limit
    with _answers:
        while _answers_pending and not streamlit_internals.rerun_requested():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            _answers.wait(min(remaining, _ANSWER_CHECK_SECONDS))
    return time.monotonic() - started


def read(image: np.ndarray, reader: Reader, several: bool) -> Prediction:
    """The canvas drawing through the library, remembered for the Inside page."""
    with _reading:
        prediction = predict(image, reader, name="Your drawing", multi=several)
    if prediction.preprocessed is not None and prediction.preprocessed.digits:
        state.remember_digit("canvas", prediction.preprocessed.digits[0])
    return prediction
