"""Teaching: the last layer trained on the person's examples beside replayed MNIST digits, then recalibrated.

The examples are augmented (turned, slanted, shifted, thickened a little), so ten of them teach a style rather
than ten pictures; MNIST training digits are replayed beside them, and the weights are pulled back towards the
original ones, so the model does not forget MNIST. Afterwards the confidence temperature is fitted again on
the held-out training images 55,000-59,999 (as `evaluation.calibrate` does), and the MNIST test accuracy is
measured before and after on all 10,000 test digits.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import calibration
from ..data import NUM_FIT
from ..errors import AdaptError
from ..inference import Reader
from ..known_digits import KNOWN_DIGITS, KnownDigits
from ..models import LOGITS_LAYER, describe
from .examples import HOLD_OUT_SHARE, MAX_EXAMPLES, MIN_EXAMPLES, Example, augment, hold_out
from .features import Prepared, Progress, prepare

if TYPE_CHECKING:
    import keras

    from ..store import StoredModel

# Tuned on generated writers and on the held-out training images, never on the test set.
AUGMENTED_IMAGES = 1200  # augmented copies of the examples in all (at least MIN_COPIES of each)
MIN_COPIES = 4
BATCH_EXAMPLES, BATCH_REPLAY = 32, 64  # per step: the writer's digits and MNIST's, side by side
DEFAULT_EPOCHS = 15  # passes over the augmented examples
MAX_EPOCHS = 200
LEARNING_RATE = 3e-3  # Adam
REPLAY_WEIGHT = 10.0  # the MNIST digits' share of the loss, against the writer's 1: less forgetting
ANCHOR = 1e-2  # pull towards the original weights (sum of squared changes), so MNIST is not forgotten
# Made-up non-digits a taught hand is told apart from (known_digits), from a seed of their own: the check learns
# from 11, chooses its threshold on 12 and is benchmarked on 13; research/measure_known_digits.py measures on 14.
KNOWN_NON_DIGITS, KNOWN_SEED = 600, 21


@dataclass(frozen=True)
class Result:
    """The adapted model and what teaching did to it."""

    reader: Reader  # the taught copy, read at its new temperature
    examples: int  # all usable examples
    examples_trained: list[Example]
    examples_held_out: list[Example]
    examples_accuracy_before: float  # on the held-out examples (on the trained ones when none were held out)
    examples_accuracy_after: float
    examples_measured_on: str  # "held-out examples" or "training examples"
    before: list[int]  # the base model's answer for each held-out example
    after: list[int]  # the adapted model's answer
    mnist_test_accuracy_before: float
    mnist_test_accuracy_after: float
    # Of the examples measured on, how many the "not a digit" check turned away before teaching, and after it
    # (those the taught model does not know: known_digits).
    examples_turned_away_before: int
    examples_turned_away_after: int
    seconds: float  # teaching, from examples to a calibrated model (not the once-per-model preparation)
    cpu_seconds: float  # processor time of this process meanwhile: what an idle 2-core machine needs at most
    prepare_seconds: float
    epochs: int
    steps: int
    calibration: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> "keras.Model":
        return self.reader.model

    @property
    def temperature(self) -> float:
        return self.reader.temperature

    @property
    def nothing_to_learn(self) -> bool:
        """Every example it was measured on was read right before teaching, and none turned away as "not a
        digit": there was nothing to fix, and a before/after of "+0" would hide that."""
        return bool(self.before) and self.examples_accuracy_before >= 1.0 and not self.examples_turned_away_before

    def summary(self) -> dict[str, Any]:
        """The numbers the CLI prints and the sidecar keeps."""
        return {"examples": self.examples, "examples_trained": len(self.examples_trained),
                "nothing_to_learn": self.nothing_to_learn,
                "examples_held_out": len(self.examples_held_out),
                "examples_accuracy_before": self.examples_accuracy_before,
                "examples_accuracy_after": self.examples_accuracy_after,
                "examples_measured_on": self.examples_measured_on,
                "mnist_test_accuracy_before": self.mnist_test_accuracy_before,
                "mnist_test_accuracy_after": self.mnist_test_accuracy_after,
                "examples_turned_away_before": self.examples_turned_away_before,
                "examples_turned_away_after": self.examples_turned_away_after,
                "seconds": round(self.seconds, 3), "cpu_seconds": round(self.cpu_seconds, 3),
                "prepare_seconds": round(self.prepare_seconds, 3),
                "epochs": self.epochs, "steps": self.steps, "temperature": self.temperature}


_teaching = threading.Semaphore(1)  # one teaching at a time per process: two would only slow each other down
WAIT_SECONDS = 60.0


