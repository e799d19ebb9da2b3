"""What one browser session remembers across pages: its chosen model, its latest digit, its name in the line.

Every page reads and writes these through the functions here. A view's own keys (its widgets, what it keeps
between its reruns) are constants in that view, each spelled once. Training jobs are deliberately NOT
session state: they live in the library's line, so a refresh or a second browser never duplicates one.
"""

from __future__ import annotations

import hashlib
import uuid

import numpy as np
import streamlit as st

MODEL_KEY = "model_path"  # the sidebar model picker's widget key: a model file path
DIGIT_KEY = "latest_digit"  # 28x28 float digit for the Inside page
DIGIT_SOURCES_KEY = "digit_sources"  # source name -> fingerprint of the digit it gave last
OWNER_KEY = "owner"  # a random name for this browser session: who asked for a training (mnist_core.training)


def owner() -> str:
    """This browser session's name for the training line: its share of the line and, on a public host, the
    trainings only it may stop. Random, made on first use, forgotten with the session (a reload is a new one)."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = uuid.uuid4().hex
    return st.session_state[OWNER_KEY]


def selected_model_path() -> str | None:
    return st.session_state.get(MODEL_KEY)


def choose_model(path: str) -> None:
    """Make `path` this session's model; usable as a button's on_click."""
    st.session_state[MODEL_KEY] = str(path)


def latest_digit() -> np.ndarray | None:
    return st.session_state.get(DIGIT_KEY)


def remember_digit(source: str, digit: np.ndarray) -> None:
    """Keep `digit` for the Inside page when `source` (the canvas, an upload) shows a new one.

    Reruns repeat every source's digit; only a change makes it the latest.
    """
    fingerprint = hashlib.sha1(np.ascontiguousarray(digit, dtype=np.float32).tobytes()).hexdigest()
    sources = st.session_state.setdefault(DIGIT_SOURCES_KEY, {})
    if sources.get(source) != fingerprint:
        sources[source] = fingerprint
        st.session_state[DIGIT_KEY] = np.asarray(digit, dtype=np.float32)
