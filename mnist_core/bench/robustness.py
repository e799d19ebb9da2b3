"""The bundled model on photo-like and canvas-like digits, 4-digit strips, blank inputs and tight crops."""

from __future__ import annotations

from typing import Any

import numpy as np

from .inputs import Say, png

ROBUSTNESS_DIGITS = 1000  # the last 1,000 test digits (preprocessing was tuned on the 1,000 before them)
ROBUSTNESS_STRIPS = 300
ROBUSTNESS_BLANKS = 100  # blank paper photos, noise images and empty canvases, each
CROP_DIGITS = {"crop64": 500, "crop24": 500, "crop16": 500, "crop_large": 100}  # per source; huge ones are slow
CROP_SEED, FONT_SEED = 5, 1  # preprocessing was tuned on seed 0 (training digits, font digits): not these


def robustness(say: Say, count: int) -> dict[str, Any]:
    """Accuracy of the bundled model per synthetic transformation of MNIST test digits.

    Every image takes the path of `python -m mnist_core predict FILE --json`:
    encoded as a PNG file, read with several digits allowed, and counted right
    only when exactly the true digit is read (an extra "digit" or "no digit"
    is wrong). Blank paper, noise and an empty canvas must give no digit.
    """
    from .. import synth
    from ..data import load_mnist

    model = None  # predict's own: the bundled model, loaded once per process
    mnist = load_mnist()
    # The last test digits: never used for tuning preprocessing or thresholds.
    digits, labels = mnist.x_test[-count:], mnist.y_test[-count:]
    per_transform = transformed(model, digits, labels, list(synth.TRANSFORMS), say)
    strip_count = max(10, count // 3) if count < ROBUSTNESS_DIGITS else ROBUSTNESS_STRIPS
    exact = strips_read(model, digits, labels, strip_count, say)
    rejected = no_digit_inputs(model, say)
    crops = tight_crops(model, digits, labels, count, say)
    return {"digits_per_transform": count, "accuracy": per_transform,
            "strips": strip_count, "strips_read_exactly": exact,
            "no_digit_inputs": ROBUSTNESS_BLANKS, "no_digit_rejected": rejected, "tight_crops": crops}


def no_digit_inputs(model: Any, say: Say) -> dict[str, float]:
    """Share of blank paper photos, noise images and empty canvases answered with no digit and a reason."""
    from .. import synth
    from ..prediction import predict

    rejected = {}
    for name, make in synth.NOT_DIGITS.items():
        refused = sum(answer.digit is None and bool(answer.error)
                      for answer in (predict(png(make(np.random.default_rng([3, index]))), model)
                                     for index in range(ROBUSTNESS_BLANKS)))
        rejected[name] = round(refused / ROBUSTNESS_BLANKS, 4)
        say(f"  {name:>12}: {rejected[name]:.0%} of {ROBUSTNESS_BLANKS} give no digit, with a reason")
    return rejected


def transformed(model: Any, digits: np.ndarray, labels: np.ndarray, names: list[str],
                say: Say) -> dict[str, float]:
    """Share of digits read right after each named synthetic transformation (`synth.TRANSFORMS`), seed 1."""
    from .. import synth
    from ..prediction import predict

    per_transform = {}
    for name in names:
        images = synth.generate(digits, name, seed=1)
        correct = sum(predict(png(image), model, name=f"{name}-{index}.png").digits == str(int(label))
                      for index, (image, label) in enumerate(zip(images, labels)))
        per_transform[name] = round(correct / len(digits), 4)
        say(f"  {name:>10}: {per_transform[name]:.1%} of {len(digits)} digits read right")
    return per_transform


def strips_read(model: Any, digits: np.ndarray, labels: np.ndarray, count: int, say: Say) -> float:
    """Share of `count` 4-digit strips (seed 2) read exactly."""
    from .. import synth
    from ..prediction import predict

    strips = synth.strips(digits, labels, count, seed=2)
    exact = sum(predict(png(image), model).digits == text for image, text in strips)
    say(f"  4-digit strips: {exact / count:.1%} of {count} read exactly")
    return round(exact / count, 4)


def tight_crops(model: Any, digits: np.ndarray, labels: np.ndarray, count: int,
                 say: Say) -> dict[str, Any]:
    """Digits cropped to their ink (touching the edges), 16 px to 3000 px: right, wrong, or "no digit", per kind.

    Two sources: the last MNIST test digits, and digits rendered from fonts
    (not MNIST at all). Half dark ink on light paper, half the other way round.
    """
    from .. import synth
    from ..prediction import predict

    font_digits, font_labels = synth.font_digits(count, np.random.default_rng(FONT_SEED))
    sources = {"mnist": (digits, labels), "font": (font_digits, font_labels)}
    result: dict[str, Any] = {}
    for source, (inks, truth) in sources.items():
        for kind, wanted in CROP_DIGITS.items():
            n = min(wanted, count)
            tally = {"right": 0, "wrong": 0, "no_digit": 0}
            misses: list[dict[str, Any]] = []
            for index, (ink, label) in enumerate(zip(inks[-n:], truth[-n:])):
                image = synth.crop(ink, kind, CROP_SEED, index)
                answer = predict(png(image), model, name=f"{source}-{kind}-{index}.png")
                read = answer.digits
                outcome = "right" if read == str(int(label)) else "no_digit" if read is None else "wrong"
                tally[outcome] += 1
                if outcome != "right":
                    misses.append({"index": index, "size": list(image.shape), "label": int(label),
                                   "read": answer.digits, "reason": answer.error})
            name = f"{source}_{kind}"
            result[name] = {"images": n, **tally, "accuracy": round(tally["right"] / n, 4),
                            "sizes_px": list(synth.CROP_SIZES[kind]), "misses": misses}
            say(f"  {name:>17}: {tally['right'] / n:.1%} of {n} read right, {tally['wrong']} wrong, "
                f"{tally['no_digit']} no digit")
    return result
