"""Inside the model: what the network's layers have learned, and what they see in one digit."""

import streamlit as st

from mnist_core import inspect
from ui import confidence_view, inside_view, models

st.title("Inside the model")
loaded = models.current()
if loaded is None:
    st.stop()
model, stored = loaded

digit = inside_view.pick_digit()
inside_view.overview(model, digit)

st.header("The layers, from input to answer")
inside_view.layers(model)

if inspect.conv_layer_names(model):
    st.header("What the convolution layers learned")
    inside_view.conv_layers(model, digit, stored)
else:
    st.header("What the first layer looks for")
    inside_view.templates(model)

with st.expander(confidence_view.HEADING):
    confidence_view.honesty(stored)
