"""`python -m mnist_core bench`: speed, accuracy and robustness, measured side by side.

Absolute seconds on shared machines are noisy, so every comparison is a ratio
of two measurements taken in the same run on the same machine. Suites:

- speed: the published Keras CNN recipe (as the tutorial runs it, Keras
  defaults) against our `fast` preset, trained from scratch, cache bypassed.
- zoo: each tutorial model trained as published; reproduced vs. reported accuracy.
- inference: images per second, draw-to-prediction latency, process memory.
- robustness: the bundled model on photo-like and canvas-like digits, 4-digit strips, and tight
  crops (16 px to 3000 px) of MNIST and of font digits.
- calibration: is "90% sure" right 9 times in 10, for every bundled model, through the predict path.
- digit-check: "not a digit" said to generated non-digits, and not to MNIST test, styled and font digits.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .models import BuildOptions, get_spec, steps_per_epoch
from .evaluation import evaluate_model
from .training import TrainConfig, TrainingJob, detect_device, prepared_data, start_training

REFERENCE = "keras_cnn"  # the seed recipe: TF2 Keras CNN tutorial, Adam, batch 32, 5 epochs
TUTORIALS = ("softmax", "mlp", "deepnn", "keras_cnn")
WARMUP_STEPS = 20  # steps that include graph tracing, timed apart from the steady pace
LATENCY_RUNS = 30
ROBUSTNESS_DIGITS = 1000  # the last 1,000 test digits (preprocessing was tuned on the 1,000 before them)
ROBUSTNESS_STRIPS = 300
ROBUSTNESS_BLANKS = 100  # blank paper photos, noise images and empty canvases, each
CROP_DIGITS = {"crop64": 500, "crop24": 500, "crop16": 500, "crop_large": 100}  # per source; huge ones are slow
CROP_SEED, FONT_SEED = 5, 1  # preprocessing was tuned on seed 0 (training digits, font digits): not these

Log = Callable[[str], None] | None


def run_bench(suite: str = "speed", full: bool = False, limit: int | None = None,
              models: list[str] | None = None, log: Log = None) -> dict[str, Any]:
    """Run one suite (or "all") and return the report as JSON-friendly data."""
    say = log or (lambda message: None)
    report: dict[str, Any] = {"machine": machine()}
    say(f"Machine: {report['machine']['summary']}")
    suites = ("speed", "zoo", "inference", "robustness", "digit-check", "calibration") if suite == "all" \
        else (suite,)
    for name in suites:
        if name == "speed":
            report["speed"] = speed(full=full, limit=limit, say=say)
        elif name == "zoo":
            report["zoo"] = zoo(models or list(TUTORIALS), limit=limit, say=say)
        elif name == "inference":
            report["inference"] = inference(say=say)
        elif name == "robustness":
            report["robustness"] = robustness(say=say, count=ROBUSTNESS_DIGITS if not limit else 20)
        elif name == "digit-check":
            report["digit_check"] = digit_check(say=say, **({"count": 20, "test_digits": 50, "styled": 20}
                                                          if limit else {}))
        elif name == "calibration":
            report["calibration"] = calibration(say=say, **({"count": 50, "styled": 10} if limit else {}))
    return report


def machine() -> dict[str, Any]:
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    device = detect_device()
    cores = os.cpu_count()
    return {"cpu": cpu, "cores": cores, "device": device, "python": platform.python_version(),
            "tensorflow": tf.__version__, "summary": f"{cpu}, {cores} cores, training on the {device}"}


def speed(full: bool, limit: int | None, say: Callable[[str], None]) -> dict[str, Any]:
    """The reference recipe vs. `fast`, each trained from scratch in this process."""
    reference = _reference_run(full=full, limit=limit, say=say)
    say("Training the fast preset from scratch ...")
    fast = _fresh_run(TrainConfig.for_model("fast", limit=limit))
    say(f"  fast: {fast['test_accuracy']:.2%} in {fast['train_seconds']:.1f} s "
        f"({fast['images_per_second']:.0f} images/s, 99% after {fast['seconds_to_99']} s)")
    ratio = reference["train_seconds"] / fast["train_seconds"]
    say(f"  fast trains {ratio:.1f}x faster than the published recipe")
    return {"reference": reference, "fast": fast, "speedup": round(ratio, 2)}


def _reference_run(full: bool, limit: int | None, say: Callable[[str], None]) -> dict[str, Any]:
    """Train the Keras tutorial CNN exactly as published (Keras defaults, XLA included).

    Without --full, one epoch is timed and the published five are extrapolated from it.
    """
    import keras

    spec = get_spec(REFERENCE)
    recipe = spec.defaults
    x_train, y_train, _, _ = prepared_data(limit)
    epochs = recipe.epochs if full else 1
    per_epoch = steps_per_epoch(len(x_train), recipe.batch_size)
    keras.utils.set_random_seed(0)
    model = spec.build(BuildOptions(learning_rate=recipe.learning_rate, steps_per_epoch=per_epoch,
                                    total_steps=per_epoch * epochs))
    say(f"Training the published {REFERENCE} recipe for {epochs} of its {recipe.epochs} epochs ...")
    clock = _StepClock(warmup_steps=WARMUP_STEPS)
    started = time.perf_counter()
    model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=epochs, verbose=0, callbacks=[clock.callback()])
    measured = time.perf_counter() - started
    total_steps = per_epoch * recipe.epochs
    # Extrapolate at the steady pace after warm-up, so one-off graph compilation is counted once, not five times.
    seconds = measured if full else clock.warmup_seconds + clock.seconds_per_step * (total_steps - WARMUP_STEPS)
    accuracy = evaluate_model(model).accuracy
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
    job = TrainingJob(config, threading.Semaphore(1))
    job.start()
    progress = job.wait()
    if progress.state != "done":
        raise RuntimeError(progress.error or f"training {config.model} ended {progress.state}")
    meta = progress.result.meta
    return {"model": config.model, "test_accuracy": meta["test_accuracy"], "train_seconds": meta["train_seconds"],
            "images_per_second": meta["images_per_second"], "seconds_to_99": meta["seconds_to_99"],
            "epochs": config.epochs, "device": meta["device"]}


def zoo(names: list[str], limit: int | None, say: Callable[[str], None]) -> list[dict[str, Any]]:
    """Each tutorial as published: reproduced vs. reported accuracy (cached results are reused)."""
    rows = []
    for name in names:
        spec = get_spec(name)
        say(f"Training {name} as published ({spec.published_recipe}) ...")
        progress = start_training(TrainConfig.for_model(name, limit=limit)).wait()
        if progress.state != "done":
            raise RuntimeError(progress.error or f"training {name} ended {progress.state}")
        meta = progress.result.meta
        rows.append({"model": name, "reported_accuracy": spec.reported_accuracy,
                     "test_accuracy": meta["test_accuracy"], "train_seconds": meta["train_seconds"],
                     "recipe": spec.published_recipe, "cached": progress.cached})
        say(f"  {name}: {meta['test_accuracy']:.2%} (published {spec.reported_accuracy:.1%}) "
            f"in {meta['train_seconds']:.0f} s{' (cached)' if progress.cached else ''}")
    return rows


def inference(say: Callable[[str], None]) -> dict[str, Any]:
    """Throughput of the bundled model, latency of one drawing end to end, and process memory."""
    from .prediction import classify, load_for_inference, predict

    from .data import load_mnist

    model = load_for_inference()
    x_test = load_mnist().x_test.astype(np.float32)[..., None] / 255.0
    result: dict[str, Any] = {}
    for batch in (1, 1000):
        inputs = x_test[:batch]
        classify(model, inputs)  # warm-up: the first call traces the graph
        runs = max(3, 200 // batch)
        started = time.perf_counter()
        for _ in range(runs):
            classify(model, inputs)
        result[f"images_per_second_batch_{batch}"] = round(runs * batch / (time.perf_counter() - started), 1)
    drawing = _canvas_drawing()
    predict(drawing, model, multi=False)
    timings = []
    for _ in range(LATENCY_RUNS):
        started = time.perf_counter()
        predict(drawing, model, multi=False)
        timings.append(time.perf_counter() - started)
    result["draw_to_prediction_ms_median"] = round(statistics.median(timings) * 1000, 2)
    result["draw_to_prediction_ms_p90"] = round(sorted(timings)[int(0.9 * len(timings))] * 1000, 2)
    result.update(_memory_of_a_fresh_process())
    say(f"  inference: {result['images_per_second_batch_1']:.0f} images/s at batch 1, "
        f"{result['images_per_second_batch_1000']:.0f} at batch 1000; drawing -> prediction "
        f"{result['draw_to_prediction_ms_median']} ms median; memory {result['peak_rss_mb']} MB peak")
    return result


def _canvas_drawing() -> np.ndarray:
    """A 280x280 RGBA canvas with a "7" drawn in white, as streamlit-drawable-canvas returns it."""
    import cv2

    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    cv2.polylines(canvas, [np.array([[70, 60], [210, 60], [120, 230]])], False, (255, 255, 255, 255), 18)
    return canvas


_MEMORY_PROBE = """
import json, sys
from mnist_core.prediction import load_for_inference, predict
from mnist_core.bench import _canvas_drawing
predict(_canvas_drawing(), load_for_inference(), multi=False)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({key: int(status[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM")}))
"""


def _memory_of_a_fresh_process() -> dict[str, Any]:
    """RSS of a new process after loading the default model and making one prediction."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        output = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], capture_output=True, text=True,
                                env=env, timeout=300, check=True).stdout
        memory = json.loads(output.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError, OSError):
        return {"rss_mb": None, "peak_rss_mb": None}
    return {"rss_mb": memory["VmRSS"], "peak_rss_mb": memory["VmHWM"]}


def robustness(say: Callable[[str], None], count: int) -> dict[str, Any]:
    """Accuracy of the bundled model per synthetic transformation of MNIST test digits.

    Every image takes the path of `python -m mnist_core predict FILE --json`:
    encoded as a PNG file, read with several digits allowed, and counted right
    only when exactly the true digit is read (an extra "digit" or "no digit"
    is wrong). Blank paper, noise and an empty canvas must give no digit.
    """
    from . import synth
    from .data import load_mnist
    from .prediction import load_for_inference, predict

    model = load_for_inference()
    mnist = load_mnist()
    # The last test digits: never used for tuning preprocessing or thresholds.
    digits, labels = mnist.x_test[-count:], mnist.y_test[-count:]
    per_transform = {}
    for name in synth.TRANSFORMS:
        images = synth.generate(digits, name, seed=1)
        correct = sum(predict(_png(image), model, name=f"{name}-{index}.png").digits == str(int(label))
                      for index, (image, label) in enumerate(zip(images, labels)))
        per_transform[name] = round(correct / count, 4)
        say(f"  {name:>10}: {per_transform[name]:.1%} of {count} digits read right")
    strip_count = max(10, count // 3) if count < ROBUSTNESS_DIGITS else ROBUSTNESS_STRIPS
    strips = synth.strips(digits, labels, strip_count, seed=2)
    exact = sum(predict(_png(image), model).digits == text for image, text in strips)
    say(f"  4-digit strips: {exact / strip_count:.1%} of {strip_count} read exactly")
    rejected = {}
    for name, make in synth.NOT_DIGITS.items():
        refused = sum(answer.digit is None and bool(answer.error)
                      for answer in (predict(_png(make(np.random.default_rng([3, index]))), model)
                                     for index in range(ROBUSTNESS_BLANKS)))
        rejected[name] = round(refused / ROBUSTNESS_BLANKS, 4)
        say(f"  {name:>12}: {rejected[name]:.0%} of {ROBUSTNESS_BLANKS} give no digit, with a reason")
    crops = _tight_crops(model, digits, labels, count, say)
    return {"digits_per_transform": count, "accuracy": per_transform,
            "strips": strip_count, "strips_read_exactly": round(exact / strip_count, 4),
            "no_digit_inputs": ROBUSTNESS_BLANKS, "no_digit_rejected": rejected, "tight_crops": crops}


def _tight_crops(model: Any, digits: np.ndarray, labels: np.ndarray, count: int,
                 say: Callable[[str], None]) -> dict[str, Any]:
    """Digits cropped to their ink (touching the edges), 16 px to 3000 px: right, wrong, or "no digit", per kind.

    Two sources: the last MNIST test digits, and digits rendered from fonts
    (not MNIST at all). Half dark ink on light paper, half the other way round.
    """
    from . import synth
    from .prediction import predict

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
                answer = predict(_png(image), model, name=f"{source}-{kind}-{index}.png")
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


def _png(image: np.ndarray) -> bytes:
    """The image as the bytes of a PNG file, so it is decoded as `predict FILE` decodes one."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


NOT_DIGIT_SEED = 13  # non-digits and font digits the digit check never trained or tuned on (seeds 11, 12)
NOT_DIGIT_COUNT = 300  # generated non-digits, and font digits
NOT_DIGIT_STYLED = 200  # MNIST test digits drawn on the canvas and photographed, each
NOT_DIGIT_TEST = 1_000  # MNIST test digits read as PNG files (all 10,000 also go through the check alone)


def digit_check(say: Callable[[str], None], count: int = NOT_DIGIT_COUNT, test_digits: int | None = None,
                styled: int = NOT_DIGIT_STYLED) -> dict[str, Any]:
    """How often the answer is "not a digit", through the predict path with the bundled model.

    Non-digits (letters, shapes, scribbles from `synth.non_digits`, seed 13) should get it; MNIST test
    digits, canvas- and photo-like test digits and font digits should not. Canvas drawings are read as
    the Draw page reads them (one digit), photos as uploads and `predict FILE` read them (several allowed);
    non-digits are also all read the `predict FILE` way. "refused" counts every answer without a digit,
    "by the check" only those the digit check gave.
    """
    from . import synth
    from .data import load_mnist
    from .digit_check import NOT_A_DIGIT, SOME_NOT_DIGITS, load_check, non_digit_example
    from .prediction import load_for_inference, predict

    model = load_for_inference()

    def read(image: np.ndarray, multi: bool = True):
        return predict(_png(image), model, multi=multi)

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


def calibration(say: Callable[[str], None], count: int = CALIBRATION_DIGITS,
                styled: int = CALIBRATION_STYLED) -> dict[str, Any]:
    """Is "90% sure" right 9 times in 10? Every bundled model, through the path `predict --json` takes.

    Each test digit is encoded as a PNG and read by `predict` (preprocessing included); a digit counts as
    right only when exactly the true digit is read. ECE compares the calibrated confidence of the first digit
    read with whether that digit is right, over every input with a reading (those held back as unsure or
    "not a digit" included: their forced choice is still a stated confidence). The confidence threshold is
    checked on held-out training digits drawn photo- and canvas-like, never on the test set.
    """
    from . import synth
    from .calibration import ECE_BINS, reliability
    from .data import NUM_FIT, load_mnist
    from .models import ZOO
    from .paths import BUNDLED_DIR
    from .prediction import MIN_CONFIDENCE, load_for_inference, predict
    from .store import verify

    mnist = load_mnist()
    digits, labels = mnist.x_test[-count:], mnist.y_test[-count:]
    report: dict[str, Any] = {"test_digits": count, "bins": ECE_BINS, "models": {}}
    for path in sorted(BUNDLED_DIR.glob("*.keras")):
        meta = verify(path).meta
        if meta.get("model") not in ZOO:
            continue  # not a digit reader (the "is it a digit?" check)
        model = load_for_inference(path)
        # Only what is measured is kept: a Prediction holds its preprocessing pictures (megabytes each).
        read = [(answer.digits, answer.readings[0].probabilities if answer.readings else None)
                for answer in (predict(_png(255 - digit), model, name=f"{index}.png")
                               for index, digit in enumerate(digits))]
        given = [(row, int(label)) for (_, row), label in zip(read, labels) if row is not None]
        probabilities = np.array([row for row, _ in given])
        truth = np.array([label for _, label in given])
        bins = reliability(probabilities, truth)
        confidence = probabilities.max(axis=1)
        ece = sum(b.count * abs(b.accuracy - b.confidence) for b in bins) / max(1, len(truth))
        right = sum(digits == str(label) for (digits, _), label in zip(read, labels))
        report["models"][path.name] = {
            "model": meta.get("model"), "temperature": meta.get("temperature"), "read_right": right / count,
            "mean_confidence": float(confidence.mean()), "ece": float(ece),
            "held_back": sum(digits is None for digits, _ in read) / count,
            "ece_uncalibrated_test_set": meta.get("calibration", {}).get("test", {}).get("ece_uncalibrated"),
            "reliability": [vars(b) for b in bins],
        }
        say(f"  {path.name:>18}: {right / count:.2%} right, mean confidence {confidence.mean():.2%}, "
            f"ECE {ece:.2%} (temperature {meta.get('temperature', 1.0):.3f})")
    model = load_for_inference()
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