def adapt(model: "keras.Model", examples: Sequence[Example], *, sha256: str | None = None,
          epochs: int = DEFAULT_EPOCHS, keep_aside: float = HOLD_OUT_SHARE, seed: int = 0,
          progress: Progress | None = None) -> Result:
    """A copy of `model` taught `examples` (the model itself is never changed).

    `keep_aside` is the share of examples held out of teaching to test on (see `hold_out`); with 0 the
    accuracy on the examples is measured on the ones taught, which says less. `sha256` (the model file's checksum)
    lets the once-per-model features be found in the cache. `progress` hears what is happening, 0 to 1.
    """
    examples = list(examples)
    _check(examples, epochs)
    say = progress or (lambda share, message: None)
    if not _teaching.acquire(timeout=WAIT_SECONDS):
        raise AdaptError("Someone else is teaching a model on this computer right now. Try again in a minute.")
    try:
        prepared = prepare(model, sha256, say)  # at once when this model was taught before
        return _teach(model, prepared, examples, epochs=epochs, keep_aside=keep_aside, seed=seed, say=say)
    finally:
        _teaching.release()


def _check(examples: list[Example], epochs: int) -> None:
    if len(examples) < MIN_EXAMPLES:
        raise AdaptError(f"Teaching needs at least {MIN_EXAMPLES} examples; there {'is' if len(examples) == 1 else 'are'}"
                         f" {len(examples)}. Add {MIN_EXAMPLES - len(examples)} more.")
    if len(examples) > MAX_EXAMPLES:
        raise AdaptError(f"Teaching takes at most {MAX_EXAMPLES} examples at a time; there are {len(examples)}.")
    if not 1 <= epochs <= MAX_EPOCHS:
        raise AdaptError(f"epochs must be between 1 and {MAX_EPOCHS}, not {epochs}.")


