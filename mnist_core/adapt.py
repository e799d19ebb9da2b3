"""Teach a model one person's handwriting in seconds: adapt its last layer to their examples.

A network trained on MNIST misreads some people's 7s or 1s. Given a few of
their digits, each with its label, `adapt()` fine-tunes a copy of the model:

- Only the last layer (the one named "logits", which turns the network's
  learned features into ten scores) changes. Everything before it stays as it
  is, so its features are computed once per model (`prepare`, cached on disk)
  and a teaching step is a small matrix product: seconds on a 2-core CPU, even
  for the largest zoo model, whose full forward pass over MNIST takes minutes.
- The examples are augmented (turned, slanted, shifted, thickened a little),
  so ten of them teach a style rather than ten pictures.
- MNIST training digits are replayed beside them, and the weights are pulled
  back towards the original ones, so the model does not forget MNIST.
- Afterwards the confidence temperature is fitted again on the held-out
  training images 55,000-59,999 (as `calibration.calibrate` does), and the
  MNIST test accuracy is measured before and after on all 10,000 test digits.

Every example goes through `preprocess`, exactly as `predict` reads an image
(one digit per image, as `predict --single` and the drawing canvas do).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import calibration
from .data import NUM_FIT, load_mnist
from .errors import ImageError, MnistStudioError
from .paths import cache_dir

if TYPE_CHECKING:
    import keras

    from .store import StoredModel

# --- What teaching does (tuned on generated writers and on the held-out training images, never on the test set) ---
MIN_EXAMPLES = 10  # fewer than this teaches too little to show
MAX_EXAMPLES = 1000  # bounds the time one teaching may take
HOLD_OUT_SHARE = 0.2  # of the examples, kept aside to test on (at least HOLD_OUT_MIN)
HOLD_OUT_MIN = 2
AUGMENTED_IMAGES = 1200  # augmented copies of the examples in all (at least MIN_COPIES of each)
MIN_COPIES = 4
REPLAY_IMAGES = 3000  # MNIST training digits (from the first 55,000) replayed beside the examples
BATCH_EXAMPLES, BATCH_REPLAY = 32, 64  # per step: the writer's digits and MNIST's, side by side
DEFAULT_EPOCHS = 15  # passes over the augmented examples
MAX_EPOCHS = 200
LEARNING_RATE = 3e-3  # Adam
REPLAY_WEIGHT = 10.0  # the MNIST digits' share of the loss, against the writer's 1: less forgetting
ANCHOR = 1e-2  # pull towards the original weights (sum of squared changes), so MNIST is not forgotten
PREPARE_BATCH = 500  # images per forward pass while preparing features: bounded memory
CACHE_VERSION = 1  # bump when the features a model gives could change (the replay draw, the layer cut)
MEMO_MODELS = 2  # prepared models kept in memory (features of 18,000 images each: a few MB to 60 MB)
REPLAY_SEED = 7
LOGITS_LAYER = "logits"  # every zoo model names its last Dense layer so (mnist_core.models)

# Augmentation of one 28x28 example: small changes a person's hand makes from one digit to the next.
ROTATE_DEGREES = 10.0
SHEAR = 0.15
SCALE = (0.9, 1.1)
SHIFT_PX = 1.5
THICKEN_CHANCE, THIN_CHANCE = 0.25, 0.15

Progress = Callable[[float, str], None]  # (share done 0-1, what is happening, in plain words)


class AdaptError(MnistStudioError):
    """The examples or the model cannot be used for teaching; the message says why and what to do."""


# --- Examples ---


@dataclass(frozen=True)
class Example:
    """One of the person's digits, preprocessed as predict() reads it."""

    digit: np.ndarray  # 28x28 float32 in [0, 1], white on black
    label: int
    name: str


@dataclass(frozen=True)
class Skipped:
    """An image that could not be used, and why (in plain words)."""

    name: str
    reason: str


def example_from_image(source: Any, label: int, name: str) -> Example:
    """Preprocess one image holding one digit, exactly as predict() does; ImageError when it holds none."""
    from .preprocess import preprocess

    if not 0 <= int(label) <= 9:
        raise AdaptError(f"{name}: the label must be a digit from 0 to 9, not {label!r}.")
    prepared = preprocess(source, name=name, multi=False)  # raises ImageError for an unreadable file
    if prepared.reason is not None or not prepared.digits:
        raise ImageError(prepared.reason or "No digit found.")
    return Example(np.asarray(prepared.digits[0], np.float32), int(label), name)


