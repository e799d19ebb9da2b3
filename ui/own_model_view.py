"""Bring your own model: a visitor uploads a .keras file and reads their drawings with it, in this browser only.

The library checks it (safe mode, size, 28 x 28 x 1 in, ten probabilities out) and tunes its confidence on the
held-out training images before it answers; any problem is said in words and the current model stays in use.
"""

from __future__ import annotations

import secrets

import streamlit as st

from mnist_core import own_model
from mnist_core.errors import MnistStudioError
from ui import models
from ui.plain_text import plain

UPLOAD_KEY = "own_model_upload"
DONE_KEY = "own_model_done"  # the upload already handled: a rerun never checks the same file twice
PROBLEM_KEY = "own_model_problem"


def section() -> None:
    """An uploader in the sidebar, folded away: most visitors never need it."""
    with st.expander("Use your own model"):
        upload = st.file_uploader("A Keras model (.keras) that reads a 28 x 28 digit", type=["keras"],
                                  key=UPLOAD_KEY, max_upload_size=own_model.MAX_BYTES // 2**20,
                                  help="Made with Keras 3 from its own layers: one 28 x 28 x 1 picture in (pixels "
                                       "0 to 1), ten probabilities out. It is used in this browser only.")
        problem = st.session_state.get(PROBLEM_KEY)
        if problem and upload is not None:
            st.error(plain(problem), icon=":material/error:")
        if upload is None or st.session_state.get(DONE_KEY) == upload.file_id:
            return
        st.session_state[DONE_KEY] = upload.file_id
        with st.spinner("Checking your model and tuning how sure it is on 5,000 digits…"):
            try:
                stored = own_model.store_upload(upload.getvalue(), upload.name,
                                                models.session_folder() / f"own-{secrets.token_hex(4)}")
            except MnistStudioError as exc:
                st.session_state[PROBLEM_KEY] = str(exc)
                st.rerun()
        st.session_state.pop(PROBLEM_KEY, None)
        models.add_session_model(stored)
        st.rerun()
