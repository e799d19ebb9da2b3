"""Inside the model: what the network does with one digit, step by step from input to answer."""

import streamlit as st

from mnist_core import inspection
from ui import confidence_view, inside_view, models, presenter

presenter.compact_top()  # the digit, its answer and where it looks, in view at 1366x768
st.title("Inside the model")
loaded = models.current()
if loaded is None:
    st.stop()
reader, stored = loaded
model = reader.model

digit = inside_view.pick_digit()
scores = inside_view.overview(reader, digit, stored)

with st.expander("The layers, from input to answer"):
    inside_view.layer_table(model)

st.subheader("Your digit, step by step")
st.caption("Open a step to see what that part of the network makes of your digit.")
if inspection.conv_layer_names(model):
    inside_view.conv_steps(model, digit, stored)
else:
    inside_view.dense_steps(model, digit)
inside_view.answer_step(scores)

with st.expander(confidence_view.HEADING):
    confidence_view.honesty(stored)

if not presenter.active():
    with st.expander("Details for developers"):
        inside_view.details(model)
