"""Test-set evaluation: confusion matrix and the mistakes, most confident first."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_core.evaluation import confusion_matrix, evaluate_model
from mnist_core.inference import Reader, load_reader


class FixedModel:
    """A stand-in network that answers given probabilities, called like a Keras model."""

    def __init__(self, answers: np.ndarray) -> None:
        self.answers = answers
        self.seen = 0

    def __call__(self, batch: np.ndarray, training: bool = False) -> np.ndarray:
        assert not training and batch.shape[1:] == (28, 28, 1) and batch.max() <= 1.0
        rows = self.answers[self.seen:self.seen + len(batch)]
        self.seen += len(batch)
        return rows


def one_hot_answers(predicted: list[int], confidence: list[float]) -> np.ndarray:
    answers = np.full((len(predicted), 10), 0.0)
    for row, (digit, sure) in enumerate(zip(predicted, confidence)):
        answers[row] = (1 - sure) / 9
        answers[row, digit] = sure
    return answers


def test_confusion_matrix_counts_true_against_predicted():
    matrix = confusion_matrix(np.array([1, 1, 2, 3]), np.array([1, 7, 2, 3]))
    assert matrix.shape == (10, 10) and matrix.sum() == 4
    assert matrix[1, 1] == 1 and matrix[1, 7] == 1 and np.trace(matrix) == 3


def test_mistakes_come_most_confident_first_with_their_images():
    labels = np.array([0, 1, 2, 3, 4])
    images = np.stack([np.full((28, 28), value, np.uint8) for value in (10, 20, 30, 40, 50)])
    model = FixedModel(one_hot_answers([0, 7, 2, 8, 9], [0.9, 0.6, 0.9, 0.95, 0.7]))
    result = evaluate_model(Reader(model), images, labels)
    assert result.total == 5 and result.error_count == 3 and result.accuracy == pytest.approx(0.4)
    assert [(m.index, m.true, m.predicted) for m in result.mistakes] == [(3, 3, 8), (4, 4, 9), (1, 1, 7)]
    assert result.mistakes[0].confidence == pytest.approx(0.95)
    assert result.mistakes[0].image[0, 0] == 40 and result.mistakes[0].image.dtype == np.uint8


def test_mistakes_are_capped_and_batches_cover_every_image():
    count = 2_500  # more than two batches
    labels = np.zeros(count, np.int64)
    model = FixedModel(one_hot_answers([1] * count, [0.8] * count))
    result = evaluate_model(Reader(model), np.zeros((count, 28, 28), np.uint8), labels, max_mistakes=7)
    assert model.seen == count and result.error_count == count
    assert len(result.mistakes) == 7 and result.confusion[0, 1] == count


def test_the_bundled_model_is_evaluated_on_the_real_test_set():
    reader = load_reader()
    stored = reader.stored
    result = evaluate_model(reader)
    assert result.total == 10_000
    assert result.accuracy == pytest.approx(stored.meta.test_accuracy, abs=1e-3)
    assert all(m.true != m.predicted for m in result.mistakes)


def test_any_cell_of_the_matrix_opens_its_test_digits():
    labels = np.array([4, 4, 4, 4, 7, 7])
    images = np.stack([np.full((28, 28), value, np.uint8) for value in range(6)])
    model = FixedModel(one_hot_answers([9, 9, 4, 4, 7, 7], [0.6, 0.8, 0.99, 0.7, 0.9, 0.55]))
    result = evaluate_model(Reader(model), images, labels)
    assert [(m.index, m.confidence) for m in result.cell(4, 9)] == [(1, pytest.approx(0.8)), (0, pytest.approx(0.6))]
    assert [m.index for m in result.cell(4, 4)] == [3, 2], "read right: the least sure first"
    assert [m.index for m in result.cell(7, 7, limit=1)] == [5]
    assert result.cell(3, 8) == [] and result.cell(4, 9)[0].image[0, 0] == 1
    assert result.worst_mix_up() == (4, 9)
    perfect = evaluate_model(Reader(FixedModel(one_hot_answers([4, 7], [0.9, 0.9]))), images[:2], np.array([4, 7]))
    assert perfect.worst_mix_up() is None
