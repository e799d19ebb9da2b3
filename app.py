"""MNIST Studio: watch a neural network learn to read handwriting, then try it.

Run with `streamlit run app.py`. This file only sets up the pages and the
shared sidebar; each page is a short script under pages/.
"""

from pathlib import Path

import streamlit as st

from ui import errors, runtime, sidebar

HERE = Path(__file__).parent
# URL paths differ from the file names on purpose: Streamlit's legacy pages/ folder mode (which AppTest
# re-enables on every run) would otherwise run a page file directly, without this script around it.
PAGES = (
    ("pages/train.py", "Train", ":material/model_training:", "training"),
    ("pages/draw.py", "Draw & Upload", ":material/draw:", "draw-and-upload"),
    ("pages/inside.py", "Inside the model", ":material/visibility:", "inside-the-model"),
)


def run() -> None:
    st.set_page_config(page_title="MNIST Studio", page_icon=":material/edit_note:", layout="wide")
    runtime.keep_keras_state()  # training jobs share this process with the pages
    page = st.navigation([st.Page(HERE / path, title=title, icon=icon, url_path=url)
                          for path, title, icon, url in PAGES])
    with errors.shown_in_words():
        sidebar.render()
    with errors.shown_in_words():
        page.run()


if __name__ == "__main__":
    run()
