"""Draw & Upload: write a digit with the mouse or upload pictures, and see what the model reads and how."""

import streamlit as st

from ui import answer_first, canvas_view, compare_view, draw_view, models, network_view, presenter, teach_view, upload_view

presenter.compact_top()  # the canvas, the answer and the network at work, in view at 1366x768
title_col, toggle_col = st.columns([3, 1], vertical_alignment="bottom")
title_col.title("Draw & Upload")
loaded = models.current()
if loaded is None:
    st.stop()
reader, stored = loaded

several = toggle_col.toggle("Several digits", key="several_digits", persist_state="session", on_change=canvas_view.clear_canvas,
                    help="Write a number, e.g. 2026: the canvas gets wider and each digit is read. "
                         "Switching starts a fresh drawing.")
# The wide canvas needs the whole width; the answer then goes below it. Otherwise the canvas column is just wide
# enough for the canvas at 1366x768, and the answer with its teaching controls gets the rest.
draw_col, answer_col = (st.container(), st.container()) if several else st.columns([0.8, 1.2], gap="medium")
answer_col = answer_col.container(key=draw_view.ANSWER_KEY)
if presenter.active():
    st.html(draw_view.ANSWER_STYLE)
with draw_col:
    drawing = canvas_view.canvas(several)
with answer_first.answering(drawing is not None):  # a crowd's answers go before anyone's comparison row
    prediction = answer_first.read(drawing, reader, several) if drawing is not None else None
    with answer_col:
        if prediction is None:
            st.metric("Prediction", "—")
            st.info("Draw a digit on the black canvas with your mouse, finger or pen. "
                    "The answer appears as soon as you lift the pen.", icon=":material/draw:")
        else:
            draw_view.answer(prediction)
            if not several:  # one digit per example
                teach_view.beside_answer(stored, drawing)
    if prediction is not None:  # in view with the canvas and the answer: what happens between the two
        network_view.for_prediction(reader.model, stored, prediction)
if prediction is not None:
    compare_view.show(prediction)  # the comparison row waits while other pages' answers are on their way
    answer_first.after_answers()
    with st.expander("How your drawing was prepared for the network", expanded=True):
        draw_view.steps(prediction)

st.header("Upload pictures")
files = st.file_uploader("Photos or scans of handwritten digits (one or several per picture)",
                         type=upload_view.UPLOAD_TYPES, accept_multiple_files=True,
                         max_upload_size=upload_view.MAX_UPLOAD_MB,
                         help=f"Up to {upload_view.MAX_UPLOAD_FILES} pictures at a time, "
                              f"{upload_view.MAX_UPLOAD_MB} MB each.")
if files:
    upload_view.uploads(files, stored)

teach_view.section(stored, None if several else drawing)  # one digit per example
