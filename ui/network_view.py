"""The network at work on the current drawing, beside the answer: its input, each layer, its ten outputs.

Left to right, as the digit travels: every stage is one picture in a box of the same shape, with an arrow
from the stage before, so the row reads as one path from pen to answer. A map is bright where its layer
found what it looks for; "Look closer" says what one map or detector looks for, with the test digits that
light it up most (the Inside page goes deeper).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np
import streamlit as st

from mnist_core import inspection, layer_trace
from mnist_core.data import load_mnist
from mnist_core.layer_trace import Stage
from mnist_core.prediction import Prediction
from ui import images, inside_view, presenter

if TYPE_CHECKING:
    import keras

    from mnist_core.store import StoredModel

BOX = (180, 220)  # width, height of every stage's picture, in pixels: equal columns then line up
PRESENTING_WIDTH = 160  # pixels per stage when presenting: the row stays under the canvas at 1920x1080
ARROW = 16  # pixels on the left of a stage's box for the arrow from the stage before
PAD = 4  # pixels around a stage's content inside its box
CELL_GAP = 1  # pixels between the maps of a stage
PAPER, ARROW_COLOUR, GAP_COLOUR = (255, 255, 255), (120, 130, 145), (205, 210, 218)
BAR, BAR_ANSWER, BAR_TEXT = (150, 160, 175), (0, 66, 184), (40, 40, 40)
HIGHLIGHT = images.HIGHLIGHT
SEARCH_IMAGES = layer_trace.PATTERN_SEARCH_IMAGES
EXAMPLE_DISPLAY = 84  # pixels a side per favourite test digit
FOCUS_DISPLAY = 168  # pixels a side for the chosen map over the drawing
ROW_KEY = "network"  # the row's container: browser tests find its pictures by it
STAGES_KEY = "network-stages"  # the pictures' columns alone, under the heading
# On a phone, three stages a row: Streamlit stacks columns at 640 px and less (one tall column of pictures), and its
# wrap=False keeps them so wide that the row scrolls sideways even on a laptop.
ROW_STYLE = f"""
<style>
@media (max-width: 640px) {{
  .st-key-{STAGES_KEY} [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap !important; }}
  .st-key-{STAGES_KEY} [data-testid="stColumn"] {{ min-width: 0 !important; flex: 0 0 calc(33.3% - 1rem) !important; }}
}}
</style>
"""
LOOK_KEY = "network_look"  # the "Look closer" button
LAYER_KEY, MAP_KEY = "network_look_layer", "network_look_map_{}"
FIELD_COLOUR = (255, 196, 0)
HELP = ("Your drawing travels from left to right. Each picture is one part of the network: a bright square "
        "means that part found what it looks for there. The last picture is the answer: how sure it is of each "
        "digit.")


def _grid_shape(count: int, side: int, width: int, height: int) -> tuple[int, int, int]:
    """(columns, rows, cell) laying `count` squares of `side` pixels out in a width x height box, cells largest."""
    best = (1, count, 0)
    for columns in range(1, count + 1):
        rows = -(-count // columns)
        cell = min((width - (columns - 1) * CELL_GAP) // columns, (height - (rows - 1) * CELL_GAP) // rows)
        if cell > best[2]:
            best = (columns, rows, cell)
    return best


def _fit(picture: np.ndarray, cell: int) -> np.ndarray:
    """A picture scaled to `cell` pixels a side: hard pixels when enlarged, averaged when shrunk."""
    method = cv2.INTER_NEAREST if cell >= picture.shape[0] else cv2.INTER_AREA
    return cv2.resize(picture, (cell, cell), interpolation=method)


def _tiles(pictures: list[np.ndarray], width: int, height: int, highlight: int | None) -> np.ndarray:
    """RGB pictures (each square) in the grid that makes them largest in width x height; `highlight` framed."""
    columns, rows, cell = _grid_shape(len(pictures), pictures[0].shape[0], width, height)
    cell = max(cell, 2)
    sheet = np.full((rows * (cell + CELL_GAP) - CELL_GAP, columns * (cell + CELL_GAP) - CELL_GAP, 3), GAP_COLOUR,
                    np.uint8)
    empty = rows * columns - len(pictures)
    if empty:  # the last row's unused cells: paper, not gaps
        sheet[-cell:, sheet.shape[1] - empty * (cell + CELL_GAP):] = PAPER
    for index, picture in enumerate(pictures):
        top, left = (index // columns) * (cell + CELL_GAP), (index % columns) * (cell + CELL_GAP)
        sheet[top:top + cell, left:left + cell] = _fit(picture, cell)
        if index == highlight:
            frame = max(1, cell // 8)
            cv2.rectangle(sheet, (left, top), (left + cell - 1, top + cell - 1), HIGHLIGHT, frame)
    return sheet


def _boxed(content: np.ndarray, arrow: bool) -> np.ndarray:
    """`content` centred in the stage box, with an arrow on its left from the stage before."""
    width, height = BOX
    box = np.full((height, width, 3), PAPER, np.uint8)
    inner_w = width - ARROW - 2 * PAD
    scale = min(inner_w / content.shape[1], (height - 2 * PAD) / content.shape[0], 1.0)
    if scale < 1.0:
        content = cv2.resize(content, (max(1, int(content.shape[1] * scale)), max(1, int(content.shape[0] * scale))),
                             interpolation=cv2.INTER_AREA)
    top = (height - content.shape[0]) // 2
    left = ARROW + PAD + (inner_w - content.shape[1]) // 2
    box[top:top + content.shape[0], left:left + content.shape[1]] = content
    if arrow:
        middle = height // 2
        cv2.line(box, (1, middle), (ARROW - 5, middle), ARROW_COLOUR, 3)
        tip = np.array([[ARROW - 2, middle], [ARROW - 8, middle - 6], [ARROW - 8, middle + 6]], np.int32)
        cv2.fillConvexPoly(box, tip, ARROW_COLOUR)
    return box


def stage_picture(stage: Stage, highlight: int | None = None, arrow: bool = True) -> np.ndarray:
    """One stage as a picture in its box: the input, a layer's maps or detectors (bright: strong), or, for a
    network that reads pixels straight into scores, the ink counting for (red) and against (blue) each digit."""
    width, height = BOX[0] - ARROW - 2 * PAD, BOX[1] - 2 * PAD
    if stage.kind == "input":
        side = min(width, height)
        content = images.rgb(_fit(images.grey(stage.values, 1.0), side))
    elif stage.kind == "maps":
        top = float(stage.values.max()) or 1.0  # one scale for the layer: a dim map really answered weakly
        content = _tiles([images.rgb(images.grey(m, top)) for m in stage.values], width, height, highlight)
    elif stage.kind == "units":
        top = float(stage.values.max()) or 1.0
        cells = [np.full((1, 1, 3), images.grey(np.array([v]), top)[0], np.uint8) for v in stage.values]
        content = _tiles(cells, width, height, highlight)
    else:
        scale = float(np.abs(stage.values).max()) or 1.0
        content = _tiles([images.signed(m, scale) for m in stage.values], width, height, highlight)
    return _boxed(content, arrow)


def outputs_picture(probabilities: np.ndarray, answer: int | None) -> np.ndarray:
    """The ten outputs as bars from 0 (top) to 9, the answer's bar in blue: how sure it is of each digit."""
    width, height = BOX[0] - ARROW - 2 * PAD, BOX[1] - 2 * PAD
    content = np.full((height, width, 3), PAPER, np.uint8)
    row = height / 10
    label = 22  # pixels for the digit before each bar
    for digit, value in enumerate(np.asarray(probabilities, dtype=float)):
        top = int(digit * row)
        colour = BAR_ANSWER if digit == answer else BAR
        length = int(round((width - label) * float(np.clip(value, 0.0, 1.0))))
        cv2.rectangle(content, (label, top + 2), (label + max(length, 1), int(top + row) - 3), colour, -1)
        cv2.putText(content, str(digit), (4, int(top + row * 0.8)), cv2.FONT_HERSHEY_SIMPLEX, row / 30, BAR_TEXT,
                    1 if row < 20 else 2, cv2.LINE_AA)
    return _boxed(content, arrow=True)


