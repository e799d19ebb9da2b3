"""Digits stretched to fill their frame, bold or thin (issue #25): found, the right way round, read."""

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


def test_a_wide_digit_is_narrowed_only_when_the_model_is_far_surer_of_the_narrow_copy():
    wide = np.zeros((28, 28), np.float32)
    wide[4:24, 4:24] = np.eye(20)[::-1]  # a slanted bar as wide as tall
    wide = np.maximum(wide, np.roll(wide, 1, axis=1))

    def judge(*rows):
        return lambda batch: np.stack(rows[:len(batch)])

    one = unstretched(wide, judge(sure(8, 0.7), sure(1, 0.999), sure(8, 0.7)))
    assert one is not None and np.ptp(np.nonzero(one > 0.1)[1]) <= 9  # a 1's width
    assert unstretched(wide, judge(sure(7, 0.999), sure(1, 0.999), sure(7, 0.99))) is None  # a sure 7 stays
    common = unstretched(wide, judge(sure(6, 0.6), sure(1, 0.3), sure(6, 0.98)))
    assert common is not None and np.ptp(np.nonzero(common > 0.1)[1]) > 9  # a common digit's width
    assert unstretched(wide, judge(sure(6, 0.6), sure(1, 0.3), sure(6, 0.9))) is None  # not sure enough
    narrow = np.zeros((28, 28), np.float32)
    narrow[4:24, 13:15] = 1.0
    assert unstretched(narrow, judge(sure(1, 0.6))) is None  # already a 1's width
    assert narrowed(wide).shape == (28, 28)
