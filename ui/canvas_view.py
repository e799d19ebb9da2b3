"""The Draw page's canvas: drawing with the mouse, a finger or a pen, its controls, and Clear.

The drawing is kept in the session, so it comes back after a visit to another page; a drawing from before
Clear that the canvas still sends is ignored.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui import presenter

CANVAS_SIDE = 280  # pixels, 10x MNIST's 28
CANVAS_SIDE_PRESENTING = 400  # for the back of a room; the preprocessing reads any size the same way
PEN_KEY = "pen_width"
CANVAS_WIDE = 700  # room for several digits side by side
INK, PAPER = "#FFFFFF", "#000000"  # white on black, like MNIST itself (any polarity is read)
STROKE_WIDTHS = (8, 40, 22)  # min, max, default, in canvas pixels
# Session keys of the canvas. The last drawing is kept, so it comes back after a visit to another page.
CANVAS_KEY = "canvas"
DRAWING_KEY = "canvas_drawing"  # Fabric.js JSON of the last drawing
IMAGE_KEY = "canvas_image"  # RGBA array of the last drawing
SEED_KEY = "canvas_seed"  # the drawing the canvas shows when it is (re)loaded
CLEARS_KEY = "canvas_clears"  # how often Clear was pressed
# Clear was pressed: the drawing the canvas held then (Fabric.js JSON). Until the canvas sends anything else, that
# drawing is stale and ignored. Only that exact drawing: a canvas reloaded at another size (Several digits
# switched) never sends an empty drawing first, and whatever it sends next is new.
STALE_KEY = "canvas_stale"


# The canvas element is the container the zoom rules below measure. On a phone the columns stack: a little room
# between them. (The space above the title is presenter.compact_top's.)
CANVAS_STYLE = """
<style>
.st-key-canvas { width: 100%; container-type: inline-size; }
@media (max-width: 640px) { [data-testid="stHorizontalBlock"] { row-gap: 1rem; } }
</style>
"""
# The canvas's own toolbar (export, undo, redo, edit, delete) is hidden: the page has its own Clear button, and
# the toolbar, invisible until hovered, lay over the canvas's top edge and swallowed strokes starting there (with
# presenting's larger type, the top 15% of the canvas). It lives in the component's shadow DOM (a private class of
# streamlit-drawable-canvas, which has no option for it), which the page's CSS cannot reach, so a script adds the
# rule there. The shadow root is attached a moment after the canvas mounts: the script looks for it on each
# animation frame for at most a few seconds, and runs again whenever the canvas is mounted anew (its size is
# part of the script, so a new size is a new script). No observer or timer is left running.
HIDE_TOOLBAR = """
<script>
/* canvas {width} x {height} */
(() => {{
  const started = performance.now();
  const hide = () => {{
    let found = false;
    document.querySelectorAll(".st-key-canvas *").forEach((element) => {{
      const root = element.shadowRoot;
      if (!root) return;
      found = true;
      if (!root.querySelector("style[data-mnist-studio]")) {{
        const style = document.createElement("style");
        style.setAttribute("data-mnist-studio", "");
        style.textContent = ".dc-toolbar {{ display: none !important; }}";
        root.appendChild(style);
      }}
    }});
    if (!found && performance.now() - started < {seconds} * 1000) requestAnimationFrame(hide);
  }};
  hide();
}})();
</script>
"""
TOOLBAR_SEARCH_SECONDS = 10  # a first visit on a busy machine mounts the canvas seconds after the script runs


def hide_toolbar(width: int, height: int) -> str:
    """The script that hides the toolbar of a canvas of this size (see HIDE_TOOLBAR)."""
    return HIDE_TOOLBAR.format(width=width, height=height, seconds=TOOLBAR_SEARCH_SECONDS)


WIDE_ZOOMS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4)  # the wide canvas on a narrow screen: the largest that fits


def wide_canvas_style(width: int = CANVAS_WIDE) -> str:
    """CSS that shows a canvas `width` pixels wide smaller wherever less room is left, so all of it can be reached.

    Container queries pick the largest zoom that fits the canvas's column (a phone: about half size). The
    drawing is still recorded in canvas pixels, so every screen sends the network the same picture.
    """
    rules, previous = [], 1.0
    for zoom in WIDE_ZOOMS:  # each rule applies where the zoom before it would not fit; later ones win
        narrower = f"@container (max-width: {width * previous - 0.5:g}px)"
        rules.append(f"{narrower} {{ .st-key-canvas > * {{ zoom: {zoom}; }} }}")
        previous = zoom
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def clear_canvas() -> None:
    """Wipe the drawing: a new, empty initial drawing makes the canvas reload itself empty."""
    clears = st.session_state.get(CLEARS_KEY, 0) + 1
    st.session_state[CLEARS_KEY] = clears
    st.session_state[SEED_KEY] = {"objects": [], "clears": clears}  # the count makes each Clear a new value
    st.session_state[STALE_KEY] = _objects(_sent_drawing() or st.session_state.get(DRAWING_KEY))
    for key in (DRAWING_KEY, IMAGE_KEY):
        st.session_state.pop(key, None)


def _sent_drawing() -> dict | None:
    """The drawing the canvas sent last, as Streamlit holds it now (in a callback: newer than the last run saw)."""
    try:
        value = st.session_state.get(CANVAS_KEY)
    except Exception:  # noqa: BLE001 - Streamlit may refuse to show a component's value; the kept copy will do
        return None
    drawing = value.get("drawing") if hasattr(value, "get") else None
    return drawing.get("raw") if hasattr(drawing, "get") else None


def _objects(drawing: dict | None) -> list:
    """The strokes of a Fabric.js drawing (none for no drawing)."""
    return list((drawing or {}).get("objects") or [])


def canvas_side() -> int:
    """The square canvas's side: larger when presenting, for the back of the room."""
    return CANVAS_SIDE_PRESENTING if presenter.active() else CANVAS_SIDE