def _field(model: "keras.Model", stage: Stage) -> int:
    """How many input pixels across one spot of a conv stage sees (the whole digit for a detector)."""
    if stage.kind != "maps":
        return layer_trace.DIGIT_SHAPE[0]
    try:
        return inspection.receptive_field(model, stage.layer).size
    except Exception:  # noqa: BLE001 - a foreign layer type: call it the whole digit rather than fail the row
        return layer_trace.DIGIT_SHAPE[0]


def caption(model: "keras.Model", stage: Stage) -> str:
    """One short line under a stage's picture, in plain words."""
    if stage.kind == "input":
        return "**In**: 28 x 28 grey squares"
    if stage.kind == "evidence":
        return "**Ten scores**: red where ink counts for a digit"
    if stage.kind == "units":
        return f"**Layer {stage.number}**: {stage.count:,} whole-digit detectors"
    what, _ = inside_view.finds(_field(model, stage))
    return f"**Layer {stage.number}**: {what}"


OUTPUTS_CAPTION = "**Out**: how sure, per digit"


def for_prediction(model: "keras.Model", stored: "StoredModel", prediction: Prediction) -> None:
    """The row for the drawing's (first) digit; nothing when no digit was found in it."""
    prepared = prediction.preprocessed
    if prepared is None or not prepared.digits or not prediction.readings:
        return
    several = len(prediction.readings) > 1
    show(model, stored, prepared.digits[0], np.asarray(prediction.readings[0].probabilities), prediction.digit,
         note=f", for digit 1 of {len(prediction.readings)}" if several else "")


