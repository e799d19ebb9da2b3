"""Presenter mode: larger type and no developer widgets, for a talk in front of a projector.

On for the whole server with MNIST_STUDIO_PRESENTER=1 (what `bash scripts/app.sh --presenter` sets), or
for one browser with ?presenter=1 in the address (?presenter=0 turns it off again). The choice from the
address is kept for the session, since Streamlit drops query parameters when the page changes.
"""

from __future__ import annotations

import os

import streamlit as st

ENV_VAR = "MNIST_STUDIO_PRESENTER"
QUERY_PARAM = "presenter"
SESSION_KEY = "presenter_mode"
ON = ("1", "true", "yes", "on")

# Larger type for the back row (rem-based sizes follow the root size), and no Streamlit menu to wander into.
STYLE = """
<style>
html { font-size: 24px !important; }
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"], [data-testid="stStatusWidget"] { display: none; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
</style>
"""

# For pages whose moment must be in view without scrolling (1366x768, 1920x1080 when presenting): less empty
# space above and below the title. With the sidebar folded away (a phone, presenting, or a presenter making room)
# Streamlit's header turns opaque and holds the button that brings the sidebar back: the title then starts
# below the header instead of under it.
COMPACT_TOP = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem !important; padding-bottom: 2rem !important; }
[data-testid="stMainBlockContainer"] h1 { padding: 0 0 0.2rem 0 !important; }
.stApp:has([data-testid="stExpandSidebarButton"]) [data-testid="stMainBlockContainer"] {
  padding-top: 4.25rem !important;
}
</style>
"""


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() in ON


def active() -> bool:
    """Whether this session presents: its address said so, else the server's setting."""
    if QUERY_PARAM in st.query_params:
        st.session_state[SESSION_KEY] = _on(st.query_params[QUERY_PARAM])
    return st.session_state.get(SESSION_KEY, _on(os.environ.get(ENV_VAR)))


def apply_style() -> None:
    """Enlarge the type on this page when presenting (call once per script run)."""
    if active():
        st.html(STYLE)


def compact_top() -> None:
    """Less space above and below the page's title (call once per script run, on the pages that need it)."""
    st.html(COMPACT_TOP)
