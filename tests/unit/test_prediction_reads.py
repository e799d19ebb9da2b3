"""prediction.read_prepared: each model reads one preprocessed drawing once, however often the page asks."""

import cv2
import numpy as np

from mnist_core import prediction
from mnist_core.inference import Reader, load_reader
from mnist_core.paths import BUNDLED_DIR


def drawing() -> np.ndarray:
    """A 7 as the app's canvas sends it (white on an opaque black canvas)."""
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    cv2.polylines(rgba, [np.array([(75, 60), (205, 60), (180, 110), (150, 170), (125, 235)], np.int32)], False,
                  (255, 255, 255, 255), 22, cv2.LINE_AA)
    return rgba


def test_the_comparison_reuses_the_answer_and_every_other_model_reads_for_itself(monkeypatch):
    default = load_reader()
    other = load_reader(BUNDLED_DIR / "fast.keras")
    calls = []
    classify = Reader.classify
    monkeypatch.setattr(Reader, "classify", lambda reader, batch: calls.append(reader) or classify(reader, batch))
    answer = prediction.predict(drawing(), default, multi=False)
    assert answer.digit == 7 and calls == [default]
    again = prediction.read_prepared(answer.preprocessed, default)  # the comparison, the session's model
    assert calls == [default] and again.readings == answer.readings
    by_other = prediction.read_prepared(answer.preprocessed, other)
    assert calls == [default, other]
    assert np.allclose(by_other.probabilities, classify(other, answer.preprocessed.input_batch)[0])
    fresh = prediction.predict(drawing(), default, multi=False)  # a new drawing is read afresh
    assert calls == [default, other, default] and fresh.readings == answer.readings
