"""MNIST Studio: watch a neural network learn to read handwriting, then try it.

Run with `streamlit run app.py`. This file only sets up the pages and the
shared sidebar; each page is a short script under app_pages/.
"""

import sys
from pathlib import Path

import streamlit as st

from mnist_core import malloc, training
from ui import errors, images, presenter, runtime, sidebar, state

HERE = Path(__file__).parent
# Every browser session runs its page in a thread of this one process, beside a training's thread. A page
# hands Python's lock to the others around each image operation and, by default, waits up to 5 ms to get it
# back, dozens of times per drawing: with 10 people drawing during a training, a drawing's answer came in
# 1.9 s (median) instead of 0.95 s at 1 ms (bench --suite classroom, docs/benchmarks.md "Classroom load").
SWITCH_SECONDS = 0.001
# The folder is not called pages/: Streamlit takes a pages/ folder beside the entry script for its legacy
# multipage mode, which served the first visit after a server start on its own and showed "Page not found"
# for a deep link such as /draw-and-upload before this script's navigation took over.
PAGES = (
    ("app_pages/train.py", "Train", ":material/model_training:", "training"),
    ("app_pages/draw.py", "Draw & Upload", ":material/draw:", "draw-and-upload"),
    ("app_pages/inside.py", "Inside the model", ":material/visibility:", "inside-the-model"),
)


def run() -> None:
    sys.setswitchinterval(SWITCH_SECONDS)  # process-wide; cheap to repeat on every run
    malloc.limit_arenas()  # once, before the first page loads TensorFlow: less memory kept per thread
    # Presenting starts with the sidebar folded away: the page gets the whole projector (the model choice is
    # one click away, behind the sidebar's button).
    st.set_page_config(page_title="MNIST Studio", page_icon=images.app_icon(), layout="wide",
                       initial_sidebar_state="collapsed" if presenter.active() else "auto")
    runtime.keep_keras_state()  # training jobs share this process with the pages
    presenter.apply_style()  # larger type when presenting (see ui/presenter.py)
    pages = [st.Page(HERE / path, title=title, icon=icon, url_path=url) for path, title, icon, url in PAGES]
    # Streamlit serves the first page at "/" only: its own path is kept by a hidden twin, so a link to
    # /training opens the Train page like every other page's link opens that page.
    path, title, icon, url = PAGES[0]
    pages[0] = st.Page(HERE / path, title=title, icon=icon, url_path=f"{url}-home", default=True)
    twin = st.Page(HERE / path, title=title, icon=icon, url_path=url, visibility="hidden")
    page = st.navigation([*pages, twin])
    with errors.shown_in_words():
        sidebar.render()
    # Every training this page asks for counts as this browser session's (a share of the line: mnist_core.training).
    with errors.shown_in_words(), training.asked_by(state.owner()):
        page.run()


if __name__ == "__main__":
    run()
