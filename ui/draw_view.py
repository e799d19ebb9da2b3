"""The Draw & Upload page's parts: the canvas, the answer, the preprocessing steps, uploads.

Every reading goes through mnist_core.prediction.predict, so the page shows
exactly what the CLI would answer for the same image.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from mnist_core.imageio import MAX_BYTES
from mnist_core.prediction import Prediction, predict
from mnist_core.preprocess import Preprocessed
from mnist_core.store import StoredModel
from ui import charts, images, models, presenter, state

if TYPE_CHECKING:
    import keras

CANVAS_SIDE = 280  # pixels, 10x MNIST's 28
CANVAS_SIDE_PRESENTING = 400  # for the back of a room; the preprocessing reads any size the same way
PEN_KEY = "pen_width"
CANVAS_WIDE = 700  # room for several digits side by side
INK, PAPER = "#FFFFFF", "#000000"  # white on black, like MNIST itself (any polarity is read)
STROKE_WIDTHS = (8, 40, 22)  # min, max, default, in canvas pixels
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
MAX_UPLOAD_MB = MAX_BYTES // 2**20  # per file; also server.maxUploadSize in .streamlit/config.toml
MAX_UPLOAD_FILES = 12  # read per upload: bounds the time and memory one person's upload can take
SKIPPED_NAMES_SHOWN = 5
STEP_DISPLAY = 280  # pixels a side for each preprocessing step: the boxes must show on a projector
STEP_WIDE = 560  # the wide canvas's steps, side by side with nothing else
UPLOAD_COLUMNS = 3
MAX_DIGITS_SHOWN = 8  # 28x28 inputs shown for a drawn number
SMALL_MULTIPLES = 4  # per row: each digit's small chart stays readable
# The probability chart, small: no axis titles, two ticks, every digit labelled (Vega drops labels it finds too
# close, which left only the even digits in large type). One per digit of a number, one per network.
SMALL_PROBABILITIES = {**charts.PROBABILITIES, "height": 110,
                       "encoding": {**charts.PROBABILITIES["encoding"],
                                    "y": {**charts.PROBABILITIES["encoding"]["y"], "title": None,
                                          "axis": {"format": "%", "tickCount": 2}},
                                    "x": {**charts.PROBABILITIES["encoding"]["x"], "title": None,
                                          "axis": {"labelAngle": 0, "labelOverlap": False}}}}

# When there is no answer ("?"), the bars are only the forced choice: all grey (its favourite a darker grey), and
# the axis says so, beside the line "If it had to pick one of its ten answers: ...".
FORCED_CHOICE, FORCED_OTHERS = "#5F6B7A", "#C9D0D8"
_FORCED_ENCODING = {"color": {"condition": {"test": "datum.answer", "value": FORCED_CHOICE}, "value": FORCED_OTHERS}}
FORCED_PROBABILITIES = {**charts.PROBABILITIES,
                        "encoding": {**charts.PROBABILITIES["encoding"], **_FORCED_ENCODING,
                                     "y": {**charts.PROBABILITIES["encoding"]["y"], "title": "if it had to pick"}}}
# Beside the canvas, the chart is no taller than the canvas column: the network at work below both stays in view.
ANSWER_CHART_HEIGHT = 160
# So short a plot has little room for the y axis's title beside it: the line above the chart says "sure". The
# forced choice keeps its title, which tells that the bars are no answer.
_NO_Y_TITLE = {"y": {**charts.PROBABILITIES["encoding"]["y"], "title": None}}
_ANSWER_PADDING = {"top": 14, "left": 14, "right": 5, "bottom": 5}  # room for the top label, "100%", in large type
ANSWER_PROBABILITIES = {**charts.PROBABILITIES, "height": ANSWER_CHART_HEIGHT, "padding": _ANSWER_PADDING,
                        "encoding": {**charts.PROBABILITIES["encoding"], **_NO_Y_TITLE}}
ANSWER_FORCED = {**FORCED_PROBABILITIES, "height": ANSWER_CHART_HEIGHT, "padding": _ANSWER_PADDING}  # says "if it had to pick"
SMALL_FORCED = {**SMALL_PROBABILITIES, "encoding": {**SMALL_PROBABILITIES["encoding"], **_FORCED_ENCODING}}

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
ANSWER_KEY = "answer"
# When presenting, the answer is the largest thing on the page: the digit about 130 px tall at 1920x1080.
ANSWER_STYLE = f"""
<style>
.st-key-{ANSWER_KEY} [data-testid="stMetricValue"] {{ font-size: 7.5rem !important; line-height: 1.1 !important; }}
</style>
"""
# The canvas's own toolbar (export, undo, redo, edit, delete) is hidden: the page has its own Clear button, and
# the toolbar, invisible until hovered, lay over the canvas's top edge and swallowed strokes starting there (with
# presenting's larger type, the top 15% of the canvas). It lives in the component's shadow DOM, which the page's
# CSS cannot reach, so a script adds the rule there, also to a canvas mounted later (after Several digits).
HIDE_TOOLBAR = """
<script>
if (!window.mnistStudioCanvasToolbar) {
  window.mnistStudioCanvasToolbar = true;
  const hide = () => document.querySelectorAll(".st-key-canvas *").forEach((element) => {
    const root = element.shadowRoot;
    if (root && !root.querySelector("style[data-mnist-studio]")) {
      const style = document.createElement("style");
      style.setAttribute("data-mnist-studio", "");
      style.textContent = ".dc-toolbar { display: none !important; }";
      root.appendChild(style);
    }
  });
  hide();
  new MutationObserver(hide).observe(document.body, {childList: true, subtree: true});
  setInterval(hide, 250);  // the component attaches its shadow root after mounting, unseen by the observer
}
</script>
"""
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
    st.html(HIDE_TOOLBAR, unsafe_allow_javascript=True)
    side = canvas_side()
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


# Drawings read at once in this server: the others wait their turn, roughly in order of arrival. Thirty pages
# sharing Python's lock all finished late together; a short line answers each sooner (bench --suite classroom).
READING_AT_ONCE = 2
_reading = threading.BoundedSemaphore(READING_AT_ONCE)


# Answers go first. A drawing's answer is what its person waits for; the comparison row and the pictures below
# it can come a moment later. While any page is reading a drawing or showing its answer, the other pages' work
# below their answer waits (at most ANSWER_FIRST_SECONDS, and never once its own person has drawn again), so a
# crowd's answers are not slowed down by everyone's comparisons (bench --suite classroom, docs/benchmarks.md).
ANSWER_FIRST_SECONDS = 2.0
_ANSWER_CHECK_SECONDS = 0.05  # how often a waiting page looks whether its own person has drawn again
_answers = threading.Condition()
_answers_pending = 0


@contextmanager
def answering(active: bool = True) -> Iterator[None]:
    """The block that reads this page's drawing and shows its answer: other pages' later work waits for it."""
    global _answers_pending
    if not active:
        yield
        return
    with _answers:
        _answers_pending += 1
    try:
        yield
    finally:
        with _answers:
            _answers_pending -= 1
            if not _answers_pending:
                _answers.notify_all()


def _drawn_again() -> bool:
    """Has this page's person changed something since the run began (a new drawing, a click)?

    Streamlit stops a run for a newer one at its next element; a run that sleeps must look itself. It keeps
    the request in a private field: without it, a waiting page waits its full time (ANSWER_FIRST_SECONDS).
    """
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    requests = getattr(get_script_run_ctx(suppress_warning=True), "script_requests", None)
    if requests is None:  # not in a page's run (a test calling the helpers)
        return False
    state = getattr(requests, "_state", None)
    if state is None:
        _warn_once()
        return False
    return getattr(state, "name", "CONTINUE") != "CONTINUE"


_warned: list[str] = []  # said once per process


def _warn_once() -> None:
    if not _warned:
        _warned.append("ScriptRequests._state")
        logging.getLogger(__name__).warning(
            "Streamlit's ScriptRequests has no _state any more: a page waiting for other people's answers "
            "cannot see that its own person drew again, and waits up to %s s (ui/draw_view.after_answers).",
            ANSWER_FIRST_SECONDS)


def after_answers(limit: float = ANSWER_FIRST_SECONDS) -> float:
    """Wait until no page is reading a drawing or showing its answer (at most `limit` s); returns the wait.

    Called before each piece of work below the answer. A lone person never waits.
    """
    started = time.monotonic()
    deadline = started + limit
    with _answers:
        while _answers_pending and not _drawn_again():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            _answers.wait(min(remaining, _ANSWER_CHECK_SECONDS))
    return time.monotonic() - started


def read(image: np.ndarray, model: "keras.Model", several: bool) -> Prediction:
    """The canvas drawing through the library, remembered for the Inside page."""
    with _reading:
        prediction = predict(image, model, name="Your drawing", multi=several)
    if prediction.preprocessed is not None and prediction.preprocessed.digits:
        state.remember_digit("canvas", prediction.preprocessed.digits[0])
    return prediction


CALIBRATED_HELP = ("How sure the network is, checked on digits it never trained on: when it says 90%, "
                   "it is right about 9 times in 10.")


def answer(prediction: Prediction) -> None:
    """The big answer and how sure it is; or why there is none, with the network's forced choice.

    One digit's chart stands beside the answer instead of under it: the teaching controls under them and
    the network at work below them all stay in view (1366x768, and 1920x1080 when presenting)."""
    single = len(prediction.readings) <= 1
    words, chart = st.columns([1, 1.6], gap="small") if single else (st.container(), st.container())
    with words:
        _answer_words(prediction)
    only_forced = bool(prediction.error)  # no answer: the bars are only its forced choice, and look it
    if not single:
        several_charts(prediction, only_forced)
    elif prediction.probabilities is not None:
        chart.vega_lite_chart(charts.probabilities_frame(prediction.probabilities),
                              charts.sized(ANSWER_FORCED if only_forced else ANSWER_PROBABILITIES), width="stretch")


def _answer_words(prediction: Prediction) -> None:
    st.metric("Prediction", prediction.digits or "?",
              help="The digit (or digits, left to right) the network reads. " + CALIBRATED_HELP)
    if prediction.digits and len(prediction.readings) == 1:
        reading = prediction.readings[0]
        first, second = np.argsort(reading.probabilities)[::-1][:2]
        sure = percent(reading.probabilities[first])
        st.markdown(f"{sure[0].upper() + sure[1:]} sure. Second choice **{second}** "
                    f"({percent(reading.probabilities[second])}).", help=CALIBRATED_HELP)
    elif prediction.digits:
        least = percent(prediction.confidence)
        said = least[0].upper() + least[1:] if least[0].isalpha() else f"At least {least}"  # "More than 99%"
        st.markdown(f"{said} sure of every digit.", help=CALIBRATED_HELP)
    if prediction.error:
        st.warning(prediction.error, icon=":material/help:")
    if prediction.error and prediction.readings:
        forced = "".join(str(reading.digit) for reading in prediction.readings)
        st.caption(f"If it had to pick one of its ten answers: **{forced}**. The network only knows the digits "
                   "0 to 9, so it always has a favourite, even for a letter or a doodle.")


def several_charts(prediction: Prediction, forced: bool = False) -> None:
    """Each digit of a number with its own small chart of the ten probabilities, left to right (greyed: forced)."""
    readings = prediction.readings[:MAX_DIGITS_SHOWN]
    st.caption("If it had to pick, how sure it would be of each digit, left to right:" if forced
               else "How sure it is of each digit, left to right:")
    for start in range(0, len(readings), SMALL_MULTIPLES):
        row = readings[start:start + SMALL_MULTIPLES]
        for number, (column, reading) in enumerate(zip(st.columns(SMALL_MULTIPLES), row), start=start + 1):
            with column:
                st.markdown(f"Digit {number}: **{reading.digit}** ({percent(reading.confidence)})")
                st.vega_lite_chart(charts.probabilities_frame(reading.probabilities),
                                   charts.sized(SMALL_FORCED if forced else SMALL_PROBABILITIES), width="stretch")


def percent(probability: float) -> str:
    """A calibrated probability as people say it: "99%", never "100%" unless it is, "less than 1%" for tiny ones."""
    if 0.995 <= probability < 1.0:
        return "more than 99%"
    if 0.0 < probability < 0.005:
        return "less than 1%"
    return f"{probability:.0%}"


def telling_steps(steps: list) -> list:
    """The preprocessing steps worth a picture: those that changed something, input only when it helps.

    A step that left the picture (nearly) as it was is skipped. The input itself is shown only when a step
    after it changed the picture; otherwise the picture with the boxes around the digits already shows it.
    A drawing on the canvas then needs two pictures: the digits found, and how the network gets them.
    """
    changed = [step for step in steps if getattr(step, "changed", True)]
    if len(changed) > 1 and changed[0] is steps[0] and changed[1].image.ndim == 3:
        changed = changed[1:]  # next comes the input again, with boxes around the digits
    return changed


# Step pictures never wider than where they are shown: an upload's card (about 240 px at 1366x768) or a phone (the
# 560 px pictures of a number slid the whole page sideways). They shrink there, keeping their square pixels.
STEPS_STYLE = """
<style>
[class*="st-key-steps-"] [data-testid="stImageContainer"] { max-width: 100%; }
[class*="st-key-steps-"] [data-testid="stImage"] img { max-width: 100%; height: auto; }
</style>
"""


def steps(prediction: Prediction, key: str = "canvas") -> None:
    """How the picture became what the network reads, in the few steps that changed something (`key` names this
    picture's steps on the page: the canvas, or an upload)."""
    prepared = prediction.preprocessed
    if prepared is None or not prepared.steps:
        return
    with st.container(key=f"steps-{key}"):
        _steps(prepared)


def _steps(prepared: Preprocessed) -> None:
    st.html(STEPS_STYLE)
    shown = telling_steps(prepared.steps)
    if prepared.digits:
        st.markdown("Before reading, the picture is made to look like the digits the network learned from: "
                    "a white digit on black, centred in a square of 28 x 28 pixels.")
    wide = any(step.image.shape[1] > 1.5 * step.image.shape[0] for step in shown)  # a number or a wide photo
    width = STEP_WIDE if wide else STEP_DISPLAY
    st.image([images.enlarge(step.image, width) if max(step.image.shape[:2]) < width else step.image
              for step in shown],
             caption=[f"{number}. {step.caption}" for number, step in enumerate(shown, start=1)], width=width)


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
    names = ", ".join(upload.name for upload in skipped[:SKIPPED_NAMES_SHOWN])
    more = len(skipped) - SKIPPED_NAMES_SHOWN
    names += f" and {more} more" if more > 0 else ""
    return (f"You uploaded {total} pictures; only the first {MAX_UPLOAD_FILES} are read at a time, so that the "
            f"app stays quick for everyone using it. Skipped: {names}. To read those, remove some pictures "
            "above (the x next to each) and upload the rest again.")


def upload_card(file_id: str, prediction: Prediction) -> None:
    st.markdown(f"**{prediction.file}**")
    prepared = prediction.preprocessed
    if prediction.digits is None:
        st.error(prediction.error or "This file could not be read.", icon=":material/error:")
        if prepared is not None and prepared.steps:
            st.image(prepared.steps[0].image, caption="The picture as uploaded", width="stretch")
        return
    state.remember_digit(f"upload:{file_id}", prepared.digits[0])
    # The last colour picture among the steps is the input with a box around each digit found.
    boxed = next(step for step in reversed(prepared.steps) if step.image.ndim == 3)
    st.image(boxed.image, caption=boxed.caption, width="stretch")
    st.metric("Prediction", prediction.digits, help="Left to right, when the picture holds several digits.")
    st.caption(f"{percent(prediction.confidence)} sure", help=CALIBRATED_HELP)
    with st.expander("How it was read"):
        steps(prediction, key=file_id)