def _teach(model: "keras.Model", prepared: Prepared, examples: list[Example], *, epochs: int, keep_aside: float,
           seed: int, say: Progress) -> Result:
    import tensorflow as tf

    started, cpu_started = time.perf_counter(), time.process_time()
    rng = np.random.default_rng(seed)
    learn, test = hold_out(examples, keep_aside, seed)
    digits = np.stack([example.digit for example in learn])
    labels = np.array([example.label for example in learn], np.int64)
    copies = max(MIN_COPIES, AUGMENTED_IMAGES // len(learn))
    augmented = np.concatenate([digits, augment(digits, copies, rng)])
    augmented_labels = np.concatenate([labels, np.repeat(labels, copies)])
    say(0.0, "Learning your handwriting")
    feats = prepared.features(augmented)  # the only forward passes through the network while teaching
    say(0.25, "Learning your handwriting")

    # Train the last layer: cross-entropy on the person's digits and on MNIST's, plus a pull to the old weights.
    kernel0, bias0 = tf.constant(prepared.kernel), tf.constant(prepared.bias)
    kernel, bias = tf.Variable(prepared.kernel), tf.Variable(prepared.bias)
    optimizer = tf.keras.optimizers.Adam(LEARNING_RATE)
    per_epoch = max(1, int(np.ceil(len(feats) / BATCH_EXAMPLES)))
    steps = epochs * per_epoch
    mine = tf.constant(feats)
    mine_labels = tf.constant(augmented_labels)
    replay = tf.constant(prepared.replay)
    replay_labels = tf.constant(prepared.replay_labels)

    @tf.function
    def step(at_mine, at_replay):
        with tf.GradientTape() as tape:
            def loss_on(x, y):
                scores = tf.matmul(x, kernel) + bias
                return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, scores))

            loss = (loss_on(tf.gather(mine, at_mine), tf.gather(mine_labels, at_mine))
                    + REPLAY_WEIGHT * loss_on(tf.gather(replay, at_replay), tf.gather(replay_labels, at_replay))
                    + ANCHOR * (tf.reduce_sum(tf.square(kernel - kernel0)) + tf.reduce_sum(tf.square(bias - bias0))))
        optimizer.apply_gradients(zip(tape.gradient(loss, [kernel, bias]), [kernel, bias]))
        return loss

    report_every = max(1, steps // 40)
    for number in range(steps):
        at_mine = rng.integers(0, len(feats), BATCH_EXAMPLES)
        at_replay = rng.integers(0, len(prepared.replay), BATCH_REPLAY)
        step(tf.constant(at_mine), tf.constant(at_replay))
        if number % report_every == 0:
            say(0.25 + 0.65 * number / steps, "Learning your handwriting")
    new_kernel, new_bias = kernel.numpy(), bias.numpy()

    say(0.92, "Checking what it learned")
    temperature = calibration.fit_temperature(prepared.validation @ new_kernel + new_bias,
                                              prepared.validation_labels)
    # The examples' features and their copies' (computed above), so the "not a digit" check knows this hand.
    known = KnownDigits.fit(feats, prepared.features(_non_digits()))
    adapted = _with_last_layer(model, new_kernel, new_bias, temperature, known)
    measured_on = test if test else learn
    measured_digits = np.stack([example.digit for example in measured_on])
    measured = prepared.features(measured_digits)
    truth = np.array([example.label for example in measured_on])
    before = (measured @ prepared.kernel + prepared.bias).argmax(axis=1)
    after = (measured @ new_kernel + new_bias).argmax(axis=1)
    test_scores = prepared.test @ new_kernel + new_bias
    turned_away = _turned_away(measured_digits)
    still_turned_away = turned_away & ~known.knows(measured) if known is not None else turned_away
    result = Result(
        reader=adapted, examples=len(examples), examples_trained=learn,
        examples_held_out=test, examples_accuracy_before=float((before == truth).mean()),
        examples_accuracy_after=float((after == truth).mean()),
        examples_measured_on="held-out examples" if test else "training examples",
        before=[int(d) for d in before], after=[int(d) for d in after],
        mnist_test_accuracy_before=prepared.test_accuracy(),
        mnist_test_accuracy_after=float((test_scores.argmax(axis=1) == prepared.test_labels).mean()),
        examples_turned_away_before=int(turned_away.sum()), examples_turned_away_after=int(still_turned_away.sum()),
        seconds=time.perf_counter() - started, cpu_seconds=time.process_time() - cpu_started,
        prepare_seconds=prepared.seconds, epochs=epochs, steps=steps,
        calibration=_calibration_summary(prepared, new_kernel, new_bias, temperature))
    say(1.0, "Done")
    return result


def _calibration_summary(prepared: Prepared, kernel: np.ndarray, bias: np.ndarray,
                         temperature: float) -> dict[str, Any]:
    """As `evaluation.calibrate` reports it: fitted on the held-out training images, measured on the test set."""
    from ..data import NUM_TRAIN

    def measured(features: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
        return calibration.before_and_after(features.astype(np.float64) @ kernel + bias, labels, temperature)

    return {"fitted_on": f"training images {NUM_FIT:,}-{NUM_TRAIN - 1:,} (after teaching)",
            "validation": measured(prepared.validation, prepared.validation_labels),
            "test": measured(prepared.test, prepared.test_labels)}


def _turned_away(digits: np.ndarray) -> np.ndarray:
    """For each (28, 28) example, whether the "not a digit" check turns it away (never, when the check is off)."""
    from ..digit_check import load_check

    check = load_check()
    return ~check.looks_like_digits(digits[..., None]) if check is not None else np.zeros(len(digits), bool)


@lru_cache(maxsize=1)
def _non_digits() -> np.ndarray:
    """Made-up letters, shapes and scribbles as preprocessing gives them, (N, 28, 28): what a taught hand's digits
    must stay apart from (made once, then read from the cache folder)."""
    from ..digit_check_training import prepared_examples

    return prepared_examples(False, KNOWN_NON_DIGITS, seed=KNOWN_SEED, cache=True)[0][..., 0]


def _with_last_layer(model: "keras.Model", kernel: np.ndarray, bias: np.ndarray, temperature: float,
                     known: KnownDigits | None) -> Reader:
    """A copy of `model` with a new last layer, read at `temperature`, knowing the taught digits; the original is
    left exactly as it was."""
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.get_layer(LOGITS_LAYER).set_weights([kernel, bias])
    return Reader(copy, temperature, known=known)


# --- Keeping it ---


def sidecar(result: Result, base: "StoredModel") -> dict[str, Any]:
    """The adapted model's sidecar: the base model's description, plus what teaching did and its new confidence."""
    kept = ("model", "config", "params", "train_images", "data_source", "device", "precision", "epochs_done")
    return {**{key: value for key, value in base.meta.to_dict().items() if key in kept},
            "test_accuracy": result.mnist_test_accuracy_after, "temperature": result.temperature,
            "calibration": result.calibration,
            "adapted": {"base_model": str(base.path), "base_label": describe(base.meta, base.path.stem),
                        "base_sha256": base.meta.sha256, **result.summary(),
                        **({KNOWN_DIGITS: result.reader.known.to_json()} if result.reader.known else {})}}


def save(result: Result, base: "StoredModel", path: str | Path) -> "StoredModel":
    """Write the adapted model and its sidecar (never over the base model's own file)."""
    from .. import store

    path = Path(path)
    path = path if path.suffix == store.MODEL_SUFFIX else path.with_suffix(store.MODEL_SUFFIX)
    if path.resolve() == Path(base.path).resolve():
        raise AdaptError(f"{path} is the model being taught: choose another file name, so the original stays.")
    from ..paths import BUNDLED_DIR

    if path.resolve().parent == BUNDLED_DIR.resolve():
        raise AdaptError(f"{path} is in the folder of models that ship with the app, which are never changed. "
                         "Save it somewhere else.")
    return store.save_model(result.model, path, sidecar(result, base))
