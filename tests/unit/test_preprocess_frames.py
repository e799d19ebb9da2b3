"""Digits stretched to fill their frame, bold or thin (issue #25): found, the right way round, read."""

import cv2
import numpy as np
import pytest

from mnist_core import synth
from mnist_core.data import NUM_FIT, load_mnist
from mnist_core.prediction import predict
from mnist_core.preprocess import preprocess
from mnist_core.preprocess.stretch import narrowed, unstretched

NARROWED = "The digit was stretched to fill its frame"


@pytest.fixture(scope="module")
def fonts():
    """Font digits of the forms bench's tuning seed (never its benchmark seed)."""
    return synth.font_digits(100, np.random.default_rng(260))


@pytest.mark.parametrize("index", [85, 88, 58, 46])  # bold 8, 0, 3, 1 whose soft rim left them "blank" or "faint"
def test_a_bold_digit_filling_its_frame_is_not_blank(fonts, index):
    inks, _ = fonts
    rng = np.random.default_rng([250, index])
    image = synth.framed(inks[index], rng, 64, stroke="bold")
    result = preprocess(image)
    assert len(result.digits) == 1, result.reason
    assert any(step.caption.startswith("Paper added around the edges") for step in result.steps)


def test_a_bold_stroke_filling_the_frame_is_not_hollowed_by_the_lighting():
    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 12:16] = 255  # a plain 1, widened into a bold bar by the frame
    result = preprocess(synth.framed(bar, np.random.default_rng(1), 64, stroke="bold", dark_on_light=True))
    assert len(result.digits) == 1, result.reason
    rows, cols = np.nonzero(result.digits[0] > 0.5)
    middle = result.digits[0][rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert middle[middle.shape[0] // 2].max() > 0.9  # ink through its middle, not only its outline


def test_stretched_ones_are_read_as_ones():
    mnist = load_mnist()
    ones = np.flatnonzero(mnist.y_train[NUM_FIT:] == 1)[:8] + NUM_FIT
    read, narrowed_back = 0, 0
    for index in ones:
        answer = predict(synth.framed(mnist.x_train[index], np.random.default_rng(int(index)), 48, stroke="bold"))
        read += answer.digits == "1"
        narrowed_back += any(step.caption.startswith(NARROWED) for step in answer.preprocessed.steps)
    assert read >= 7 and narrowed_back >= 3


def sure(digit: int, level: float) -> np.ndarray:
    row = np.full(10, (1 - level) / 9)
    row[digit] = level
    return row


def slanted_bar(width: int) -> np.ndarray:
    """A 20 px tall slanted bar `width` px wide, as a 28x28 digit."""
    digit = np.zeros((28, 28), np.float32)
    digit[4:24, 4:4 + width] = cv2.resize(np.eye(20, dtype=np.float32)[::-1], (width, 20))
    return np.maximum(digit, np.roll(digit, 1, axis=1))


def judge(*rows):
    """A model that reads the n-th image of a batch as rows[n] (and counts the batches it reads)."""
    def read(batch):
        read.batches.append(len(batch))
        return np.stack(rows[:len(batch)])
    read.batches = []
    return read


def width(digit: np.ndarray) -> int:
    return int(np.ptp(np.nonzero(digit > 0.1)[1])) + 1


def test_a_wide_digit_keeps_the_copy_that_reads_surest_what_its_copies_agree_on():
    wide = slanted_bar(20)
    narrow = unstretched(wide, judge(sure(8, 0.7), sure(1, 0.9), sure(1, 0.95)))  # a 1 stretched into a bar
    assert narrow is not None and width(narrow) < 0.6 * 20  # the narrowest copy: surest of the 1
    assert unstretched(wide, judge(sure(7, 0.99), sure(7, 0.9), sure(1, 0.6))) is None  # a 7 reads surest itself
    # One copy sure of another digit does not outvote the two that agree (a broad 7 narrowed may look like a 1).
    assert unstretched(wide, judge(sure(7, 0.9), sure(7, 0.8), sure(1, 0.999))) is None
    mid = unstretched(wide, judge(sure(6, 0.6), sure(6, 0.98), sure(5, 0.5)))
    assert mid is not None and 0.5 * 20 < width(mid) < 20  # the copy 0.6 as wide as tall


def test_only_copies_narrower_than_the_digit_are_read():
    assert unstretched(slanted_bar(9), judge(sure(1, 0.6))) is None  # already narrow: never read again
    reader = judge(sure(4, 0.5), sure(4, 0.9))
    assert unstretched(slanted_bar(10), reader) is not None and reader.batches == [2]  # 0.55 as wide as tall: 0.5
    assert narrowed(slanted_bar(20), 0.5).shape == (28, 28)


def test_only_a_digit_as_tall_as_its_picture_is_narrowed_back():
    from mnist_core.bench.inputs import png

    # A blank ruled page whose shadow reaches the edges looked like a tight crop; its marks, half as tall as the
    # page, were narrowed like a stretched digit and read as a 3 (robustness's blank photos, seed 3).
    page = synth.NOT_DIGITS["blank_photo"](np.random.default_rng([3, 16]))
    answer = predict(png(page))
    assert answer.digit is None and answer.error
    assert not any(step.caption.startswith(NARROWED) for step in answer.preprocessed.steps)
