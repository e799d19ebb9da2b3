"""The Draw & Upload page's answer: the digit, how sure it is, its chart, and the preprocessing steps.

The canvas is ui/canvas_view, the reading line ui/answer_first, the uploads ui/upload_view.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from mnist_core.prediction import Prediction
from mnist_core.preprocess import Preprocessed
from ui import charts, images
from ui.plain_text import plain

STEP_DISPLAY = 280  # pixels a side for each preprocessing step: the boxes must show on a projector
STEP_WIDE = 560  # the wide canvas's steps, side by side with nothing else
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
# Its words stand above the chart (FORCED_WORDS), not up its y axis: a 160 px axis cut "if it had to pick" short
# when presenting.
ANSWER_FORCED = {**ANSWER_PROBABILITIES, "encoding": {**ANSWER_PROBABILITIES["encoding"], **_FORCED_ENCODING}}
FORCED_WORDS = "If it had to pick:"
SMALL_FORCED = {**SMALL_PROBABILITIES, "encoding": {**SMALL_PROBABILITIES["encoding"], **_FORCED_ENCODING}}
ANSWER_KEY = "answer"
# When presenting, the answer is the largest thing on the page: the digit about 130 px tall at 1920x1080.
ANSWER_STYLE = f"""
<style>
.st-key-{ANSWER_KEY} [data-testid="stMetricValue"] {{ font-size: 7.5rem !important; line-height: 1.1 !important; }}
</style>
"""
CALIBRATED_HELP = ("How sure the network is, checked on digits it never trained on: when it says 90%, "
                   "it is right about 9 times in 10.")


def answer(prediction: Prediction) -> None:
    """The big answer and how sure it is; or why there is none, with the network's forced choice.

    One digit's chart stands beside the answer instead of under it: the teaching controls under them and
    the network at work below them all stay in view (1366x768, and 1920x1080 when presenting). Why there is no
    answer spans both: in the answer's narrow column it ran to eleven lines at 1366x768."""
    single = len(prediction.readings) <= 1
    words, chart = st.columns([1, 1.6], gap="small") if single else (st.container(), st.container())
    with words:
        _answer_words(prediction)
    only_forced = bool(prediction.error)  # no answer: the bars are only its forced choice, and look it
    if not single:
        several_charts(prediction, only_forced)
    elif prediction.probabilities is not None:
        if only_forced:
            chart.caption(FORCED_WORDS)
        chart.vega_lite_chart(charts.probabilities_frame(prediction.probabilities),
                              charts.sized(ANSWER_FORCED if only_forced else ANSWER_PROBABILITIES), width="stretch")
    with st.container() if single else words:  # under both columns; above several digits' charts
        _no_answer_words(prediction)


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


def _no_answer_words(prediction: Prediction) -> None:
    """Why there is no answer, and the forced choice it would have made."""
    if prediction.error:
        st.warning(plain(prediction.error), icon=":material/help:")
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
