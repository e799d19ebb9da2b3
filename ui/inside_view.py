"""The Inside page's parts: the digit under study, its answer and attention, the layers in a table, and one
step per part of the network from input to answer: what it finds in the digit, and what it looks for.

Every step is a collapsed expander that computes its pictures only when opened (on_change="rerun"), so the
page stays short and quick; every picture comes with one sentence on what to look for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from mnist_core import inspection
from mnist_core.digit_check import not_a_digit
from mnist_core.inference import Reader
from ui import charts, draw_view, images, presenter, state

if TYPE_CHECKING:
    import keras

    from mnist_core.store import StoredModel

YOURS, TEST = "Your latest digit", "A digit from the test set"
TOP_CHANNELS = 4  # filters (or detectors) highlighted per layer: the ones the digit excites most
TOP_DETECTORS = 8  # the mlp's hidden units shown large: the ones the digit excites most
MAP_DISPLAY = 64  # pixels a side per activation map
TEMPLATE_DISPLAY = 112  # pixels a side per template of a dense network (28 x 4)
SMALL_TEMPLATE = 28  # pixels a side per template in the sheet of all the mlp's hidden units
TEMPLATE_COLUMNS = 25  # ... 20 rows of 25 for 500 units
PATCH_DISPLAY = 35  # pixels a side per test patch, at least (larger patches keep 2 screen pixels per pixel)
PATCH_COLUMNS = 3  # patches per row inside one filter's cell (9 patches: 3 x 3)
CELL_COLUMNS = 4  # filters per row of the patch sheet (about 700 px: shown at full size)
CELL_GAP = 12  # pixels between filters' cells: wider than the gaps inside a cell
FIELD_COLOUR = (255, 196, 0)  # the outline of the receptive field inside a patch shown with context
DIGIT_DISPLAY_PRESENTING = 28 * 9  # pixels a side for the digit and where it looks, for the back row
OVERVIEW_KEY = "inside-overview"
OVERVIEW_COLUMNS = [1.2, 1.6, 1.2]  # at 1366x768 the side columns are 207 px: room for a 196 px picture
# The digit and where it looks never grow wider than their column (at 1366x768 a 196 px picture overflowed
# it and touched the "Prediction" beside it); their pixels stay square when the browser shrinks them.
OVERVIEW_STYLE = f"""
<style>
.st-key-{OVERVIEW_KEY} [data-testid="stImageContainer"] {{ max-width: 100%; }}
.st-key-{OVERVIEW_KEY} [data-testid="stImage"] img {{ max-width: 100%; height: auto; image-rendering: pixelated; }}
</style>
"""
# The layer table names each layer by what it does; the layers that learn patterns are numbered as the steps below
# ("layer 1" is the step "Layer 1 of 5"). Keras names such as "conv1_bn" mean nothing to the audience.
KIND_NAMES = {"InputLayer": "input", "Cropping2D": "crop", "BatchNormalization": "rescale", "ReLU": "keep positives",
              "MaxPooling2D": "shrink", "GlobalAveragePooling2D": "average", "Flatten": "line up"}
STEP_KEY = "inside_step_{}"  # session key of each step's expander (open or closed), per layer name
ALL_KEY = "inside_all_{}"  # session key of each step's "every filter" toggle

# What a conv layer finds, by how much of the digit one of its units sees (its receptive field, in pixels).
FINDS = (
    (5, "tiny bits of stroke",
     "Look for: each filter lights up along one kind of edge or one direction of stroke."),
    (14, "pieces of strokes",
     "Look for: the patches one filter likes look alike, such as a stroke's end, a bend or a corner."),
    (28 * 28, "large parts of digits",
     "Look for: the patches now show large parts of digits, such as loops, crossings and long strokes. "
     "Many squares stay dark: each filter waits for its own part."),
)


def pick_digit() -> np.ndarray:
    """The user's latest drawing or upload, or an MNIST test digit of their choice."""
    latest = state.latest_digit()
    source_col, index_col = st.columns([2, 1], vertical_alignment="bottom")
    if latest is None:  # one choice is no choice: say where the visitor's own digit would come from
        source_col.markdown(f"**{TEST}.** Draw a digit on the Draw & Upload page to study your own handwriting "
                            "here.")
    elif source_col.radio("Digit to look at", [YOURS, TEST], horizontal=True, key="inside_source") == YOURS:
        return latest
    index = index_col.number_input("Test image number", 0, 9_999, 0, key="inside_test_index",
                                   persist_state="session")
    digit, label = inspection.test_digit(int(index))
    index_col.caption(f"What it really is: {label}")
    return digit


