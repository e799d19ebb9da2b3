"""The Draw page's canvas between reruns: what Clear and the Several digits switch ignore, and what they must not.

The real canvas is a browser component; here a stand-in sends what the browser would (Fabric.js JSON and the
picture), so the page's own canvas(), clear_canvas() and the Several digits toggle run as in the app.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui import canvas_view

WIDE_NUMBER = {"objects": [{"type": "path", "path": [["M", 60, 60], ["L", 120, 200]]},
                           {"type": "path", "path": [["M", 300, 60], ["L", 360, 200]]}]}
THREE = {"objects": [{"type": "path", "path": [["M", 80, 60], ["L", 190, 60], ["L", 130, 135], ["L", 80, 225]]}]}


def canvas_page():
    """The Draw page's canvas and Several digits switch, with the browser's canvas replaced by what it sends."""
    import base64
    import io

    import numpy as np
    import streamlit as st
    import streamlit_drawable_canvas
    from PIL import Image

    from ui import canvas_view

    def sent(**arguments):
        drawing = st.session_state.get("browser_sends")  # what the browser's canvas holds now
        if drawing is None:
            return streamlit_drawable_canvas.CanvasResult(arguments.get("initial_drawing"), None, True)
        picture = np.zeros((arguments["height"], arguments["width"], 4), np.uint8)
        picture[..., 3] = 255
        picture[60:200, 80:190] = 255
        buffer = io.BytesIO()
        Image.fromarray(picture).save(buffer, format="PNG")
        url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
        return streamlit_drawable_canvas.CanvasResult(drawing, url, True)

    several = st.toggle("Several digits", key="several_digits", on_change=canvas_view.clear_canvas)
    real, streamlit_drawable_canvas.st_canvas = streamlit_drawable_canvas.st_canvas, sent
    try:
        drawing = canvas_view.canvas(several)
    finally:
        streamlit_drawable_canvas.st_canvas = real
    st.metric("Drawing read", "none" if drawing is None else f"{drawing.shape[1]} wide")


def read(at: AppTest) -> str:
    assert not at.exception, at.exception
    return next(metric.value for metric in at.metric if metric.label == "Drawing read")


def test_a_digit_drawn_after_switching_several_digits_off_is_read():
    """Issue #11 item 5: the answer refreshes when Several digits changes, without pressing Clear."""
    at = AppTest.from_function(canvas_page, default_timeout=60)
    at.session_state["several_digits"] = True
    at.session_state["browser_sends"] = WIDE_NUMBER
    assert read(at.run()) == f"{canvas_view.CANVAS_WIDE} wide"
    # Switching off reloads the canvas at its square size; the browser still holds the wide drawing until the
    # person draws again, and never sends an empty drawing in between.
    at.toggle(key="several_digits").set_value(False)
    assert read(at.run()) == "none", "the wide drawing from before the switch must not be read"
    at.session_state["browser_sends"] = THREE
    assert read(at.run()) == f"{canvas_view.CANVAS_SIDE} wide", "the digit drawn afterwards must be read"


def test_after_clear_the_old_drawing_is_ignored_until_the_canvas_sends_something_new():
    at = AppTest.from_function(canvas_page, default_timeout=60)
    at.session_state["browser_sends"] = THREE
    assert read(at.run()) == f"{canvas_view.CANVAS_SIDE} wide"
    at.button[0].click()  # Clear
    assert read(at.run()) == "none", "the drawing from before Clear, still held by the browser"
    at.session_state["browser_sends"] = {"objects": []}  # the canvas reloaded empty
    assert read(at.run()) == "none"
    at.session_state["browser_sends"] = THREE  # the same digit drawn again is a new drawing
    assert read(at.run()) == f"{canvas_view.CANVAS_SIDE} wide"