def canvas(several: bool) -> np.ndarray | None:
    """The drawing canvas with its controls under it; returns the drawing as RGBA, or None while it is empty.

    Clear and the pen width sit under the canvas, in one row of buttons: above it, or as a slider, they pushed
    the network at work (below the canvas and the answer) out of view at 1366x768."""
    from streamlit_drawable_canvas import st_canvas  # a Streamlit component: only importable in a running app

    st.html(CANVAS_STYLE + (wide_canvas_style() if several else ""))
    side = canvas_side()
    st.html(hide_toolbar(CANVAS_WIDE if several else side, side), unsafe_allow_javascript=True)
    if CANVAS_KEY not in st.session_state:  # mounting after a page switch: bring back the last drawing
        st.session_state[SEED_KEY] = st.session_state.get(DRAWING_KEY)
    low, high, default = STROKE_WIDTHS
    stroke = st.session_state.get(PEN_KEY, default)
    result = st_canvas(stroke_width=stroke, stroke_color=INK, background_color=PAPER, update_streamlit=True,
                       height=side, width=CANVAS_WIDE if several else side, drawing_mode="freedraw",
                       initial_drawing=st.session_state.get(SEED_KEY), return_image_data=True, key=CANVAS_KEY)
    with st.container(horizontal=True):
        st.button("Clear", icon=":material/ink_eraser:", on_click=clear_canvas)
        st.popover("Pen width", icon=":material/line_weight:").slider(
            "Pen width", low, high, default, key=PEN_KEY, persist_state="session", width=CANVAS_SIDE)
    drawing, image = result.json_data or {}, result.image_data
    stale = st.session_state.get(STALE_KEY)
    if stale is not None:
        if stale and _objects(drawing) == stale:
            return None  # the drawing from before Clear, still held or on its way: ignore it
        st.session_state[STALE_KEY] = None  # the canvas sent something else: from now on every drawing counts
    if image is not None:
        st.session_state[DRAWING_KEY], st.session_state[IMAGE_KEY] = drawing, image
    else:  # the reloaded canvas has not sent its picture yet: use the one we kept
        image = st.session_state.get(IMAGE_KEY)
    objects = (st.session_state.get(DRAWING_KEY) or {}).get("objects", [])
    return image if objects and image is not None else None