def overview(reader: Reader, digit: np.ndarray, stored: "StoredModel") -> np.ndarray:
    """The digit, the model's answer, and where in the digit the answer comes from; returns the probabilities."""
    st.html(OVERVIEW_STYLE)
    side = DIGIT_DISPLAY_PRESENTING if presenter.active() else images.DIGIT_DISPLAY
    digit_col, chart_col, heat_col = st.container(key=OVERVIEW_KEY).columns(OVERVIEW_COLUMNS, gap="medium")
    digit_col.image(images.enlarge(images.grey(digit, 1.0), side),
                    caption="The digit as the network gets it: 28 x 28 squares of grey", width=side)
    scores = inspection.probabilities(reader, digit)
    first, second = np.argsort(-scores)[:2]
    no_digit = not_a_digit(digit.reshape(1, 28, 28, 1)) is not None  # as the Draw page said: "?"
    with chart_col:
        st.metric("Prediction", "?" if no_digit else str(int(first)), help=draw_view.CALIBRATED_HELP)
        top_two = (f"**{first}** ({draw_view.percent(scores[first])} sure), then **{second}** "
                   f"({draw_view.percent(scores[second])}).")
        st.caption(("This doesn't look like a digit to it. If it had to pick one of its ten answers: " if no_digit
                    else "Top two answers: ") + top_two)
        spec = draw_view.FORCED_PROBABILITIES if no_digit else charts.PROBABILITIES
        st.vega_lite_chart(charts.probabilities_frame(scores), charts.sized(spec), width="stretch")
    where = _occlusion(str(stored.path), stored.meta.sha256, reader, digit)
    heat_col.image(images.enlarge(images.heat(where, digit), side),
                   caption="Where it looks: covering the bright parts would change its answer most", width=side)
    return scores


@st.cache_data(show_spinner=False, max_entries=32)
def _occlusion(path: str, sha256: str, _reader: Reader, digit: np.ndarray) -> np.ndarray:
    """Once per model version and digit: opening a step reruns the page, and covering every patch in turn
    takes hundreds of the model's readings."""
    return inspection.occlusion(_reader, digit)


def layer_table(model: "keras.Model") -> None:
    """The layers a digit passes through, as a table a non-programmer can follow from top to bottom."""
    rows = inspection.architecture(model)
    reading = [row for row in rows if row.reading]
    table = pd.DataFrame({"Layer": plain_layer_names(reading),
                          "What it does": [row.role for row in reading],
                          "Learned numbers": [f"{row.params:,}" for row in reading]})
    st.table(table, hide_index=True)  # wraps its text and grows with its rows: nothing cut off, nothing to scroll
    training = [row for row in rows if not row.reading]
    note = (f" Not listed: {len(training)} layer{'s' if len(training) > 1 else ''} that only act while the network "
            "learns (they vary the practice digits or switch off random parts), not while it reads."
            if training else "")
    st.caption(f"From top to bottom, the way a digit goes. {sum(row.params for row in rows):,} learned numbers "
               f"in all.{note}")


def plain_layer_names(rows: list[inspection.LayerRow]) -> list[str]:
    """Everyday names for the table: "input", "layer 1", "rescale", "keep positives", ..., "scores", "how sure"."""
    numbered = "Conv2D" if any(row.kind == "Conv2D" for row in rows) else "Dense"  # what the steps count
    names, count = [], 0
    for row in rows:
        if row.name == "logits":
            names.append("scores")
        elif row.kind == numbered:
            count += 1
            names.append(f"layer {count}")
        elif row.kind == "Activation":
            names.append("how sure" if row.role == inspection.SURENESS_ROLE else KIND_NAMES["ReLU"])
        elif row.kind == "Dense":
            names.append("combine")
        else:
            names.append(KIND_NAMES.get(row.kind, row.name.replace("_", " ")))
    return names


