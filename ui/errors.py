"""Errors in words, never a traceback: the one place pages turn exceptions into messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from mnist_core.errors import MnistStudioError
from ui import presenter
from ui.plain_text import plain

log = logging.getLogger(__name__)

DETAILS_LABEL = "Technical details (for developers)"
UNEXPECTED = ("Something went wrong on this page. Reload the page to try again; if it keeps happening, "
              "the technical details are in the server's log.")


@contextmanager
def shown_in_words() -> Iterator[None]:
    """Show a library error as st.error in its own (user-facing) words; log anything else and apologise.

    Streamlit's rerun and stop signals derive from BaseException and pass through.
    """
    try:
        yield
    except MnistStudioError as exc:
        st.error(plain(str(exc)))  # it may quote a file name the visitor chose
    except Exception:
        log.exception("unexpected error while drawing a page")
        st.error(UNEXPECTED)


def explain(message: str, details: str | None = None) -> None:
    """`message` in words for anyone; `details` (technical text) folded away below it, or, when presenting,
    left to the server's log."""
    st.error(message, icon=":material/error:")
    if details and not presenter.active():
        with st.expander(DETAILS_LABEL):
            st.code(details, language=None, wrap_lines=True)