def show(model: "keras.Model", stored: "StoredModel", digit: np.ndarray, probabilities: np.ndarray,
         answer: int | None, note: str = "") -> None:
    """The row from input to answer for `digit` (28x28 in [0, 1]); `answer` None when it says "not a digit"."""
    traced = layer_trace.stages(model, digit)
    with st.container(key=ROW_KEY):
        _row(model, stored, traced, probabilities, answer, note)


def _row(model: "keras.Model", stored: "StoredModel", traced: list[Stage], probabilities: np.ndarray,
         answer: int | None, note: str) -> None:
    heading, closer = st.columns([3, 1], vertical_alignment="center")
    heading.markdown(f"**The network at work**, left to right{note}", help=HELP)
    st.html(ROW_STYLE)
    columns = st.container(key=STAGES_KEY).columns(len(traced) + 1, gap="small")
    width = PRESENTING_WIDTH if presenter.active() else "stretch"
    for column, stage in zip(columns, traced):
        column.image(stage_picture(stage, stage.strongest(), arrow=stage.kind != "input"), width=width)
        column.caption(caption(model, stage))
    columns[-1].image(outputs_picture(probabilities, answer), width=width)
    columns[-1].caption(OUTPUTS_CAPTION)
    with closer:
        look_closer(model, stored, traced)


@st.cache_data(max_entries=64, show_spinner=False)
def _favourites(path: str, sha256: str, layer: str, index: int, _model: "keras.Model") -> layer_trace.Favourites:
    """Once per model version and map for the whole server: it reads a couple of thousand test digits."""
    return layer_trace.favourites(_model, layer, index, load_mnist().x_test[:SEARCH_IMAGES])


def _example(model: "keras.Model", stage: Stage, image: np.ndarray, position: np.ndarray | None) -> np.ndarray:
    """One favourite test digit, enlarged, the patch the map looked at outlined."""
    picture = images.rgb(_fit(images.grey(image, 1.0), EXAMPLE_DISPLAY))
    if position is None:
        return picture
    field = inspection.receptive_field(model, stage.layer)
    scale = EXAMPLE_DISPLAY / layer_trace.DIGIT_SHAPE[0]
    top = int((field.jump * position[0] + field.offset) * scale)
    left = int((field.jump * position[1] + field.offset) * scale)
    size = int(field.size * scale)
    cv2.rectangle(picture, (max(left, 0), max(top, 0)),
                  (min(left + size, EXAMPLE_DISPLAY) - 1, min(top + size, EXAMPLE_DISPLAY) - 1), FIELD_COLOUR, 2)
    return picture