def details(model: "keras.Model") -> None:
    """For developers: every layer with its Keras type, output shape and parameter count."""
    rows = inspection.architecture(model)
    table = [(r.name, r.kind, r.output_shape, f"{r.params:,}", "yes" if r.reading else "training only") for r in rows]
    st.table(pd.DataFrame(table, columns=["Layer", "Type", "Output shape", "Parameters", "Used when reading"]),
             hide_index=True)


def _step(label: str, name: str, summary: str):
    """A collapsed step of the timeline with a one-sentence `summary`; its pictures are computed only while it is
    open (returns None while it is closed). A step with no content at all could not be opened."""
    section = st.expander(label, type="step", key=STEP_KEY.format(name), on_change="rerun")
    section.markdown(summary)
    return section if section.open else None


# --- Convolutional networks -------------------------------------------------------------------------------------


@st.cache_data(show_spinner=f"Searching {inspection.PATCH_IMAGES:,} test digits for what each filter responds to…",
               max_entries=8)
def _top_patches(path: str, sha256: str, _model: "keras.Model") -> list[inspection.FilterPatches]:
    """Once per model file version for the whole server: `sha256` is in the cache key on purpose."""
    return inspection.top_patches(_model)


def _patch_picture(patch: np.ndarray, field: int, context: int) -> np.ndarray:
    """One test patch as RGB (white ink on black), the receptive field outlined when context surrounds it."""
    picture = images.enlarge(images.rgb(images.grey(patch, 1.0)), max(PATCH_DISPLAY, 2 * patch.shape[0]))
    if context:
        scale = picture.shape[0] // patch.shape[0]
        start, end = context * scale, (context + field) * scale - 1
        cv2.rectangle(picture, (start, start), (end, end), FIELD_COLOUR, 1)
    return picture


