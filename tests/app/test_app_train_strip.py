"""The 20 test digits under "20 digits it never saw: N of 20 right" and that heading come from one snapshot, in one
element: as a heading and a separate picture, the browser showed the new count while the old picture (with ~8 red
crosses) was still on screen. Here the count in the heading is checked against the frames in the picture itself."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
from PIL import Image
import pytest
from streamlit.testing.v1 import AppTest

from mnist_core import snapshots
from mnist_core.snapshots import Snapshot
from ui import images, learning_view

HEADING = re.compile(r"(\d+) of (\d+) right")
PICTURE = re.compile(r'<img src="data:image/png;base64,([^"]+)"')


def reading(right: int, kind: str = "templates") -> Snapshot:
    """A snapshot that reads the first `right` strip digits right and the others wrong."""
    _, labels = snapshots.strip()
    predictions = labels.copy()
    predictions[right:] = (labels[right:] + 1) % 10
    count = 10 if kind == "templates" else 32
    size = 28 if kind == "templates" else 5
    pictures = np.random.default_rng(right).normal(size=(count, size, size)).astype(np.float32)
    return Snapshot(step=right, epoch=right / 20, elapsed=float(right), kind=kind, pictures=pictures,
                    predictions=predictions)


def picture_in(block: str) -> np.ndarray:
    found = PICTURE.search(block)
    assert found, f"no picture inside the strip's element: {block[:200]}"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(found.group(1)))).convert("RGB"))


def green_frames(picture: np.ndarray) -> int:
    """How many of the strip's cells have a green (right) frame, read from the picture's pixels."""
    rows = -(-snapshots.STRIP_SIZE // learning_view.STRIP_COLUMNS)
    cell_height, left_over_rows = divmod(picture.shape[0] + images.GAP, rows)
    cell_width, left_over_columns = divmod(picture.shape[1] + images.GAP, learning_view.STRIP_COLUMNS)
    assert not left_over_rows and not left_over_columns, picture.shape
    cell_height, cell_width = cell_height - images.GAP, cell_width - images.GAP
    green = 0
    for index in range(snapshots.STRIP_SIZE):
        top = (index // learning_view.STRIP_COLUMNS) * (cell_height + images.GAP)
        left = (index % learning_view.STRIP_COLUMNS) * (cell_width + images.GAP)
        corner = tuple(int(v) for v in picture[top + 1, left + 1])
        assert corner in (learning_view.RIGHT, learning_view.WRONG), corner
        green += corner == learning_view.RIGHT
    return green


def test_the_heading_counts_the_green_frames_of_the_picture_beside_it():
    for right in (0, 7, 20):
        snapshot = reading(right)
        block = learning_view.strip_block(snapshot)
        said = HEADING.search(block)
        assert said and int(said.group(1)) == right and int(said.group(2)) == snapshots.STRIP_SIZE
        picture = picture_in(block)
        assert green_frames(picture) == right
        assert np.array_equal(picture, learning_view.strip(snapshot)), "the strip as drawn for this snapshot"


def test_the_cache_gives_each_snapshot_its_own_heading_and_picture():
    """Two snapshots in a row (as the live view sees them): each block agrees with itself."""
    first, second = reading(8), reading(20)
    for snapshot, right in ((first, 8), (second, 20), (first, 8)):
        _, block = learning_view.pictures(snapshot)
        assert int(HEADING.search(block).group(1)) == right == green_frames(picture_in(block))


def _story(right: int, kind: str) -> None:
    """The Train page's story for one snapshot (run by AppTest as a script of its own)."""
    import numpy as np

    from mnist_core import snapshots, training
    from mnist_core.snapshots import Snapshot
    from ui import train_story

    _, labels = snapshots.strip()
    predictions = labels.copy()
    predictions[right:] = (labels[right:] + 1) % 10
    count, size = (10, 28) if kind == "templates" else (32, 5)
    pictures = np.random.default_rng(right).normal(size=(count, size, size)).astype(np.float32)
    snapshot = Snapshot(step=5, epoch=0.5, elapsed=3.0, kind=kind, pictures=pictures, predictions=predictions)
    train_story.story(training.TrainConfig.for_model("softmax", epochs=1, limit=1_000), [], [], snapshot)


def test_the_story_draws_the_strip_and_its_heading_as_one_element():
    for right, kind in ((12, "templates"), (3, "filters")):
        at = AppTest.from_function(_story, args=(right, kind), default_timeout=60).run()
        assert not at.exception
        strips = [md.value for md in at.markdown if "digits it never saw" in md.value]
        assert len(strips) == 1, "the heading is drawn once"
        assert int(HEADING.search(strips[0]).group(1)) == right == green_frames(picture_in(strips[0]))
        assert len(at.get("image")) == 1, "the first layer's picture only: the strip is not a separate picture"



@pytest.mark.parametrize("mark", ["\u2713", "\u2717"])
def test_the_answer_and_its_tick_or_cross_under_each_digit_are_large(mark):
    """The label under each strip digit reads from the back of a room: the answer and its tick or cross each more
    than half as tall as the band under the digit (over 25 px when presenting at 1920x1080)."""
    band, colour = learning_view.STRIP_LABEL, learning_view.RIGHT
    paper = np.full((learning_view.STRIP_CELL, learning_view.STRIP_CELL), 255, np.uint8)
    answer = learning_view._label_under(paper, "7", colour, band)[-band:]
    marked = learning_view._label_under(paper, "7", colour, band, mark=mark)[-band:]
    for ink in (np.all(answer == colour, axis=2), np.all(marked != answer, axis=2) & np.all(marked == colour, axis=2)):
        rows = np.flatnonzero(ink.any(axis=1))
        assert rows.size and rows[-1] - rows[0] + 1 >= band * 0.6, rows
