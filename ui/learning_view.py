"""Watch it learn: the first layer's pictures and the strip of 20 test digits, live or replayed.

The library records snapshots (mnist_core.snapshots); this module turns one
into two pictures for st.image, drawn here with hard pixel edges and large
labels so they read from the back of a room:

- for a conv network, what each of its first 32 detectors picks out of one
  fixed test digit (its tiny weights themselves look like noise however long
  it trains); for the networks that read pixels directly, the ten digit
  templates, red where the network wants ink, blue where it wants none;
- the 20 fixed test digits, each framed and labelled with what the network
  reads now: green when right, red when wrong.

Before a run starts, `examples` draws a row of the training digits it will
learn from, each with its right answer.
"""

from __future__ import annotations

import base64
import html
import io
import threading
from collections import OrderedDict
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mnist_core import snapshots
from mnist_core.snapshots import Snapshot
from ui import images

RIGHT, WRONG = (22, 130, 60), (200, 30, 45)  # green and red, also told apart by the mark under each digit
PAPER = 255
STRIP_COLUMNS = 10
STRIP_CELL = 84  # pixels a side for one strip digit (28 x 3)
STRIP_LABEL = 56  # pixels of label under each digit: about 24 px once the strip is fitted to its column
FRAME = 4
TEMPLATE_CELL = 112  # pixels a side for one digit template (28 x 4)
TEMPLATE_LABEL = 34
FILTER_COLUMNS = 8
FILTER_CELL = 56  # pixels a side for what one detector picks out of the 28x28 digit (x2)
LOOKED_AT = 2  # the strip's digit the detectors are shown on: a 2 has curves, slants and a flat base
EXAMPLE_CELL = 84  # pixels a side for one training digit shown before a run (x3)
EXAMPLE_LABEL = 40
LABEL_INK = (40, 40, 40)
FONT_RATIO = 0.9  # label text height as a share of the label band
MARK_RATIO, MARK_STROKE = 0.55, 8  # the tick or cross: its height as a share of the band, its line band / this
STRIP_ALT = "The 20 test digits, each framed in green when it reads it right and in red when wrong"


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _each_signed(pictures: np.ndarray) -> list[np.ndarray]:
    """Each template in blue-white-red on its own scale: a young template's faint pattern still shows."""
    return [images.signed(picture) for picture in pictures]


def first_layer(snapshot: Snapshot) -> np.ndarray:
    """What the detectors pick out of the looked-at digit, as a grid; or the ten templates in a row of five and
    five, each labelled with its digit."""
    if snapshot.kind == "filters":
        return images.tile(picked_out(snapshot.pictures), FILTER_COLUMNS, FILTER_CELL)
    tiles = [images.enlarge(picture, TEMPLATE_CELL) for picture in _each_signed(snapshot.pictures)]
    labelled = [_label_under(tile, str(digit), LABEL_INK, TEMPLATE_LABEL) for digit, tile in enumerate(tiles)]
    return images.tile(labelled, 5, max(labelled[0].shape[:2]))


def picked_out(filters: np.ndarray) -> list[np.ndarray]:
    """For each first-layer filter, where it answers to the looked-at test digit: dark ink on paper.

    The filter slid over the digit (as the network's first layer does, without the `fast` preset's crop and
    stride), answers below zero dropped (as the network's ReLU does), each on its own scale so a detector with
    small weights still shows what it finds. Unlike the 3x3 or 5x5 weights, these pictures read as strokes.
    """
    digit = snapshots.strip()[0][LOOKED_AT].astype(np.float32) / 255.0
    answers = [np.maximum(cv2.filter2D(digit, -1, kernel.astype(np.float32), borderType=cv2.BORDER_CONSTANT), 0)
               for kernel in filters]
    return [PAPER - images.grey(answer) for answer in answers]


def examples() -> np.ndarray:
    """The training digits a run learns from, in one row, dark ink on paper, each labelled with its right
    answer: what the audience should know before Start, that every picture comes with its answer."""
    digits, labels = snapshots.examples()
    cells = [_label_under(images.enlarge(PAPER - digit, EXAMPLE_CELL), str(label), LABEL_INK, EXAMPLE_LABEL)
             for digit, label in zip(digits, labels)]
    return images.tile(cells, len(cells), max(cells[0].shape[:2]))


def strip(snapshot: Snapshot) -> np.ndarray:
    """The 20 test digits, dark ink on paper, each framed and labelled with what the network reads now."""
    digits, labels = snapshots.strip()
    cells = []
    for digit, label, answer in zip(digits, labels, snapshot.predictions):
        colour = RIGHT if answer == label else WRONG
        ink = np.repeat(images.enlarge(PAPER - digit, STRIP_CELL - 2 * FRAME)[..., None], 3, axis=2)
        framed = np.pad(ink, ((FRAME, FRAME), (FRAME, FRAME), (0, 0)))
        framed[:FRAME], framed[-FRAME:], framed[:, :FRAME], framed[:, -FRAME:] = colour, colour, colour, colour
        mark = "\u2713" if answer == label else "\u2717"
        cells.append(_label_under(framed, f"{answer}", colour, STRIP_LABEL, mark=mark))
    return images.tile(cells, STRIP_COLUMNS, max(cells[0].shape[:2]))


