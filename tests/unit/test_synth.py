"""synth: deterministic realistic inputs, and the preprocessing round trip on them."""

import cv2
import numpy as np
import pytest

from mnist_core import synth
from mnist_core.digit_check_training import LEARNING_MIX
from mnist_core.synth import fonts, glyphs
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


# --- Glyphs that are not from MNIST ---


def is_tight(ink: np.ndarray) -> bool:
    """Ink reaches every edge of the map: it is cropped to its glyph."""
    return all(edge.max() > 12 for edge in (ink[0], ink[-1], ink[:, 0], ink[:, -1]))


def test_font_digits_are_deterministic_tight_ink_maps_with_balanced_labels():
    inks, labels = synth.font_digits(40, np.random.default_rng(7))
    again, labels_again = synth.font_digits(40, np.random.default_rng(7))
    other, _ = synth.font_digits(40, np.random.default_rng(8))
    assert len(inks) == len(labels) == 40 and labels.dtype == np.int64
    assert sorted(labels.tolist()) == sorted(list(range(10)) * 4)  # every digit, as often
    np.testing.assert_array_equal(labels, labels_again)
    for ink, same in zip(inks, again):
        np.testing.assert_array_equal(ink, same)
    assert any(a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(inks, other))
    for ink in inks:
        assert ink.dtype == np.uint8 and ink.ndim == 2 and ink.max() == 255
        assert 40 <= max(ink.shape) <= 200 and is_tight(ink)
        assert (ink > 127).mean() < 0.6  # strokes, not a filled block


def test_font_digits_fall_back_to_hershey_without_truetype_fonts(monkeypatch):
    monkeypatch.setattr(synth, "truetype_fonts", lambda: ())
    inks, labels = synth.font_digits(20, np.random.default_rng(0))
    assert len(inks) == 20 and all(is_tight(ink) for ink in inks)


def test_both_font_sources_are_used_when_installed(monkeypatch):
    if not synth.truetype_fonts():
        pytest.skip("no TrueType fonts installed (apt-get install fonts-dejavu-core fonts-liberation)")
    assert all("Mono" not in path for path in synth.truetype_fonts())  # dotted zeros are no handwriting
    used = []
    real = fonts.truetype_glyph
    monkeypatch.setattr(fonts, "truetype_glyph", lambda char, path: used.append(path) or real(char, path))
    synth.font_digits(40, np.random.default_rng(0))
    assert 5 <= len(used) <= 35 and len(set(used)) > 3  # TrueType and Hershey, several fonts


def with_margin(ink: np.ndarray) -> np.ndarray:
    pad = max(ink.shape) // 3
    return cv2.copyMakeBorder(ink, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)


def test_font_digits_become_one_mnist_like_digit():
    inks, labels = synth.font_digits(30, np.random.default_rng(3))
    for ink, label in zip(inks, labels):
        result = preprocess(with_margin(ink), multi=False)
        assert len(result.digits) == 1, (label, result.reason)


def test_non_digits_are_deterministic_and_labelled_by_kind():
    inks, kinds = synth.non_digits(80, np.random.default_rng(11))
    again, kinds_again = synth.non_digits(80, np.random.default_rng(11))
    assert kinds == kinds_again and len(inks) == 80
    for ink, same in zip(inks, again):
        np.testing.assert_array_equal(ink, same)
    families = {kind.split(":")[0] for kind in kinds}
    assert families == {"letter", "shape", "scribble"}
    for ink, kind in zip(inks, kinds):
        assert ink.dtype == np.uint8 and ink.ndim == 2 and is_tight(ink), kind
        if kind.startswith("shape:"):
            assert kind.split(":")[1] in synth.SHAPES


def test_non_digits_come_in_the_shares_asked_for():
    _, only_scribbles = synth.non_digits(40, np.random.default_rng(4), {"letter": 0.0, "scribble": 1.0})
    assert set(only_scribbles) == {"scribble"}
    _, plain = synth.non_digits(400, np.random.default_rng(4))
    _, learning = synth.non_digits(400, np.random.default_rng(4), LEARNING_MIX)
    share = {name: sum(kind == "scribble" for kind in kinds) / 400 for name, kinds in (("plain", plain),
                                                                                         ("learning", learning))}
    assert 0.15 <= share["plain"] <= 0.25 and 0.34 <= share["learning"] <= 0.46, share


