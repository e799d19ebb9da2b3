"""prediction.read_prepared_each: the comparison row's networks read one drawing in one call, each as it would alone."""

from __future__ import annotations

import threading

import cv2
import numpy as np

from mnist_core import prediction
from mnist_core.inference import Reader, load_reader
from mnist_core.paths import BUNDLED_DIR


def drawing(digits: int = 1) -> np.ndarray:
    """A 7 (or several side by side) as the app's canvas sends it: white on an opaque black canvas."""
    rgba = np.zeros((280, 280 * digits, 4), np.uint8)
    rgba[..., 3] = 255
    for place in range(digits):
        seven = np.array([(75, 60), (205, 60), (180, 110), (150, 170), (125, 235)], np.int32) + (280 * place, 0)
        cv2.polylines(rgba, [seven.astype(np.int32)], False, (255, 255, 255, 255), 22, cv2.LINE_AA)
    return rgba


def networks() -> list:
    return [load_reader(BUNDLED_DIR / f"{name}.keras") for name in ("softmax", "mlp", "fast")]


def test_each_network_reads_as_it_does_alone_in_one_call(monkeypatch):
    models = networks()
    for digits in (1, 3):
        prepared = prediction.predict(drawing(digits), models[0], multi=digits > 1).preprocessed
        alone = [model.classify(prepared.input_batch) for model in models]
        calls = []
        classify = Reader.classify
        monkeypatch.setattr(Reader, "classify", lambda model, batch: calls.append(model) or classify(model, batch))
        together = prediction.read_prepared_each(prepared, models, ["a", "b", "c"])
        monkeypatch.setattr(Reader, "classify", classify)
        assert calls == [], "the first model's reading was remembered; the others in one call, not one each"
        assert [answer.file for answer in together] == ["a", "b", "c"]
        for answer, expected, model in zip(together, alone, models):
            assert len(answer.readings) == digits
            assert np.allclose([reading.probabilities for reading in answer.readings], expected, atol=1e-6)
            assert answer == prediction.read_prepared(prepared, model, name=answer.file)


def test_pages_reading_at_once_get_their_own_drawings_back():
    models = networks()
    prepared = [prediction.predict(drawing(), models[0], multi=False).preprocessed for _ in range(6)]
    for index, one in enumerate(prepared):  # six different drawings: shifted copies of the 7
        one.input_batch[:] = np.roll(one.input_batch, index - 3, axis=2)
    expected = [[model.classify(one.input_batch)[0] for model in models] for one in prepared]
    for one in prepared:  # forget what was read, so that every page below reads afresh
        prediction._remembered(one).clear()
    results: dict[int, list] = {}
    start = threading.Barrier(len(prepared))

    def page(index: int) -> None:
        start.wait()
        results[index] = prediction.read_prepared_each(prepared[index], models, ["a", "b", "c"])

    threads = [threading.Thread(target=page, args=(index,)) for index in range(len(prepared))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for index, answers in results.items():
        assert np.allclose([answer.probabilities for answer in answers], expected[index], atol=1e-6)
    assert len(results) == len(prepared)


def test_a_blank_drawing_needs_no_network():
    blank = np.zeros((280, 280, 4), np.uint8)
    blank[..., 3] = 255
    prepared = prediction.predict(blank, networks()[0], multi=False).preprocessed
    answers = prediction.read_prepared_each(prepared, networks(), ["a", "b", "c"])
    assert all(answer.error and not answer.readings for answer in answers)
