"""Errors in words, never a traceback: the one place pages turn exceptions into messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from mnist_core.errors import MnistStudioError

log = logging.getLogger(__name__)

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
        st.error(str(exc))
    except Exception:
        log.exception("unexpected error while drawing a page")
        st.error(UNEXPECTED)