def _patch_cell(found: inspection.FilterPatches, index: int, weights: np.ndarray | None) -> np.ndarray:
    """One filter's cell: its weights (when readable) beside its strongest test patches, 3 x 3."""
    side = max(PATCH_DISPLAY, 2 * found.patches.shape[2])
    grid = images.tile([_patch_picture(p, found.field, found.context) for p in found.patches[index]], PATCH_COLUMNS,
                       side)
    if found.strengths[index].max() <= 0:
        grid[:] = images.GAP_COLOUR  # never responds on these digits: nothing to show
    if weights is not None:
        kernel = images.signed(weights[index])
        factor = max(1, grid.shape[0] // (2 * kernel.shape[0]))
        kernel = np.repeat(np.repeat(kernel, factor, axis=0), factor, axis=1)
        column = np.full((grid.shape[0], kernel.shape[1], 3), 255, np.uint8)
        column[:kernel.shape[0]] = kernel
        grid = np.hstack([column, np.full((grid.shape[0], images.GAP, 3), 255, np.uint8), grid])
    return grid


def _patch_sheet(found: inspection.FilterPatches, weights: np.ndarray | None) -> np.ndarray:
    """One cell per filter, in the filters' order, CELL_COLUMNS cells a row on white."""
    cells = [_patch_cell(found, index, weights) for index in range(len(found.patches))]
    height, width = cells[0].shape[:2]
    rows = -(-len(cells) // CELL_COLUMNS)
    sheet = np.full((rows * (height + CELL_GAP) - CELL_GAP, CELL_COLUMNS * (width + CELL_GAP) - CELL_GAP, 3), 255,
                    np.uint8)
    for index, cell in enumerate(cells):
        top, left = (index // CELL_COLUMNS) * (height + CELL_GAP), (index % CELL_COLUMNS) * (width + CELL_GAP)
        sheet[top:top + height, left:left + width] = cell
    return sheet


def filter_patches(found: inspection.FilterPatches, weights: np.ndarray | None) -> None:
    """What excites each filter most, as a grid of test patches a person can read."""
    silent = int((found.strengths.max(axis=1) <= 0).sum())
    where = (f"each patch is the {found.field} x {found.field} pixels the filter sees (outlined), "
             "with the digit around it" if found.context else
             f"each patch is the {found.field} x {found.field} pixels the filter sees")
    beside = "the filter itself on the left of its cell, then " if weights is not None else ""
    st.image(_patch_sheet(found, weights),
             caption=f"Every filter, in order: {beside}the {found.patches.shape[1]} pieces of "
                     f"{inspection.PATCH_IMAGES:,} test digits it responds to most, strongest first; {where}."
                     + (f" {silent} filter{'s' if silent > 1 else ''} never respond{'s' if silent == 1 else ''} "
                        "(grey)." if silent else ""))


def finds(field: int) -> tuple[str, str]:
    """What a layer whose units see `field` x `field` pixels finds, and what to look for in its pictures."""
    return next((what, look) for limit, what, look in FINDS if field <= limit)


def _map_grid(maps: np.ndarray, reference: np.ndarray | None, top: list[int]) -> np.ndarray:
    """Every channel's map (bright = strong), the most active ones framed in orange and numbered 1, 2, ..."""
    tops = reference if reference is not None else np.full(len(maps), max(float(maps.max()), 1e-6))
    pictures = []
    for channel, picture in enumerate(maps):
        picture = images.rgb(images.enlarge(images.grey(picture, float(tops[channel]) or None), MAP_DISPLAY))
        pictures.append(images.mark(picture, number=top.index(channel) + 1) if channel in top else picture)
    return images.tile(pictures, 8 if len(maps) <= 64 else 16, pictures[0].shape[0])


def conv_steps(model: "keras.Model", digit: np.ndarray, stored: "StoredModel | None" = None) -> None:
    """One step per conv layer, from input to answer: what its filters find in the digit, and what they look for."""
    names = inspection.conv_layer_names(model)
    for number, name in enumerate(names, start=1):
        layer = model.get_layer(name)
        field = inspection.receptive_field(model, name).size
        what, _ = finds(field)
        seen = "the whole digit" if field >= inspection.DIGIT_SHAPE[0] else f"a patch of {field} x {field} pixels"
        section = _step(f"Layer {number} of {len(names)}: {layer.filters} filters find {what}", name,
                        f"Each of its {layer.filters} filters slides over the digit and lights up where it finds "
                        f"its own pattern; each spot it judges covers {seen} of the input.")
        if section is None:
            continue
        with section:
            found = None
            if stored is not None:
                found = {f.layer: f for f in _top_patches(str(stored.path), stored.meta.sha256, model)}
            feature = next(f for f in inspection.activations(model, digit) if f.layer == name)
            weights = inspection.filters(model)[0].weights if number == 1 else None  # deeper ones mix many channels
            conv_step(feature, found.get(name) if found else None, weights)


def conv_step(feature: inspection.FeatureMaps, found: inspection.FilterPatches | None, weights: np.ndarray | None) -> None:
    """One conv layer: the digit through each filter, the most active ones, and what those look for."""
    maps = feature.maps
    reference = found.strengths[:, 0] if found is not None else None
    strengths = inspection.channel_strengths(maps, reference)
    top = [int(c) for c in np.argsort(-strengths, kind="stable")[:TOP_CHANNELS] if strengths[c] > 0]
    side = maps.shape[1]
    smaller = ("" if side >= inspection.DIGIT_SHAPE[0] else
               f" The squares are smaller than your digit ({side} x {side}): each dot stands for a patch of it.")
    st.markdown(f"**Your digit through each of the {len(maps)} filters.** One square per filter: bright where it "
                f"found what it looks for, black where it found nothing. The {len(top)} framed in orange reacted "
                f"most.{smaller}")
    st.image(_map_grid(maps, reference, top),
             caption="Brightness compares each filter with its own strongest response on test digits."
             if reference is not None else "Each square is as bright as the strongest response in this layer.")
    if found is None:
        return
    _, look = finds(found.field)
    beside = " On the left of each, the filter itself: red wants ink, blue wants no ink." if weights is not None else ""
    st.markdown(f"**What the framed filters look for:** the pieces of test digits that excite each of them most, "
                f"strongest first. Your digit has something like them where its square is bright.{beside} Under "
                "each, how strongly your digit excites it, compared with its favourite test digits.")
    cells = [[_patch_cell(found, channel, weights)] for channel in top]
    labels = [f"{rank}: {strengths[channel]:.0%}" for rank, channel in enumerate(top, start=1)]
    st.image(images.columns_with_labels(cells, labels, gap=3 * CELL_GAP),
             caption=f"The {len(top)} framed filters, in the order of their numbers.", width="stretch")
    st.caption(look)
    if st.toggle(f"Show what every filter of this layer looks for ({len(maps)})", key=ALL_KEY.format(feature.layer)):
        filter_patches(found, weights)


# --- Dense networks (softmax, multilayer perceptron) -------------------------------------------------------------


def dense_steps(model: "keras.Model", digit: np.ndarray) -> None:
    """The templates of a dense network, and which of them the digit matches."""
    matches = inspection.template_matches(model, digit)
    if matches.digits:
        section = _step("The ten templates: which one your digit matches best", "templates",
                        "This network keeps one picture per digit and reads a digit by comparing it with all ten.")
        if section is not None:
            with section:
                digit_templates(matches)
        return
    units = len(matches.templates)
    section = _step(f"Layer 1: {units} pixel detectors, and the ones your digit sets off most", "detectors",
                    f"Each of the {units} detectors compares the whole digit with its own picture; the ones that "
                    "respond pass on votes for the digits.")
    if section is not None:
        with section:
            detectors(matches)


def _evidence_pictures(matches: inspection.TemplateMatches, units: list[int]) -> list[np.ndarray]:
    """The digit laid over each template, on one colour scale, so the pictures can be compared."""
    scale = float(np.abs(matches.evidence[units]).max()) or 1.0
    return [images.enlarge(images.signed(matches.evidence[unit], scale), TEMPLATE_DISPLAY) for unit in units]


def digit_templates(matches: inspection.TemplateMatches) -> None:
    """Softmax: one template per digit, and the digit laid over each; the best match framed."""
    order = [int(d) for d in np.argsort(-matches.scores)]
    best, runner_up = order[:2]
    templates = [images.enlarge(images.signed(t), TEMPLATE_DISPLAY) for t in matches.templates]
    laid = _evidence_pictures(matches, list(range(10)))
    laid[best] = images.mark(laid[best])
    st.markdown("**What the network expects of each digit** (top row): red pixels count for that digit, blue "
                "pixels count against it. **Your digit laid over each** (bottom row): its ink on red counts for "
                "that digit, its ink on blue against it.")
    st.image(images.columns_with_labels(list(zip(templates, laid)), [str(d) for d in range(10)]),
             caption=f"Look for the most red under your ink: the framed one, {best}, collects the most; "
                     f"{runner_up} comes second.")


def detectors(matches: inspection.TemplateMatches) -> None:
    """The mlp's hidden units as templates, the ones the digit excites most framed, each with its vote."""
    response = np.maximum(matches.scores, 0.0)  # the hidden layer's ReLU
    top = [int(u) for u in np.argsort(-response, kind="stable")[:TOP_DETECTORS] if response[u] > 0]
    silent = int((response <= 0).sum())
    st.markdown(f"**All {len(matches.templates)} detectors.** Each small square is what one detector looks for: "
                "red pixels excite it, blue ones calm it. The ones framed in orange respond most to your digit.")
    small = [images.rgb(images.enlarge(images.signed(t), SMALL_TEMPLATE)) for t in matches.templates]
    for unit in top:
        small[unit] = images.mark(small[unit], border=2)
    st.image(images.tile(small, TEMPLATE_COLUMNS, SMALL_TEMPLATE),
             caption=f"{silent} of them stay silent for your digit: its ink falls mostly on their blue.")
    if not top:
        return
    st.markdown(f"**The {len(top)} detectors your digit sets off most**, strongest first (top row), with your digit "
                "laid over each (bottom row: its ink on red excites the detector). A detector that responds passes "
                "on votes; under each, the digit it votes for most.")
    templates = [images.enlarge(images.signed(matches.templates[unit]), TEMPLATE_DISPLAY) for unit in top]
    votes = matches.votes
    labels = [f"for {int(np.argmax(votes[unit]))}" if votes is not None else "" for unit in top]
    st.image(images.columns_with_labels(list(zip(templates, _evidence_pictures(matches, top))), labels),
             caption="Look for detectors that want the strokes your digit has, and for which digits they vote.")


def answer_step(scores: np.ndarray) -> None:
    """The last step of the timeline: the answer (an empty step also closes the timeline)."""
    first = int(np.argmax(scores))
    st.expander(f"The answer: {first}", type="step", icon=":material/check:")
