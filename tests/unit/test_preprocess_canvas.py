"""preprocess.canvas: a clean canvas drawing is read at its own size, and nothing else takes that path."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from mnist_core import synth
from mnist_core.imageio import load_image
from mnist_core.preprocess import preprocess
from mnist_core.preprocess.canvas import clean_canvas
from mnist_core.preprocess.greyscale import grayscale

SEVEN = np.array([(75, 60), (205, 60), (180, 110), (150, 170), (125, 235)], np.int32)
SHADOWS = "Shadows and uneven light evened out"


def strokes(width: int = 280, height: int = 280, pen: int = 22, zoom: int = 1) -> np.ndarray:
    """A 7 as the canvas draws it: anti-aliased, 0 (paper) to 255 (ink), grey; `zoom` times as big."""
    ink = np.zeros((height * zoom, width * zoom), np.uint8)
    cv2.polylines(ink, [SEVEN * zoom], False, 255, pen * zoom, cv2.LINE_AA)
    return ink


def canvas(style: str, ink: np.ndarray | None = None) -> np.ndarray:
    """The drawing as RGBA in one of the canvas's looks."""
    ink = strokes() if ink is None else ink
    share = ink[:, :, None].astype(np.float32) / 255
    opaque = np.full(ink.shape, 255, np.uint8)
    if style == "white on black":  # the app's own canvas
        return np.dstack([ink, ink, ink, opaque])
    if style == "black on white":
        return np.dstack([255 - ink] * 3 + [opaque])
    if style == "red on white":
        rgb = np.rint(255 + share * (np.array([200, 20, 40]) - 255)).astype(np.uint8)
        return np.dstack([rgb, opaque])
    colour = 255 if style == "white in alpha" else 0  # ink in the alpha channel, transparent paper
    return np.dstack([np.where(ink > 0, colour, 0).astype(np.uint8)] * 3 + [ink])


def found(image: np.ndarray):
    """What the pipeline's canvas check says of `image` (decoded as `preprocess` decodes it)."""
    return clean_canvas(grayscale(load_image(image))[1])


@pytest.mark.parametrize("style", ["white on black", "black on white", "red on white", "white in alpha",
                                   "black in alpha"])
def test_a_clean_drawing_is_recognised_in_every_look_of_the_canvas(style):
    drawing = found(canvas(style))
    assert drawing is not None and drawing.scale == 1.0
    assert drawing.dark_ink == (style in ("black on white", "red on white", "black in alpha"))
    assert abs(drawing.paper - drawing.ink) > 100


def test_the_wide_canvas_and_a_big_clean_drawing_keep_or_shrink_to_the_canvas_size():
    wide = strokes(700, 280)
    assert found(canvas("white on black", wide)).scale == 1.0
    assert found(canvas("white on black", strokes(zoom=2))).scale == 0.5  # drawn on a 560 px canvas


def jpeg(rgba: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(rgba[:, :, :3]).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGBA"))


def noisy(rgba: np.ndarray, sigma: float) -> np.ndarray:
    rgb = rgba[:, :, :3] + np.random.default_rng(0).normal(0, sigma, rgba[:, :, :3].shape)
    return np.dstack([np.clip(rgb + 0.5, 0, 255).astype(np.uint8), rgba[:, :, 3]])


def test_photos_scans_and_anything_not_clean_take_the_full_path():
    mnist_like = (cv2.resize(strokes(), (28, 28), interpolation=cv2.INTER_AREA)).astype(np.uint8)
    rng = np.random.default_rng(1)
    two_inks = canvas("white on black")
    two_inks[200:, :, :3] = np.where(two_inks[200:, :, :3] > 0, 128, 0)  # part of it in grey
    not_clean = {
        "photo": synth.photo_like(mnist_like, rng),
        "scan with sensor noise": noisy(canvas("black on white"), 1.0),
        "saved as JPEG": jpeg(canvas("black on white"), 95),
        "too small": canvas("white on black", cv2.resize(strokes(), (120, 120))),
        "too big": canvas("white on black", strokes(zoom=5)),
        "enlarged (blurred edges)": canvas("white on black", cv2.resize(strokes(), (560, 560))),
        "two inks": two_inks,
        "faint pencil": np.dstack([np.where(strokes() > 0, 205, 235).astype(np.uint8)] * 3
                                  + [np.full((280, 280), 255, np.uint8)]),
        "ink filling the frame (a tight crop)": canvas("black on white", cv2.resize(
            strokes()[50:245, 60:230], (280, 280), interpolation=cv2.INTER_NEAREST)),
        "mostly ink": canvas("white on black", cv2.rectangle(np.zeros((280, 280), np.uint8), (20, 20), (259, 259),
                                                             255, -1)),
    }
    for name, image in not_clean.items():
        assert found(image) is None, name


def test_the_fast_path_reads_the_drawing_as_the_full_path_does():
    for style in ("white on black", "black on white", "white in alpha"):
        drawing = canvas(style)
        fast = preprocess(drawing, multi=False)
        full = preprocess(noisy(drawing, 0.6), multi=False)  # a level of grain: not clean any more
        assert SHADOWS not in [step.caption for step in fast.steps], "the fast path skips the lighting"
        assert SHADOWS in [step.caption for step in full.steps]
        assert fast.steps[0].image.shape[:2] == (280, 280), "read at its own size"
        assert full.steps[0].image.shape[:2] == (512, 512)
        assert np.corrcoef(fast.digits[0].ravel(), full.digits[0].ravel())[0, 1] > 0.97, style
        rows, cols = np.nonzero(strokes())
        assert fast.boxes == [(cols.min(), rows.min(), np.ptp(cols) + 1, np.ptp(rows) + 1)], "the ink's own box"
        assert full.boxes[0] == pytest.approx(fast.boxes[0], abs=2)


def test_a_number_on_the_wide_canvas_is_read_left_to_right():
    ink = np.zeros((280, 700), np.uint8)
    cv2.line(ink, (120, 50), (120, 230), 255, 20, cv2.LINE_AA)
    cv2.polylines(ink, [SEVEN + (300, 0)], False, 255, 20, cv2.LINE_AA)
    cv2.ellipse(ink, (580, 140), (55, 90), 0, 0, 360, 255, 20, cv2.LINE_AA)
    result = preprocess(canvas("white on black", ink), multi=True)
    assert len(result.digits) == 3 and [box[0] for box in result.boxes] == sorted(box[0] for box in result.boxes)
    assert SHADOWS not in [step.caption for step in result.steps]


def test_an_empty_canvas_and_a_speck_are_no_digits():
    assert preprocess(canvas("white on black", np.zeros((280, 280), np.uint8)), multi=False).reason \
        == "The canvas is empty: draw a digit."
    speck = np.zeros((280, 280), np.uint8)
    speck[140:142, 140:142] = 255
    assert not preprocess(canvas("white on black", speck), multi=False).digits
