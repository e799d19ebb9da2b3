"""The published Keras CNN recipe (as the tutorial runs it, Keras defaults) against the `fast` preset.

Both are trained from scratch in the same process, the cache bypassed, and compared as a ratio: the
reference's time over the mean of `fast` on five seeds, each of which must reach 99% on its own.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

from ..evaluation import evaluate_model
from ..inference import Reader
from ..models import BuildOptions, get_spec, steps_per_epoch
from ..fitting import prepared_data
from ..training import TrainConfig, TrainingJob, train_afresh
from .inputs import Say

REFERENCE = "keras_cnn"  # the seed recipe: TF2 Keras CNN tutorial, Adam, batch 32, 5 epochs
WARMUP_STEPS = 20  # steps that include graph tracing, timed apart from the steady pace
SEEDS = (0, 1, 2, 3, 4)  # `fast` must reach 99% on every one of them, not on average
SMOKE_SEEDS = 2  # a --limit run is a smoke test: two seeds show the shape of the report


def speed(full: bool, limit: int | None, say: Say) -> dict[str, Any]:
    """The reference recipe vs. `fast` on several seeds, each trained from scratch in this process."""
    reference = _reference_run(full=full, limit=limit, say=say)
    seeds = SEEDS if limit is None else SEEDS[:SMOKE_SEEDS]
    runs = []
    for seed in seeds:
        say(f"Training the fast preset from scratch, seed {seed} ...")
        run = {"seed": seed, **_fresh_run(TrainConfig.for_model("fast", limit=limit, seed=seed))}
        say(f"  fast, seed {seed}: {run['test_accuracy']:.2%} in {run['train_seconds']:.1f} s "
            f"({run['images_per_second']:.0f} images/s, 99% after {run['seconds_to_99']} s)")
        runs.append(run)
    accuracies = [run["test_accuracy"] for run in runs]
    fast = {
        "model": "fast", "seeds": list(seeds), "runs": runs,
        "train_seconds": round(statistics.mean(run["train_seconds"] for run in runs), 2),
        "test_accuracy": statistics.mean(accuracies), "min_test_accuracy": min(accuracies),
        "images_per_second": round(statistics.mean(run["images_per_second"] for run in runs), 1),
        "every_seed_reached_99": min(accuracies) >= 0.99,
    }
    ratio = reference["train_seconds"] / fast["train_seconds"]
    say(f"  fast: {fast['train_seconds']:.1f} s on average over seeds {', '.join(map(str, seeds))}, test accuracy "
        f"{min(accuracies):.2%} to {max(accuracies):.2%}; {ratio:.1f}x faster than the published recipe")
    return {"reference": reference, "fast": fast, "speedup": round(ratio, 2)}


def _reference_run(full: bool, limit: int | None, say: Say) -> dict[str, Any]:
    """Train the Keras tutorial CNN exactly as published (Keras defaults, XLA included).

    Without --full, one epoch is timed and the published five are extrapolated from it.
    """
    spec = get_spec(REFERENCE)
    recipe = spec.defaults
    images, digits, _, _ = prepared_data(limit)
    # The tutorial hands fit() the whole training set as float arrays, and Keras shuffles it: so does the reference.
    x_train, y_train = images.astype(np.float32) / 255.0, np.eye(10, dtype=np.float32)[digits]
    epochs = recipe.epochs if full else 1
    per_epoch = steps_per_epoch(len(x_train), recipe.batch_size)
    model = spec.build(BuildOptions(learning_rate=recipe.learning_rate, steps_per_epoch=per_epoch,
                                    total_steps=per_epoch * epochs, seed=0))
    say(f"Training the published {REFERENCE} recipe for {epochs} of its {recipe.epochs} epochs ...")
    clock = _StepClock(warmup_steps=WARMUP_STEPS)
    started = time.perf_counter()
    model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=epochs, verbose=0, callbacks=[clock.callback()])
    measured = time.perf_counter() - started
    total_steps = per_epoch * recipe.epochs
    # Extrapolate at the steady pace after warm-up, so one-off graph compilation is counted once, not five times.
    seconds = measured if full else clock.warmup_seconds + clock.seconds_per_step * (total_steps - WARMUP_STEPS)
    accuracy = evaluate_model(Reader(model)).accuracy  # at temperature 1: the right answers are the same
    images = len(x_train) * epochs
    say(f"  {REFERENCE}: {accuracy:.2%} after {epochs} epoch(s) in {measured:.1f} s; "
        f"{recipe.epochs} epochs {'took' if full else 'extrapolate to'} {seconds:.1f} s")
    return {"model": REFERENCE, "recipe": spec.published_recipe, "epochs_run": epochs,
            "extrapolated": not full, "train_seconds": round(seconds, 2), "test_accuracy": accuracy,
            "images_per_second": round(images / measured, 1), "reported_accuracy": spec.reported_accuracy}


class _StepClock:
    """Times the first `warmup_steps` of a fit() apart from the steady pace after them."""

    def __init__(self, warmup_steps: int) -> None:
        self.warmup_steps = warmup_steps
        self.started = time.perf_counter()
        self.warmup_seconds = 0.0
        self.seconds_per_step = 0.0
        self.steps = 0

    def callback(self):
        import keras

        clock = self

        class Clock(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                clock.started = time.perf_counter()

            def on_train_batch_end(self, batch, logs=None):
                clock.steps += 1
                elapsed = time.perf_counter() - clock.started
                if clock.steps == clock.warmup_steps:
                    clock.warmup_seconds = elapsed
                elif clock.steps > clock.warmup_steps:
                    clock.seconds_per_step = (elapsed - clock.warmup_seconds) / (clock.steps - clock.warmup_steps)

        return Clock()


def _fresh_run(config: TrainConfig) -> dict[str, Any]:
    """Train `config` now, ignoring the cache, and summarise the result."""
    job = TrainingJob(config)  # in a thread of its own: not the engine's line, nor its cache
    train_afresh(job)
    progress = job.wait()
    if progress.state != "done":
        raise RuntimeError(progress.error or f"training {config.model} ended {progress.state}")
    meta = progress.result.meta
    return {"model": config.model, "test_accuracy": meta.test_accuracy, "train_seconds": meta.train_seconds,
            "images_per_second": meta.images_per_second, "seconds_to_99": meta.seconds_to_99,
            "epochs": config.epochs, "device": meta.device}