def _label_under(picture: np.ndarray, text: str, colour: tuple[int, int, int], band: int,
                 mark: str | None = None) -> np.ndarray:
    """`picture` (grey or RGB) with `text` centred in a white band beneath it."""
    rgb = picture if picture.ndim == 3 else np.repeat(picture[..., None], 3, axis=2)
    canvas = Image.new("RGB", (rgb.shape[1], rgb.shape[0] + band), (255, 255, 255))
    canvas.paste(Image.fromarray(rgb.astype(np.uint8)), (0, 0))
    draw = ImageDraw.Draw(canvas)
    font = _font(round(band * FONT_RATIO))
    width = draw.textlength(text, font=font)
    left = (rgb.shape[1] - width - (band * (MARK_RATIO + 0.12) if mark else 0)) / 2  # the text and mark centred
    draw.text((left, rgb.shape[0] + band * 0.05), text, fill=colour, font=font)
    if mark is not None:  # a tick or a cross too, for anyone who cannot tell the green from the red
        size = band * MARK_RATIO  # as tall as the digit beside it: read from the back of a room
        top = rgb.shape[0] + band * 0.05 + (band * FONT_RATIO - size) * 0.6
        for segment in _mark_lines(mark, left + width + band * 0.12, top, size):
            draw.line(segment, fill=colour, width=max(2, round(band / MARK_STROKE)))
    return np.asarray(canvas)


def _mark_lines(mark: str, left: float, top: float, size: float) -> list[list[tuple[float, float]]]:
    """A tick as two strokes, a cross as two strokes (the font has no such glyphs)."""
    if mark == "\u2713":
        return [[(left, top + size * 0.55), (left + size * 0.35, top + size)],
                [(left + size * 0.35, top + size), (left + size, top)]]
    return [[(left, top), (left + size, top + size)], [(left, top + size), (left + size, top)]]


_RENDERED: OrderedDict[int, tuple[Snapshot, np.ndarray, str]] = OrderedDict()
_RENDERED_MAX = 96  # a few runs' worth of snapshots, for every watching browser
_RENDER_LOCK = threading.Lock()


def pictures(snapshot: Snapshot) -> tuple[np.ndarray, str]:
    """(first layer, strip block) for `snapshot`, drawn once: the live view redraws every second for every
    browser, and a reply to the Stop button should not wait behind drawing the same pictures again."""
    with _RENDER_LOCK:
        found = _RENDERED.get(id(snapshot))
        if found is not None and found[0] is snapshot:  # the entry holds the snapshot, so its id is not reused
            _RENDERED.move_to_end(id(snapshot))
            return found[1], found[2]
    drawn = first_layer(snapshot), strip_block(snapshot)
    with _RENDER_LOCK:
        _RENDERED[id(snapshot)] = (snapshot, *drawn)
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return drawn


def first_layer_caption(snapshot: Snapshot, model: str) -> str:
    """What the first-layer picture shows, in words for the audience (two short lines at most).

    Only what the picture shows, true of a 6 s run and of a long one (checked on each model's first and last
    snapshots): the detectors' finds change little in a short run of the slowest learners (deepnn), the
    softmax's templates start blank, the MLP's as noise."""
    if snapshot.kind == "filters":
        return (f"**What its first {len(snapshot.pictures)} detectors pick out of this 2**: each square shows in "
                "dark the strokes one of them answers to. They change only a little as it learns.")
    if model == "mlp":  # the product of its two weight tables: the hidden layer's own choices are left out
        return ("**What its 500 detectors look for, added up for each digit**: red where ink counts for that "
                "digit, blue where it counts against. Noise before it learns.")
    return ("**Its ten digit templates**: red where it expects ink for that digit, blue where ink counts "
            "against it. Blank before it learns.")


def strip_heading(snapshot: Snapshot) -> tuple[str, str]:
    """The line over the strip, (bold part, rest): one line at 1366x768 (a second line pushed the strip toward
    the bottom of the screen)."""
    _, labels = snapshots.strip()
    right = snapshot.correct(labels)
    return f"{len(labels)} digits it never saw", f": {right} of {len(labels)} right"


def strip_block(snapshot: Snapshot) -> str:
    """The strip's heading and picture as one piece of HTML for one st.markdown, both from `snapshot`.

    As two elements (a heading and an st.image) the browser showed the new heading at once while the new
    picture was still being fetched from the busy server: "20 of 20 right" over a strip with red crosses.
    One element, with the picture inside it, changes heading and picture together."""
    bold, rest = strip_heading(snapshot)
    buffer = io.BytesIO()
    Image.fromarray(strip(snapshot)).save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<div class="learning-strip"><p style="margin-bottom:0.5rem"><strong>{html.escape(bold)}</strong>'
            f'{html.escape(rest)}</p>'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(STRIP_ALT)}" '
            f'style="width:100%;height:auto;display:block"></div>')

