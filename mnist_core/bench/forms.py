"""Digits that fill their frame, in printed boxes, on answer lines and in plots (issue #25), through the predict path.

Every image takes the path of `python -m mnist_core predict FILE --json` (a PNG file, several digits allowed)
and counts as right only when exactly the true digit(s) are read. Sources: the last MNIST test digits and font
digits of seed FONT_SEED; images of seed FORMS_SEED. Preprocessing was tuned on other material (TUNE_SEED:
training digits 55,000 on and font digits of another seed), never on these.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .inputs import Say, png

FORMS_DIGITS = 500  # per source and kind
FORMS_ROWS = 100
FORMS_SEED, FONT_SEED = 25, 26  # the benchmark's images and font digits
TUNE_SEED, TUNE_FONT_SEED = 250, 260  # what preprocessing was tuned on (with training digits 55,000 on)


def forms(say: Say, count: int = FORMS_DIGITS, rows: int = FORMS_ROWS, tune: bool = False) -> dict[str, Any]:
    """Right, wrong and "no digit" per kind: framed digits (64 px, 16 px, 17-48 px), single boxed digits, digits
    on answer lines, digits in plot frames, and rows of 4-6 boxed digits read exactly.

    `tune` measures the tuning material instead of the benchmark's.
    """
    from .. import synth

    model = None  # predict's own: the bundled model, loaded once per process
    sources = material(count, tune)
    seed = TUNE_SEED if tune else FORMS_SEED
    report: dict[str, Any] = {"seed": seed, "tuning_material": tune}
    for source, (inks, labels) in sources.items():
        for kind in synth.FRAME_SIZES:
            images = synth.frames(inks, kind, seed)
            report[f"{source}_{kind}"] = tally(model, images, labels, f"{source}-{kind}", say)
        for kind, make in synth.FORMS.items():
            if kind == "plot" and source != "mnist":
                continue  # a plot shows an image: MNIST's own 28x28
            images = [make(ink, np.random.default_rng([seed, index])) for index, ink in enumerate(inks)]
            report[f"{source}_{kind}"] = tally(model, images, labels, f"{source}-{kind}", say)
    inks, labels = sources["mnist"]
    made = synth.boxed_rows(inks, labels, rows, seed)
    report["mnist_boxed_rows"] = tally(model, [image for image, _ in made], [text for _, text in made],
                                       "mnist-rows", say)
    return report


def material(count: int, tune: bool) -> dict[str, tuple[Any, np.ndarray]]:
    """The digits: MNIST (test digits for the benchmark, training digits 55,000 on for tuning) and font digits."""
    from .. import synth
    from ..data import NUM_FIT, load_mnist

    mnist = load_mnist()
    if tune:
        mnist_part = (mnist.x_train[NUM_FIT:NUM_FIT + count], mnist.y_train[NUM_FIT:NUM_FIT + count])
    else:
        mnist_part = (mnist.x_test[-count:], mnist.y_test[-count:])
    fonts = synth.font_digits(count, np.random.default_rng(TUNE_FONT_SEED if tune else FONT_SEED))
    return {"mnist": mnist_part, "font": fonts}


def tally(model: Any, images: list[np.ndarray], truth: Any, name: str, say: Say) -> dict[str, Any]:
    """Right, wrong and no digit, with the first misses (what was read, or why not)."""
    from ..prediction import predict

    counts = {"right": 0, "wrong": 0, "no_digit": 0}
    misses: list[dict[str, Any]] = []
    for index, (image, label) in enumerate(zip(images, truth)):
        answer = predict(png(image), model, name=f"{name}-{index}.png")
        outcome = "right" if answer.digits == str(label) else "no_digit" if answer.digits is None else "wrong"
        counts[outcome] += 1
        if outcome != "right" and len(misses) < 40:
            misses.append({"index": index, "label": str(label), "read": answer.digits, "reason": answer.error})
    total = max(1, len(images))
    say(f"  {name:>18}: {counts['right'] / total:.1%} of {len(images)} right, {counts['wrong']} wrong, "
        f"{counts['no_digit']} no digit")
    return {"images": len(images), **counts, "accuracy": round(counts["right"] / total, 4), "misses": misses}