def look_closer(model: "keras.Model", stored: "StoredModel", traced: list[Stage]) -> None:
    """A button that opens "Look closer" in a dialog: in the middle of the screen at any size (a popover under
    the row opened below the bottom edge at 1366x768)."""
    if st.button("Look closer", icon=":material/zoom_in:", type="tertiary", key=LOOK_KEY,
                 help="Choose one map: see where it lights up on your drawing, and what it looks for."):
        _look_closer(model, stored, traced)


@st.dialog("Look closer at one part of the network", width="large")
def _look_closer(model: "keras.Model", stored: "StoredModel", traced: list[Stage]) -> None:
    """Choose one map or detector: where it lights up on the drawing, and what it looks for (by example)."""
    layers = [stage for stage in traced if stage.kind != "input"]
    names = {stage.layer: stage for stage in layers}
    layer = st.segmented_control("Part of the network", list(names), default=layers[0].layer, key=LAYER_KEY,
                                 format_func=lambda name: _stage_name(names[name]))
    stage = names.get(layer or layers[0].layer, layers[0])
    noun = "digit" if stage.kind == "evidence" else "map" if stage.kind == "maps" else "detector"
    if stage.kind == "evidence":
        index = st.select_slider("Digit", list(range(10)), value=stage.strongest(), key=MAP_KEY.format(layer))
    else:
        index = st.number_input(f"Which {noun} (1 to {stage.count:,}); it starts at the brightest",
                                1, stage.count, stage.strongest() + 1, key=MAP_KEY.format(layer)) - 1
    focus(model, stored, stage, int(index))


def _stage_name(stage: Stage) -> str:
    return "Ten scores" if stage.kind == "evidence" else f"Layer {stage.number}"


def focus(model: "keras.Model", stored: "StoredModel", stage: Stage, index: int) -> None:
    """One map (or detector, or digit score) on the drawing, and the test digits that light it up most."""
    if stage.kind == "evidence":
        weights = inspection.dense_templates(model)[index]
        st.image([images.enlarge(images.signed(stage.values[index]), FOCUS_DISPLAY),
                  images.enlarge(images.signed(weights), FOCUS_DISPLAY)],
                 caption=[f"Your ink laid over what it expects of a {index}", f"What it expects of a {index}"],
                 width=FOCUS_DISPLAY)
        st.caption(f"Red counts for {index}, blue against it: the digit whose red your ink covers most wins.")
        return
    found = _favourites(str(stored.path), stored.meta.sha256, stage.layer, index, model)
    positions = found.positions if found.positions is not None else [None] * len(found.images)
    examples = [_example(model, stage, image, position) for image, position in zip(found.images, positions)]
    mine_col, examples_col = st.columns([1, 2], gap="medium")  # side by side: all of it in view at 1366x768
    if stage.kind == "maps":
        mine = images.rgb(_fit(images.grey(stage.values[index], float(stage.values.max()) or 1.0), FOCUS_DISPLAY))
        mine_col.image(mine, caption=f"Map {index + 1} on your drawing: bright where it found its pattern",
                       width=FOCUS_DISPLAY)
        what, _ = inside_view.finds(_field(model, stage))
        said = (f"Map {index + 1} of layer {stage.number} looks for {what}. Here are the {len(examples)} test "
                f"digits (of {SEARCH_IMAGES:,}) that light it up most, the spot it saw outlined.")
    else:
        strength = stage.values[index] / (float(found.strengths[0]) or 1.0)
        said = (f"Detector {index + 1} of layer {stage.number} weighs the whole digit. Your drawing sets it off "
                f"{min(strength, 1.0):.0%} as strongly as the test digit it likes most. Here are the "
                f"{len(examples)} test digits (of {SEARCH_IMAGES:,}) that set it off most.")
    mine_col.markdown(said)
    examples_col.image(images.tile(examples, 3 if len(examples) <= 9 else 5, EXAMPLE_DISPLAY), width="content")

