"""synth: deterministic realistic inputs, and the preprocessing round trip on them."""

import cv2
import numpy as np
import pytest

from mnist_core import synth
from mnist_core.imageio import load_image
from mnist_core.preprocess import preprocess


def mnist_like(digit: str) -> np.ndarray:
    """A 28x28 uint8 white-on-black digit in a 20x20 box, drawn at 4x and reduced."""
    big = np.zeros((112, 112), np.uint8)
    if digit == "0":
        cv2.ellipse(big, (56, 56), (26, 38), 0, 0, 360, 255, 11)
    elif digit == "7":
        cv2.polylines(big, [np.array([[28, 22], [84, 22], [46, 94]], np.int32)], False, 255, 11)
    elif digit == "1":
        cv2.line(big, (60, 18), (52, 94), 255, 11)
    elif digit == "4":
        cv2.polylines(big, [np.array([[50, 18], [26, 66], [86, 66]], np.int32)], False, 255, 11)
        cv2.line(big, (70, 40), (70, 96), 255, 11)
    return cv2.resize(big, (28, 28), interpolation=cv2.INTER_AREA)


DIGITS = {name: mnist_like(name) for name in "0714"}
REFERENCE = {name: preprocess(image).digits[0] for name, image in DIGITS.items()}  # same centring
MIN_CORRELATION = {  # rotation and redrawn strokes are real differences, not errors
    "clean": 0.95, "inverted": 0.93, "jpeg": 0.9, "off_centre": 0.9, "photo": 0.7,
    "canvas": 0.75, "thin": 0.7, "thick": 0.75, "rotated": 0.55,
}  # fmt: skip


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_the_expected_transforms_exist():
    assert set(MIN_CORRELATION) <= set(synth.TRANSFORMS)


@pytest.mark.parametrize("name", sorted(synth.TRANSFORMS))
def test_transforms_are_deterministic_images(name):
    transform = synth.TRANSFORMS[name]
    first = transform(DIGITS["7"], np.random.default_rng(5))
    again = transform(DIGITS["7"], np.random.default_rng(5))
    other = transform(DIGITS["7"], np.random.default_rng(6))
    assert first.dtype == np.uint8 and first.ndim in (2, 3)
    np.testing.assert_array_equal(first, again)
    assert name == "clean" or first.shape != other.shape or not np.array_equal(first, other)
    assert load_image(first).shape[:2] == first.shape[:2]


def test_photo_like_shape():
    for seed in range(5):
        photo = synth.photo_like(DIGITS["0"], np.random.default_rng(seed))
        assert photo.ndim == 3 and photo.shape[2] == 3
        assert 100 <= min(photo.shape[:2]) and max(photo.shape[:2]) <= 400


def test_canvas_like_styles():
    canvases = [synth.canvas_like(DIGITS["1"], np.random.default_rng(seed)) for seed in range(12)]
    assert all(c.shape == (synth.CANVAS_SIZE, synth.CANVAS_SIZE, 4) for c in canvases)
    transparent = [c for c in canvases if c[:, :, 3].min() == 0]
    opaque = [c for c in canvases if c[:, :, 3].min() == 255]
    assert transparent and opaque  # ink in alpha, and strokes on an opaque background


def test_stroke_widths_differ():
    thin = synth.canvas_like(DIGITS["1"], np.random.default_rng(0), stroke="thin")
    thick = synth.canvas_like(DIGITS["1"], np.random.default_rng(0), stroke="thick")

    def ink(canvas: np.ndarray) -> int:  # pixels that differ from the background
        grey, alpha = canvas[:, :, 0].astype(int), canvas[:, :, 3].astype(int)
        return int(((alpha > 127) & (alpha < 255)).sum() or (np.abs(grey - grey[0, 0]) > 127).sum())

    assert ink(thick) > 3 * ink(thin)


@pytest.mark.parametrize("name", sorted(MIN_CORRELATION))
def test_round_trip_reproduces_the_digit(name):
    for digit, image in DIGITS.items():
        for seed in range(2):
            shown = synth.TRANSFORMS[name](image, np.random.default_rng(seed))
            result = preprocess(shown, multi=name not in ("canvas", "thin", "thick"))
            assert len(result.digits) == 1, (name, digit, seed, result.reason)
            reference = REFERENCE[digit]
            assert correlation(result.digits[0], reference) > MIN_CORRELATION[name], (name, digit, seed)


def test_strip_is_read_as_four_digits_in_order():
    order = ["1", "0", "7", "4"]
    for seed in range(3):
        image = synth.strip([DIGITS[d] for d in order], np.random.default_rng(seed))
        assert image.ndim == 3 and image.shape[1] > 2 * image.shape[0]
        result = preprocess(image)
        assert len(result.digits) == 4
        for digit, name in zip(result.digits, order):
            assert correlation(digit, REFERENCE[name]) > 0.7


def test_generate_and_strips_helpers():
    images = np.stack(list(DIGITS.values()))
    labels = np.array([0, 7, 1, 4])
    photos = synth.generate(images, "photo", seed=3)
    assert len(photos) == 4
    # Image i depends only on (seed, i): reproducible one by one.
    np.testing.assert_array_equal(photos[2], synth.photo_like(images[2], np.random.default_rng([3, 2])))
    made = synth.strips(images, labels, count=2, seed=1)
    assert [len(text) for _, text in made] == [4, 4]
    assert all(sorted(text) == sorted("0714") for _, text in made)


@pytest.mark.parametrize("name", list(synth.NOT_DIGITS))
def test_inputs_without_a_digit_are_deterministic_images(name):
    make = synth.NOT_DIGITS[name]
    first, again = make(np.random.default_rng([3, 0])), make(np.random.default_rng([3, 0]))
    assert first.dtype == np.uint8 and first.ndim in (2, 3) and min(first.shape[:2]) >= 28
    np.testing.assert_array_equal(first, again)
    assert preprocess(first).digits == []
