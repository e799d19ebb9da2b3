"""`python -m mnist_core bench`: speed, accuracy and robustness, measured side by side.

Absolute seconds on shared machines are noisy, so every comparison is a ratio
of two measurements taken in the same run on the same machine. One module per suite:

- speed: the published Keras CNN recipe against our `fast` preset, trained from scratch.
- zoo: each tutorial model trained as published; reproduced vs. reported accuracy.
- inference: images per second, draw-to-prediction latency, process memory.
- robustness: the bundled model on photo-like and canvas-like digits, 4-digit strips, and tight
  crops (16 px to 3000 px) of MNIST and of font digits.
- digit-check: "not a digit" said to generated non-digits, and not to MNIST test, styled and font digits.
- forms: digits that fill their frame, in printed boxes and rows of boxes, on answer lines, in plot frames.
- calibration: is "90% sure" right 9 times in 10, for every bundled model, through the predict path.
- classroom: N people drawing on one real app server while a training runs: drawing-to-answer p50/p95, RSS.
- memory: peak RSS of `train --model fast`; the app's server idle after its first answer and while training.
- workers: four trainings through the Redis training line on one worker, then on two: the throughput ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .inputs import Say, machine


@dataclass(frozen=True)
class Options:
    """What the command line passes to every suite; each suite reads what it needs."""

    full: bool = False
    limit: int | None = None  # a quick smoke run: few images, few examples
    models: list[str] | None = None


def _speed(options: Options, say: Say) -> dict[str, Any]:
    from .speed import speed

    return speed(full=options.full, limit=options.limit, say=say)


def _zoo(options: Options, say: Say) -> list[dict[str, Any]]:
    from .zoo import TUTORIALS, zoo

    return zoo(options.models or list(TUTORIALS), limit=options.limit, say=say)


def _inference(options: Options, say: Say) -> dict[str, Any]:
    from .inference import inference

    return inference(say=say)


def _robustness(options: Options, say: Say) -> dict[str, Any]:
    from .robustness import ROBUSTNESS_DIGITS, robustness

    return robustness(say=say, count=20 if options.limit else ROBUSTNESS_DIGITS)


def _digit_check(options: Options, say: Say) -> dict[str, Any]:
    from .digit_check import digit_check

    return digit_check(say=say, **({"count": 20, "test_digits": 50, "styled": 20} if options.limit else {}))


def _forms(options: Options, say: Say) -> dict[str, Any]:
    from .forms import forms

    return forms(say=say, **({"count": 20, "rows": 10} if options.limit else {}))


def _calibration(options: Options, say: Say) -> dict[str, Any]:
    from .calibration import calibration

    return calibration(say=say, models=options.models, **({"count": 50, "styled": 10} if options.limit else {}))


def _classroom(options: Options, say: Say) -> dict[str, Any]:
    from .classroom import classroom

    return classroom(say=say, **({"sessions": (1, 3), "seconds": 15.0, "epochs": 2} if options.limit else {}))


def _memory(options: Options, say: Say) -> dict[str, Any]:
    from .memory import memory

    return memory(say=say, quick=bool(options.limit))


def _workers(options: Options, say: Say) -> dict[str, Any]:
    from .workers import workers

    return workers(say=say, quick=bool(options.limit))


# Suite name (as typed after --suite) -> (report key, runner). "all" runs them in this order.
SUITES: dict[str, tuple[str, Callable[[Options, Say], Any]]] = {
    "speed": ("speed", _speed),
    "zoo": ("zoo", _zoo),
    "inference": ("inference", _inference),
    "robustness": ("robustness", _robustness),
    "digit-check": ("digit_check", _digit_check),
    "forms": ("forms", _forms),
    "calibration": ("calibration", _calibration),
    "classroom": ("classroom", _classroom),
    "memory": ("memory", _memory),
    "workers": ("workers", _workers),
}


def run_bench(suite: str = "speed", full: bool = False, limit: int | None = None,
              models: list[str] | None = None, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run one suite (or "all") and return the report as JSON-friendly data."""
    say = log or (lambda message: None)
    options = Options(full=full, limit=limit, models=models)
    report: dict[str, Any] = {"machine": machine()}
    say(f"Machine: {report['machine']['summary']}")
    for name in SUITES if suite == "all" else (suite,):
        key, runner = SUITES[name]
        report[key] = runner(options, say)
    return report