def test_no_letter_can_be_mistaken_for_a_digit():
    ambiguous = set("OoDQIliJjLZzBSsGbgqyadTt")
    assert not ambiguous & set(synth.LETTERS)
    inks, kinds = synth.non_digits(300, np.random.default_rng(0))
    letters = {kind.split(":")[1] for kind in kinds if kind.startswith("letter:")}
    assert letters <= set(synth.LETTERS) and not letters & ambiguous
    assert {kind for kind in kinds if kind.startswith("shape:")} == {f"shape:{s}" for s in synth.SHAPES}


def test_every_shape_draws():
    for shape in synth.SHAPES:
        ink = glyphs._shape(shape, np.random.default_rng(0))
        assert ink.shape[0] > 20 and ink.shape[1] > 20 and ink.max() > 0.9, shape


@pytest.mark.parametrize("style", ["photo", "canvas"])
def test_styles_accept_ink_maps_of_any_size(style):
    inks, _ = synth.font_digits(3, np.random.default_rng(1))
    marks, _ = synth.non_digits(3, np.random.default_rng(1))
    wide = np.zeros((30, 300), np.uint8)
    wide[5:25, 10:290] = 255  # long and flat, bigger than some photos' height
    for ink in [*inks, *marks, wide, ink_float := inks[0].astype(np.float32) / 255]:
        first = synth.TRANSFORMS[style](ink, np.random.default_rng(2))
        np.testing.assert_array_equal(first, synth.TRANSFORMS[style](ink, np.random.default_rng(2)))
        assert first.dtype == np.uint8 and first.ndim == 3
    # A float map in [0, 1] and its uint8 copy make the same picture.
    np.testing.assert_array_equal(synth.TRANSFORMS[style](ink_float, np.random.default_rng(2)),
                                  synth.TRANSFORMS[style](inks[0], np.random.default_rng(2)))


def test_font_digit_photo_round_trip():
    inks, labels = synth.font_digits(10, np.random.default_rng(4))
    for ink, label in zip(inks, labels):
        reference = preprocess(with_margin(ink), multi=False).digits[0]
        shown = preprocess(synth.photo_like(ink, np.random.default_rng(5)))
        assert len(shown.digits) == 1, (label, shown.reason)
        assert correlation(shown.digits[0], reference) > 0.6, label


# --- Tight crops at any size ---


@pytest.mark.parametrize("kind", sorted(synth.CROP_SIZES))
def test_crops_fill_the_picture_at_the_sizes_of_their_kind(kind):
    inks, _ = synth.font_digits(3, np.random.default_rng(0))
    sources = [DIGITS["7"], DIGITS["1"], *inks]
    made = synth.crops(sources, kind, seed=2)
    low, high = synth.CROP_SIZES[kind]
    for index, (image, source) in enumerate(zip(made, sources)):
        np.testing.assert_array_equal(image, synth.crop(source, kind, 2, index))  # one at a time, the same
        assert image.dtype == np.uint8 and image.ndim == 2 and low <= max(image.shape) <= high
        paper = np.median(np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]))
        ink = np.abs(image.astype(float) - paper) > 40
        # The glyph touches two opposite edges at least (all four when the crop follows its box).
        assert (ink[0].any() and ink[-1].any()) or (ink[:, 0].any() and ink[:, -1].any())


def test_tight_crop_polarity_and_determinism():
    dark = synth.tight_crop(DIGITS["0"], np.random.default_rng(1), 64, dark_on_light=True)
    light = synth.tight_crop(DIGITS["0"], np.random.default_rng(1), 64, dark_on_light=False)
    np.testing.assert_array_equal(dark, synth.tight_crop(DIGITS["0"], np.random.default_rng(1), 64, True))
    assert np.median(dark) > 150 > np.median(light)  # mostly paper: light paper, or dark
    assert dark.shape == light.shape and max(dark.shape) == 64
    both = {bool(np.median(synth.tight_crop(DIGITS["7"], np.random.default_rng(s), 20)) > 128) for s in range(12)}
    assert both == {True, False}  # random polarity when not given
