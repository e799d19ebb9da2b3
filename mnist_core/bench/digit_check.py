"""How often "not a digit" is said: to generated non-digits (it should be), to MNIST, styled and font digits (not)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .inputs import Say, png

NOT_DIGIT_SEED = 13  # non-digits and font digits the digit check never trained or tuned on (seeds 11, 12)
NOT_DIGIT_COUNT = 300  # generated non-digits, and font digits
NOT_DIGIT_STYLED = 200  # MNIST test digits drawn on the canvas and photographed, each
NOT_DIGIT_TEST = 2_000  # MNIST test digits read as PNG files (all 10,000 also go through the check alone)


def digit_check(say: Say, count: int = NOT_DIGIT_COUNT, test_digits: int | None = None,
                styled: int = NOT_DIGIT_STYLED) -> dict[str, Any]:
    """How often the answer is "not a digit", through the predict path with the bundled model.

    Non-digits (letters, shapes, scribbles from `synth.non_digits`, seed 13) should get it; MNIST test
    digits, canvas- and photo-like test digits and font digits should not. Canvas drawings are read as
    the Draw page reads them (one digit), photos as uploads and `predict FILE` read them (several allowed);
    non-digits are also all read the `predict FILE` way. "refused" counts every answer without a digit,
    "by the check" only those the digit check gave.
    """
    from .. import synth
    from ..data import load_mnist
    from ..digit_check import NOT_A_DIGIT, SOME_NOT_DIGITS, load_check
    from ..digit_check_training import non_digit_example
    from ..inference import load_reader
    from ..prediction import predict

    model = load_reader()

    def read(image: np.ndarray, multi: bool = True):
        return predict(png(image), model, multi=multi)

    def rates(answers: list, truth: list[str] | None = None) -> dict[str, Any]:
        refused = [a.digit is None for a in answers]
        checked = [a.error in (NOT_A_DIGIT, SOME_NOT_DIGITS) for a in answers]
        row = {"count": len(answers), "refused": round(float(np.mean(refused)), 4),
               "refused_by_check": round(float(np.mean(checked)), 4)}
        if truth is not None:
            row["read_right"] = round(float(np.mean([a.digits == t for a, t in zip(answers, truth)])), 4)
        return row

    report: dict[str, Any] = {"seed": NOT_DIGIT_SEED}
    as_app, as_cli, kinds, misses = [], [], [], []
    for index in range(count):
        image, photo, kind = non_digit_example(NOT_DIGIT_SEED, index)
        as_app.append(read(image, multi=photo))
        as_cli.append(read(image))
        kinds.append(("photo " if photo else "canvas ") + kind.split(":")[0])
        if as_app[-1].digit is not None:
            misses.append(f"{'photo' if photo else 'canvas'} {kind} read as {as_app[-1].digits}")
    report["non_digits_as_app"] = rates(as_app)
    report["non_digits_as_cli"] = rates(as_cli)
    report["non_digits_by_kind"] = {kind: rates([a for a, k in zip(as_app, kinds) if k == kind])
                                    for kind in sorted(set(kinds))}
    report["non_digit_misses"] = misses
    say(f"  non-digits: {report['non_digits_as_app']['refused']:.1%} of {count} refused as the app reads them, "
        f"{report['non_digits_as_cli']['refused']:.1%} as predict FILE reads them")

    mnist = load_mnist()
    total = test_digits or NOT_DIGIT_TEST
    answers = [read(digit) for digit in mnist.x_test[:total]]
    report["mnist_test"] = rates(answers, [str(int(label)) for label in mnist.y_test[:total]])
    say(f"  MNIST test digits: {report['mnist_test']['refused_by_check']:.2%} of {total:,} refused by the check, "
        f"{report['mnist_test']['refused']:.2%} given no digit in all")
    # All 10,000 as the models see them without preprocessing (which leaves a plain MNIST digit nearly as it is).
    check = load_check()
    plain = mnist.x_test.astype(np.float32)[..., None] / 255.0
    report["mnist_test_all_check_only"] = {
        "count": len(plain), "refused_by_check": round(1.0 - float(check.looks_like_digits(plain).mean()), 4)
    } if check is not None else None

    digits, labels = mnist.x_test[-styled:], [str(int(label)) for label in mnist.y_test[-styled:]]
    for style, multi in (("canvas", False), ("photo", True)):
        images = synth.generate(digits, style, seed=NOT_DIGIT_SEED)
        report[f"mnist_{style}"] = rates([read(image, multi) for image in images], labels)
        say(f"  {style}-like test digits: {report[f'mnist_{style}']['refused_by_check']:.1%} of {styled} "
            f"refused by the check")
    rng = np.random.default_rng(NOT_DIGIT_SEED)
    inks, font_labels = synth.font_digits(count, rng)
    photos = rng.random(count) < 0.5
    answers = [read(synth.photo_like(ink, rng) if photo else synth.canvas_like(ink, rng), multi=bool(photo))
               for ink, photo in zip(inks, photos)]
    report["font_digits"] = rates(answers, [str(int(label)) for label in font_labels])
    say(f"  font digits: {report['font_digits']['refused_by_check']:.1%} of {count} refused by the check")
    return report


CALIBRATION_DIGITS = 2000  # the last test digits, read through the predict path (only measured, never fitted)
CALIBRATION_STYLED = 600  # held-out training digits 55,000-55,599, drawn photo- and canvas-like, for the gate
