"""The sidebar every page shares: which model reads the digits, and where it came from."""

from __future__ import annotations

import streamlit as st

from mnist_core.models import ZOO
from ui import models, own_model_view, state


# A picker cannot wrap its text, so the sidebar is wide enough for a model's plain name, its accuracy and
# when it was trained (e.g. "Quick learner (ours) · 98.7% · today at 12:55"); rem-based, so presenting widens it too.
STYLE = """
<style>
section[data-testid="stSidebar"][data-collapsed="false"] {
  width: min(24rem, 100vw) !important; min-width: min(24rem, 100vw) !important;
}
</style>
"""


RIGHT_LABEL = "Test digits read right"  # plain words; the Train page says "Right on the 10,000 test digits" of its run


def render() -> None:
    """Let this session pick the bundled model or any model trained so far, and describe it."""
    choices = models.available_models()
    with st.sidebar:
        st.html(STYLE)
        st.header("Model in use")
        if not choices.models:
            st.error(models.no_model_message(choices.bundled_problem))
            return
        paths = [str(model.path) for model in choices.models]
        if state.selected_model_path() not in paths:
            state.choose_model(paths[0])
        st.selectbox("Read digits with", paths, key=state.MODEL_KEY,
                     format_func=lambda path: models.label(choices.find(path)),
                     help="The models that come with the app, or any model trained on the Train page.")
        chosen = choices.find(state.selected_model_path())
        accuracy = chosen.meta.test_accuracy
        spec = ZOO.get(chosen.meta.model)
        st.metric(RIGHT_LABEL, f"{accuracy:.2%}" if accuracy is not None else "unknown",
                  help="Share of the 10,000 test digits, which it never learned from, that this model reads right.")
        st.markdown(f"**{spec.plain_name if spec else chosen.meta.model or chosen.path.stem}**")
        st.caption(models.origin(chosen))
        own_model_view.section()
        if choices.bundled_problem:
            st.warning(f"The model that ships with the app is missing or damaged. "
                       f"To restore it, run `{models.FIX_BUNDLED}`.")
