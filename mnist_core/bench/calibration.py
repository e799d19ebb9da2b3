"""Is "90% sure" right 9 times in 10? Every bundled model, through the predict path."""

from __future__ import annotations

from typing import Any

import numpy as np

from .inputs import Say, png

CALIBRATION_DIGITS = 2000  # the last test digits, read through the predict path (only measured, never fitted)
CALIBRATION_STYLED = 600  # held-out training digits 55,000-55,599, drawn photo- and canvas-like, for the gate


def calibration(say: Say, count: int = CALIBRATION_DIGITS, styled: int = CALIBRATION_STYLED,
                models: list[str] | None = None) -> dict[str, Any]:
    """Is "90% sure" right 9 times in 10? Every bundled model, through the path `predict --json` takes.

    Each test digit is encoded as a PNG and read by `predict` (preprocessing included); a digit counts as
    right only when exactly the true digit is read. ECE compares the calibrated confidence of the first digit
    read with whether that digit is right, over every input with a reading (those held back as unsure or
    "not a digit" included: their forced choice is still a stated confidence). The confidence threshold is
    checked on held-out training digits drawn photo- and canvas-like, never on the test set. `models`
    (zoo names) measures only those bundled models, e.g. one just retrained.
    """
    from .. import synth
    from ..calibration import ECE_BINS, reliability
    from ..data import NUM_FIT, load_mnist
    from ..models import ZOO
    from ..paths import BUNDLED_DIR
    from ..inference import load_reader
    from ..prediction import MIN_CONFIDENCE, predict
    from ..store import verify

    mnist = load_mnist()
    digits, labels = mnist.x_test[-count:], mnist.y_test[-count:]
    report: dict[str, Any] = {"test_digits": count, "bins": ECE_BINS, "models": {}}
    for path in sorted(BUNDLED_DIR.glob("*.keras")):
        meta = verify(path).meta
        if meta.model not in ZOO or (models and meta.model not in models):
            continue  # not a digit reader (the "is it a digit?" check), or not asked for
        model = load_reader(path)
        # Only what is measured is kept: a Prediction holds its preprocessing pictures (megabytes each).
        read = [(answer.digits, answer.readings[0].probabilities if answer.readings else None)
                for answer in (predict(png(255 - digit), model, name=f"{index}.png")
                               for index, digit in enumerate(digits))]
        given = [(row, int(label)) for (_, row), label in zip(read, labels) if row is not None]
        probabilities = np.array([row for row, _ in given])
        truth = np.array([label for _, label in given])
        bins = reliability(probabilities, truth)
        confidence = probabilities.max(axis=1)
        ece = sum(b.count * abs(b.accuracy - b.confidence) for b in bins) / max(1, len(truth))
        right = sum(digits == str(label) for (digits, _), label in zip(read, labels))
        report["models"][path.name] = {
            "model": meta.model, "temperature": meta.temperature, "read_right": right / count,
            "mean_confidence": float(confidence.mean()), "ece": float(ece),
            "held_back": sum(digits is None for digits, _ in read) / count,
            "ece_uncalibrated_test_set": meta.calibration.test.ece_uncalibrated
            if meta.calibration and meta.calibration.test else None,
            "reliability": [vars(b) for b in bins],
        }
        say(f"  {path.name:>18}: {right / count:.2%} right, mean confidence {confidence.mean():.2%}, "
            f"ECE {ece:.2%} (temperature {meta.temperature or 1.0:.3f})")
    model = load_reader()
    rng = np.random.default_rng(7)
    confidences, right_answers = [], []
    for index in range(NUM_FIT, NUM_FIT + styled):
        digit, label = mnist.x_train[index], int(mnist.y_train[index])
        for style, make in (("photo", synth.photo_like), ("canvas", synth.canvas_like)):
            answer = predict(make(digit, rng), model, multi=style == "photo")
            confidences.append(answer.readings[0].confidence if answer.readings else 0.0)
            right_answers.append(len(answer.readings) == 1 and answer.readings[0].digit == label)
    confidences, right_answers = np.array(confidences), np.array(right_answers)
    read = confidences > 0
    thresholds = {}
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        held = read & (confidences < threshold)
        thresholds[str(threshold)] = {"wrong_held_back": int((held & ~right_answers).sum()),
                                      "right_held_back": int((held & right_answers).sum())}
    report["threshold"] = {"value": MIN_CONFIDENCE, "styled_inputs": int(read.sum()),
                           "wrong": int((read & ~right_answers).sum()), "right": int((read & right_answers).sum()),
                           "by_threshold": thresholds}
    say(f"  confidence threshold {MIN_CONFIDENCE}: {thresholds[str(MIN_CONFIDENCE)]} of "
        f"{report['threshold']['wrong']} wrong / {report['threshold']['right']} right styled answers")
    return report
