"""Uploads on the Draw page: each picture read through the library, one card each, bad files explained.

Every reading goes through mnist_core.prediction.predict, so a card shows exactly what the CLI answers.
"""

from __future__ import annotations

import streamlit as st

from mnist_core.imageio import MAX_BYTES
from mnist_core.prediction import Prediction, predict
from mnist_core.store import StoredModel
from ui import draw_view, models, state
from ui.plain_text import plain

UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
MAX_UPLOAD_MB = MAX_BYTES // 2**20  # per file; also server.maxUploadSize in .streamlit/config.toml
MAX_UPLOAD_FILES = 12  # read per upload: bounds the time and memory one person's upload can take
SKIPPED_NAMES_SHOWN = 5
UPLOAD_COLUMNS = 3


@st.cache_data(max_entries=64, show_spinner=False)
def _read_upload(data: bytes, name: str, path: str, sha256: str, _stored: StoredModel) -> Prediction:
    return predict(data, models.load(_stored), name=name, multi=True)


def read_upload(data: bytes, name: str, stored: StoredModel) -> Prediction:
    """One uploaded file through the library, computed once per file and model."""
    return _read_upload(data, name, str(stored.path), stored.meta.sha256, stored)


def uploads(files: list, stored: StoredModel) -> None:
    """Each uploaded file with its reading, or its problem in words; one bad file never hides the others.

    Only the first MAX_UPLOAD_FILES are read, and the page says which were skipped and why.
    """
    if len(files) > MAX_UPLOAD_FILES:
        st.warning(skipped_message(files[MAX_UPLOAD_FILES:], len(files)), icon=":material/filter_list:")
        files = files[:MAX_UPLOAD_FILES]
    columns = st.columns(UPLOAD_COLUMNS)
    for index, upload in enumerate(files):
        prediction = read_upload(upload.getvalue(), upload.name, stored)
        with columns[index % UPLOAD_COLUMNS].container(border=True, key=f"upload-card-{index}"):
            upload_card(upload.file_id, prediction)


def skipped_message(skipped: list, total: int) -> str:
    """Which files beyond the cap were left unread, in words."""
    names = ", ".join(plain(upload.name) for upload in skipped[:SKIPPED_NAMES_SHOWN])
    more = len(skipped) - SKIPPED_NAMES_SHOWN
    names += f" and {more} more" if more > 0 else ""
    return (f"You uploaded {total} pictures; only the first {MAX_UPLOAD_FILES} are read at a time, so that the "
            f"app stays quick for everyone using it. Skipped: {names}. To read those, remove some pictures "
            "above (the x next to each) and upload the rest again.")


def upload_card(file_id: str, prediction: Prediction) -> None:
    st.markdown(f"**{plain(prediction.file)}**")
    prepared = prediction.preprocessed
    if prediction.digits is None:
        st.error(plain(prediction.error or "This file could not be read."), icon=":material/error:")
        if prepared is not None and prepared.steps:
            st.image(prepared.steps[0].image, caption="The picture as uploaded", width="stretch")
        return
    state.remember_digit(f"upload:{file_id}", prepared.digits[0])
    # The last colour picture among the steps is the input with a box around each digit found.
    boxed = next(step for step in reversed(prepared.steps) if step.image.ndim == 3)
    st.image(boxed.image, caption=boxed.caption, width="stretch")
    st.metric("Prediction", prediction.digits, help="Left to right, when the picture holds several digits.")
    st.caption(f"{draw_view.percent(prediction.confidence)} sure", help=draw_view.CALIBRATED_HELP)
    with st.expander("How it was read"):
        draw_view.steps(prediction, key=file_id)