def read_examples(folder: str | Path) -> tuple[list[Example], list[Skipped]]:
    """Examples from a folder with subfolders named 0-9 (keras.utils.image_dataset_from_directory's layout).

    Unreadable images and images without a digit are skipped and named; a missing or empty folder, or a
    subfolder not named 0-9, is an AdaptError with one line saying what to fix.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise AdaptError(f"{folder} is not a folder. Give a folder with subfolders named 0 to 9, each holding "
                         "pictures of that digit.")
    entries = sorted(folder.iterdir())
    visible = [entry for entry in entries if not entry.name.startswith(".")]
    strays = [entry.name for entry in visible if entry.is_dir() and entry.name not in _DIGIT_NAMES]
    if strays:
        raise AdaptError(f"{folder} holds folders not named 0 to 9 ({', '.join(strays[:5])}): each subfolder must "
                         "be named after the digit its pictures show. Rename or move them.")
    subfolders = [entry for entry in visible if entry.is_dir()]
    if not subfolders:
        raise AdaptError(f"{folder} has no subfolders named 0 to 9. Put each picture in the folder named after "
                         "its digit, e.g. {folder}/7/my_seven.png.")
    examples, skipped = [], []
    for subfolder in subfolders:
        for path in sorted(p for p in subfolder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            name = str(path.relative_to(folder))
            try:
                examples.append(example_from_image(path, int(subfolder.name), name))
            except ImageError as exc:
                skipped.append(Skipped(name, " ".join(str(exc).split())))
    if not examples:
        problem = f" ({len(skipped)} could not be read, e.g. {skipped[0].name}: {skipped[0].reason})" if skipped \
            else ""
        raise AdaptError(f"{folder} holds no usable pictures of digits{problem}. Add pictures (PNG, JPEG, ...) to "
                         "its subfolders 0 to 9.")
    return examples, skipped


_DIGIT_NAMES = frozenset(str(digit) for digit in range(10))


def hold_out(examples: Sequence[Example], share: float = HOLD_OUT_SHARE,
             seed: int = 0) -> tuple[list[Example], list[Example]]:
    """(to learn from, to test on): `share` of the examples kept aside (at least HOLD_OUT_MIN when share > 0).

    They are taken one at a time from the digit with the most examples left, and every digit keeps at least
    one example to learn from, so nothing the person showed is left untaught.
    """
    if not 0.0 <= share < 1.0:
        raise AdaptError(f"The share of examples kept aside must be at least 0 and below 1, not {share}.")
    count = max(HOLD_OUT_MIN, int(round(share * len(examples)))) if share > 0 else 0
    rng = np.random.default_rng(seed)
    by_label: dict[int, list[int]] = {}
    for index in rng.permutation(len(examples)):
        by_label.setdefault(examples[int(index)].label, []).append(int(index))
    chosen: set[int] = set()
    while len(chosen) < count:  # one at a time from the digit with the most examples still left to learn from
        label, left = max(by_label.items(), key=lambda item: (len(item[1]), -item[0]))
        if len(left) < 2:
            break
        chosen.add(left.pop())
    learn = [example for index, example in enumerate(examples) if index not in chosen]
    test = [example for index, example in enumerate(examples) if index in chosen]
    return learn, test


def augment(digits: np.ndarray, copies: int, rng: np.random.Generator) -> np.ndarray:
    """`copies` varied versions of each 28x28 digit: turned, slanted, resized, shifted, a little thicker or thinner."""
    import cv2

    out = np.empty((len(digits) * copies, 28, 28), np.float32)
    kernel = np.ones((2, 2), np.uint8)
    for i, digit in enumerate(np.asarray(digits, np.float32)):
        for j in range(copies):
            angle = np.radians(rng.uniform(-ROTATE_DEGREES, ROTATE_DEGREES))
            scale = rng.uniform(*SCALE)
            shear = rng.uniform(-SHEAR, SHEAR)
            matrix = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) \
                @ np.array([[1.0, shear], [0.0, 1.0]])
            centre = np.array([13.5, 13.5])
            offset = centre - matrix @ centre + rng.uniform(-SHIFT_PX, SHIFT_PX, 2)
            warped = cv2.warpAffine(digit, np.hstack([matrix, offset[:, None]]).astype(np.float32), (28, 28),
                                    flags=cv2.INTER_LINEAR, borderValue=0)
            roll = rng.random()
            if roll < THICKEN_CHANCE:
                warped = cv2.dilate(warped, kernel)
            elif roll < THICKEN_CHANCE + THIN_CHANCE:
                thinner = cv2.erode(warped, kernel)
                warped = thinner if thinner.sum() > 0.5 * warped.sum() else warped  # never erased
            out[i * copies + j] = np.clip(warped, 0.0, 1.0)
    return out


# --- The model, split before its last layer ---


@dataclass
class Prepared:
    """A model's features (its last layer's inputs) for the MNIST images teaching needs, computed once."""

    key: str
    trunk: Any  # keras.Model: image -> features (everything before the last layer)
    kernel: np.ndarray  # the last layer's weights (features x 10) and bias, as trained
    bias: np.ndarray
    replay: np.ndarray  # features of REPLAY_IMAGES training digits
    replay_labels: np.ndarray
    validation: np.ndarray  # features of the held-out training images 55,000-59,999
    validation_labels: np.ndarray
    test: np.ndarray  # features of the 10,000 test images
    test_labels: np.ndarray
    seconds: float  # how long computing (or reading) the features took
    from_cache: bool

    def features(self, digits: np.ndarray) -> np.ndarray:
        """Features of (N, 28, 28) float digits in [0, 1]."""
        return _run(self.trunk, np.asarray(digits, np.float32))

    def test_accuracy(self, kernel: np.ndarray | None = None, bias: np.ndarray | None = None) -> float:
        return _accuracy(self.test, self.test_labels, self.kernel if kernel is None else kernel,
                         self.bias if bias is None else bias)


def _split(model: "keras.Model") -> tuple["keras.Model", Any]:
    """(everything before the last layer, the last layer); AdaptError for a model without a "logits" layer."""
    import keras

    try:
        last = model.get_layer(LOGITS_LAYER)
    except ValueError:
        raise AdaptError("This model has no layer named 'logits', so it cannot be taught here. Use a model "
                         "trained by MNIST Studio.") from None
    if not isinstance(last, keras.layers.Dense) or last.output.shape[-1] != 10:
        raise AdaptError("This model's last layer is not the kind MNIST Studio can teach. Use a model trained by "
                         "MNIST Studio.")
    after = model.layers[model.layers.index(last) + 1:]
    if len(after) > 1 or (after and not isinstance(after[0], keras.layers.Activation)):
        raise AdaptError("This model does more after its 'logits' layer than turn scores into chances, so it "
                         "cannot be taught here. Use a model trained by MNIST Studio.")
    return keras.Model(model.input, last.input), last


def _run(trunk: "keras.Model", digits: np.ndarray, progress: Callable[[float], None] | None = None) -> np.ndarray:
    """The trunk over uint8 or float digits, in bounded batches, as float32 features."""
    import tensorflow as tf

    function = _traced(trunk)
    rows = []
    for start in range(0, len(digits), PREPARE_BATCH):
        batch = np.asarray(digits[start:start + PREPARE_BATCH])
        batch = (batch.astype(np.float32) / 255.0 if batch.dtype == np.uint8 else batch.astype(np.float32))
        rows.append(np.asarray(function(tf.constant(batch.reshape(-1, 28, 28, 1))), np.float32))
        if progress is not None:
            progress(min(1.0, (start + len(batch)) / len(digits)))
    width = int(np.prod(trunk.output.shape[1:]))
    return np.concatenate(rows).reshape(len(digits), width) if rows else np.zeros((0, width), np.float32)


_traces: dict[int, Any] = {}
_trace_lock = threading.Lock()


def _traced(trunk: "keras.Model"):
    """The trunk's forward pass traced once into a graph (eager calls cost Python time per batch)."""
    import tensorflow as tf

    with _trace_lock:
        known = _traces.get(id(trunk))
        if known is None or known[0] is not trunk:
            function = tf.function(lambda x: trunk(x, training=False),
                                   input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
            known = _traces[id(trunk)] = (trunk, function)
        return known[1]


def model_key(model: "keras.Model", sha256: str | None = None) -> str:
    """Names a model's features: the file's checksum when known, else a checksum of its weights."""
    if sha256:
        return sha256
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()


_memo: "OrderedDict[str, Prepared]" = OrderedDict()
_memo_lock = threading.Lock()
_prepare_locks: dict[str, threading.Lock] = {}


def prepare(model: "keras.Model", sha256: str | None = None, progress: Progress | None = None) -> Prepared:
    """The model's features for teaching: from memory, from the disk cache, or computed (once per model).

    Computing them runs the model over 18,000 MNIST images: seconds for small models, a minute or two for the
    largest on a 2-core CPU. They are then kept in the cache folder, so every later teaching of that model, in
    any session or process, starts at once.
    """
    key = model_key(model, sha256)
    with _memo_lock:
        lock = _prepare_locks.setdefault(key, threading.Lock())
    with lock:  # two sessions teaching the same new model compute its features once
        with _memo_lock:
            if key in _memo:
                _memo.move_to_end(key)
                return _memo[key]
        prepared = _load_or_compute(model, key, progress)
        with _memo_lock:
            _memo[key] = prepared
            while len(_memo) > MEMO_MODELS:
                _memo.popitem(last=False)
        return prepared


_warming: set[str] = set()


def warm_up(model: "keras.Model", sha256: str | None = None) -> bool:
    """Prepare the model's features in a background thread, unless they are ready; True when one was started.

    The app calls it as soon as a visitor adds a first example: collecting ten takes them longer than the
    preparation, so Teach then starts at once. A Teach that comes earlier waits for it (see `prepare`).
    """
    key = model_key(model, sha256)
    with _memo_lock:
        if key in _memo or key in _warming or _cache_path(key).exists():
            return False
        _warming.add(key)

    def run() -> None:
        try:
            prepare(model, key)
        except Exception:  # noqa: BLE001 - a failed warm-up is retried, and reported, by the Teach that needs it
            pass
        finally:
            with _memo_lock:
                _warming.discard(key)

    threading.Thread(target=run, name=f"adapt-warm-up-{key[:8]}", daemon=True).start()
    return True


def _cache_path(key: str) -> Path:
    return cache_dir() / "adapt" / f"{key[:32]}-v{CACHE_VERSION}.npz"


def _replay_indices() -> np.ndarray:
    """A fixed draw of training digits from the first 55,000 (the last 5,000 are for calibration)."""
    return np.sort(np.random.default_rng(REPLAY_SEED).choice(NUM_FIT, REPLAY_IMAGES, replace=False))


def _load_or_compute(model: "keras.Model", key: str, progress: Progress | None) -> Prepared:
    started = time.perf_counter()
    trunk, last = _split(model)
    kernel, bias = (np.asarray(w, np.float32) for w in last.get_weights())
    mnist = load_mnist()
    replay_at = _replay_indices()
    labels = {"replay": mnist.y_train[replay_at], "validation": mnist.y_validation, "test": mnist.y_test}
    path = _cache_path(key)
    features = _read_cache(path, kernel.shape[0], labels)
    from_cache = features is not None
    if features is None:
        images = {"replay": mnist.x_train[replay_at], "validation": mnist.x_validation, "test": mnist.x_test}
        total, done, features = sum(len(x) for x in images.values()), 0, {}
        for part, x in images.items():
            def tick(share: float, done: int = done, size: int = len(x)) -> None:
                if progress is not None:
                    progress((done + share * size) / total, "Getting the model ready to learn (once per model): "
                                                            "it looks at 18,000 MNIST digits")
            features[part] = _run(trunk, x, tick)
            done += len(x)
        _write_cache(path, features)
    return Prepared(key=key, trunk=trunk, kernel=kernel, bias=bias,
                    replay=features["replay"], replay_labels=labels["replay"].astype(np.int64),
                    validation=features["validation"], validation_labels=labels["validation"].astype(np.int64),
                    test=features["test"], test_labels=labels["test"].astype(np.int64),
                    seconds=time.perf_counter() - started, from_cache=from_cache)


def _read_cache(path: Path, width: int, labels: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
    """Cached features when they are whole and fit the model; None otherwise (they are then recomputed)."""
    try:
        with np.load(path) as stored:
            features = {part: stored[part].astype(np.float32) for part in labels}
    except (OSError, ValueError, KeyError):
        return None
    if any(f.shape != (len(labels[part]), width) or not np.isfinite(f).all() for part, f in features.items()):
        return None
    return features


def _write_cache(path: Path, features: dict[str, np.ndarray]) -> None:
    """Half precision on disk (features need no more); a failed write only costs recomputing next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{threading.get_ident()}.tmp.npz")
        np.savez(temporary, **{part: f.astype(np.float16) for part, f in features.items()})
        temporary.replace(path)
    except OSError:
        pass


# --- Teaching ---


@dataclass(frozen=True)
class Result:
    """The adapted model and what teaching did to it."""

    model: Any  # keras.Model, with its new temperature attached
    temperature: float
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
    seconds: float  # teaching, from examples to a calibrated model (not the once-per-model preparation)
    cpu_seconds: float  # processor time of this process meanwhile: what an idle 2-core machine needs at most
    prepare_seconds: float
    epochs: int
    steps: int
    calibration: dict[str, Any] = field(default_factory=dict)

    @property
    def nothing_to_learn(self) -> bool:
        """Every example it was measured on was read right before teaching: there was nothing to fix, and a
        before/after of "+0" would hide that."""
        return bool(self.before) and self.examples_accuracy_before >= 1.0

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
    adapted = _with_last_layer(model, new_kernel, new_bias, temperature)
    measured_on = test if test else learn
    measured = prepared.features(np.stack([example.digit for example in measured_on]))
    truth = np.array([example.label for example in measured_on])
    before = (measured @ prepared.kernel + prepared.bias).argmax(axis=1)
    after = (measured @ new_kernel + new_bias).argmax(axis=1)
    test_scores = prepared.test @ new_kernel + new_bias
    result = Result(
        model=adapted, temperature=temperature, examples=len(examples), examples_trained=learn,
        examples_held_out=test, examples_accuracy_before=float((before == truth).mean()),
        examples_accuracy_after=float((after == truth).mean()),
        examples_measured_on="held-out examples" if test else "training examples",
        before=[int(d) for d in before], after=[int(d) for d in after],
        mnist_test_accuracy_before=prepared.test_accuracy(),
        mnist_test_accuracy_after=float((test_scores.argmax(axis=1) == prepared.test_labels).mean()),
        seconds=time.perf_counter() - started, cpu_seconds=time.process_time() - cpu_started,
        prepare_seconds=prepared.seconds, epochs=epochs, steps=steps,
        calibration=_calibration_summary(prepared, new_kernel, new_bias, temperature))
    say(1.0, "Done")
    return result


def _accuracy(features: np.ndarray, labels: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> float:
    return float(((features @ kernel + bias).argmax(axis=1) == labels).mean())


def _calibration_summary(prepared: Prepared, kernel: np.ndarray, bias: np.ndarray,
                         temperature: float) -> dict[str, Any]:
    """As `calibration.calibrate` reports it: fitted on the held-out training images, measured on the test set."""
    from .data import NUM_TRAIN

    def measured(features: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
        scores = features.astype(np.float64) @ kernel + bias
        before = calibration.summary(calibration.soften(scores, 1.0), labels)
        return {**calibration.summary(calibration.soften(scores, temperature), labels),
                "ece_uncalibrated": before["ece"], "mean_confidence_uncalibrated": before["mean_confidence"]}

    return {"fitted_on": f"training images {NUM_FIT:,}-{NUM_TRAIN - 1:,} (after teaching)",
            "validation": measured(prepared.validation, prepared.validation_labels),
            "test": measured(prepared.test, prepared.test_labels)}


def _with_last_layer(model: "keras.Model", kernel: np.ndarray, bias: np.ndarray, temperature: float) -> "keras.Model":
    """A copy of `model` with a new last layer and temperature; the original is left exactly as it was."""
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.get_layer(LOGITS_LAYER).set_weights([kernel, bias])
    calibration.attach(copy, temperature)
    return copy


# --- Keeping it ---


def sidecar(result: Result, base: "StoredModel") -> dict[str, Any]:
    """The adapted model's sidecar: the base model's description, plus what teaching did and its new confidence."""
    kept = ("model", "config", "params", "train_images", "data_source", "device", "precision", "epochs_done")
    return {**{key: value for key, value in base.meta.to_dict().items() if key in kept},
            "test_accuracy": result.mnist_test_accuracy_after, "temperature": result.temperature,
            "calibration": result.calibration,
            "adapted": {"base_model": str(base.path), "base_label": base.label,
                        "base_sha256": base.meta.sha256, **result.summary()}}


def save(result: Result, base: "StoredModel", path: str | Path) -> "StoredModel":
    """Write the adapted model and its sidecar (never over the base model's own file)."""
    from . import store

    path = Path(path)
    path = path if path.suffix == store.MODEL_SUFFIX else path.with_suffix(store.MODEL_SUFFIX)
    if path.resolve() == Path(base.path).resolve():
        raise AdaptError(f"{path} is the model being taught: choose another file name, so the original stays.")
    from .paths import BUNDLED_DIR

    if path.resolve().parent == BUNDLED_DIR.resolve():
        raise AdaptError(f"{path} is in the folder of models that ship with the app, which are never changed. "
                         "Save it somewhere else.")
    return store.save_model(result.model, path, sidecar(result, base))
