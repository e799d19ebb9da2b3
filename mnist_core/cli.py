"""The command line: `python -m mnist_core models|train|predict|evaluate|calibrate|adapt|export|bench|...`.

Contract (other tools rely on it): with `--json`, stdout carries only JSON
and its last line is one JSON object (one line per input for `predict`).
Errors are one line on stderr and a non-zero exit, never a traceback unless
`--debug`. TensorFlow is imported only by the commands that need it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from . import malloc
from .bench import SUITES as BENCH_SUITES
from .errors import MnistStudioError
from .remote.command import add_queue_option, add_worker_command, use_queue

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.data:
        import os

        os.environ["MNIST_PATH"] = args.data
    use_queue(args)
    malloc.limit_arenas()  # before TensorFlow starts its threads: less memory kept (mnist_core/malloc.py)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MnistStudioError as exc:
        if args.debug:
            raise
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the contract: never a traceback unless --debug
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {_one_line(str(exc))} (rerun with --debug for details)",
              file=sys.stderr)
        return EXIT_FAILED


def _one_line(message: str) -> str:
    return " ".join(message.split())


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors told in one line on stderr as every other error is (the contract)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def _positive(text: str) -> int:
    """A whole number of at least 1 (epochs, images, batch size): 0 or less is refused, never silently replaced."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small: give 1 or more")
    return value


def _keras_file(text: str) -> Path:
    """A model file: only .keras files are read (Keras' safe format; see requirements.txt)."""
    path = Path(text)
    if path.suffix != ".keras":
        raise argparse.ArgumentTypeError(f"{text} is not a .keras model file: give a file whose name ends in .keras")
    return path


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON only")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    common.add_argument("--data", metavar="PATH", help="MNIST location (mnist.npz or a folder of idx files)")
    parser = _Parser(prog="python -m mnist_core", parents=[common],
                                     description="MNIST Studio: train, inspect and use handwriting models.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = commands.add_parser("models", parents=[common], help="list the model zoo")
    models.set_defaults(handler=_models)

    train = commands.add_parser("train", parents=[common], help="train a zoo model (cached)")
    train.add_argument("--model", required=True, help="zoo name, see `models`")
    train.add_argument("--epochs", type=_positive)
    train.add_argument("--batch-size", type=_positive)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--limit", type=_positive, help="train on the first N training images")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", type=_keras_file, help="also copy the model (and its .json) to this .keras path")
    add_queue_option(train)
    train.set_defaults(handler=_train)
    add_worker_command(commands, common)

    predict = commands.add_parser("predict", parents=[common], help="read the digits in images")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--model", type=_keras_file, help="a .keras file (default: the bundled model)")
    predict.add_argument("--single", action="store_true", help="treat all ink as one digit")
    predict.set_defaults(handler=_predict)

    evaluate = commands.add_parser("evaluate", parents=[common], help="test accuracy of a model file")
    evaluate.add_argument("--model", type=_keras_file, help="a .keras file (default: the bundled model)")
    evaluate.set_defaults(handler=_evaluate)

    calibrate = commands.add_parser("calibrate", parents=[common],
                                    help="fit a model's confidence temperature on the held-out training images")
    calibrate.add_argument("--model", type=_keras_file, help="a .keras file (default: the bundled model)")
    calibrate.add_argument("--out", type=_keras_file,
                           help="calibrate a copy saved here (needed for the models that ship with the app: "
                                "nothing is written into the app's folder)")
    calibrate.set_defaults(handler=_calibrate)

    adapt = commands.add_parser("adapt", parents=[common],
                                help="teach a model one person's handwriting from a folder of examples")
    adapt.add_argument("--model", type=_keras_file, help="the .keras file to start from (default: the bundled model)")
    adapt.add_argument("--examples", type=Path, required=True, metavar="DIR",
                       help="a folder with subfolders named 0-9, each holding pictures of that digit")
    adapt.add_argument("--out", type=_keras_file, required=True, help="where to save the adapted model (.keras)")
    adapt.add_argument("--epochs", type=_positive, help="passes over the augmented examples (default: 15)")
    adapt.add_argument("--keep-aside", type=float, metavar="SHARE",
                       help="share of the examples kept aside to test on (default 0.2; 0 learns from all of them "
                            "and measures on the examples learned)")
    adapt.add_argument("--seed", type=int, default=0)
    adapt.set_defaults(handler=_adapt)

    export = commands.add_parser("export", parents=[common],
                                 help="a model, a standalone train.py that trains it the same way, and a README")
    export.add_argument("--model", type=_keras_file, required=True, help="a .keras file trained by MNIST Studio")
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write the three files to")
    export.set_defaults(handler=_export)

    from .digit_check import CHECK_MODEL
    from .digit_check_training import TrainDefaults

    check = commands.add_parser("train-digit-check", parents=[common],
                                help='train the "is this a digit?" check that says "not a digit" for every model')
    check.add_argument("--out", type=Path, default=CHECK_MODEL, help="where to save it (default: the bundled one)")
    check.add_argument("--digits", type=int, default=TrainDefaults.digits,
                       help="styled MNIST training and font digits to learn from")
    check.add_argument("--raw-digits", type=int, default=TrainDefaults.raw_digits,
                       help="plain MNIST training digits to learn from as well")
    check.add_argument("--non-digits", type=int, default=TrainDefaults.non_digits,
                       help="generated letters, shapes and scribbles to learn from")
    check.add_argument("--tune-digits", type=int, default=TrainDefaults.tune_digits,
                       help="held-out styled digits for the threshold")
    check.add_argument("--tune-non-digits", type=int, default=TrainDefaults.tune_non_digits,
                       help="non-digits of another seed for the threshold")
    check.add_argument("--epochs", type=int, default=TrainDefaults.epochs)
    check.add_argument("--members", type=int, default=TrainDefaults.members,
                       help="networks trained from different seeds whose scores are averaged")
    check.add_argument("--seed", type=int, default=0)
    check.add_argument("--workers", type=int, help="processes that make the examples (default: up to 4)")
    check.add_argument("--cache", action="store_true",
                       help="reuse examples made by an earlier run (only while synth and preprocess are unchanged)")
    check.set_defaults(handler=_train_digit_check)

    bench = commands.add_parser("bench", parents=[common], help="benchmark the presets against the tutorials")
    bench.add_argument("--suite", choices=(*BENCH_SUITES, "all"),
                       default="speed",
                       help="speed: fast vs. the Keras tutorial recipe (default); zoo: every tutorial as "
                            "published; inference: latency and memory; robustness: photo/canvas-like digits; "
                            "digit-check: 'not a digit' for non-digits, and not for digits; calibration: "
                            "is '90%% sure' right 9 times in 10, for every bundled model")
    bench.add_argument("--full", action="store_true", help="run the reference recipe in full, not extrapolated")
    bench.add_argument("--limit", type=int, help="train on the first N images (quick smoke runs)")
    bench.add_argument("--models", nargs="+", help="zoo models for --suite zoo (default: all tutorials) or --suite calibration (default: all bundled)")
    bench.set_defaults(handler=_bench)
    return parser


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    print(json.dumps(payload) if args.json else text, flush=True)


def _models(args: argparse.Namespace) -> int:
    from .models import ZOO

    if args.json:
        print(json.dumps({"models": [spec.summary() for spec in ZOO.values()]}))
        return EXIT_OK
    for spec in ZOO.values():
        print(f"{spec.name:10} {spec.params:>10,} params  published {spec.reported_accuracy:.1%}  {spec.title}")
        print(f"{'':10} {spec.source}; {spec.published_recipe}")
    return EXIT_OK


def _train(args: argparse.Namespace) -> int:
    from .remote import worker_of
    from .training import TrainConfig, start_training

    config = TrainConfig.for_model(args.model, epochs=args.epochs, batch_size=args.batch_size,
                                   learning_rate=args.learning_rate, limit=args.limit, seed=args.seed)
    job = start_training(config)
    try:
        progress = _follow(job, show=not args.json)
    except KeyboardInterrupt:
        job.stop()
        progress = job.wait()
        print("Stopped: the model so far was saved and marked stopped.", file=sys.stderr)
    if progress.state == "failed":
        raise MnistStudioError(progress.error or "Training failed.")
    result = progress.result
    path = result.path
    if args.out:
        path = _copy_model(result.path, args.out)
    payload = {"model": config.model, "test_accuracy": progress.test_accuracy,
               "train_seconds": result.meta.train_seconds, "device": result.meta.device,
               "path": str(path), "cached": progress.cached, "stopped": progress.state == "stopped",
               "seconds_to_99": result.meta.seconds_to_99,
               "images_per_second": result.meta.images_per_second, "key": config.key,
               "worker": worker_of(job, progress.cached)}
    cached = " (cached: this configuration was trained before)" if progress.cached else ""
    _emit(args, payload, f"{config.model}: test accuracy {progress.test_accuracy:.2%} in "
                         f"{payload['train_seconds']:.1f} s on the {payload['device']}{cached}\nsaved to {path}")
    return EXIT_INTERRUPTED if progress.state == "stopped" else EXIT_OK


def _follow(job, show: bool):
    """Wait for a job, drawing a one-line progress bar on stderr for people."""
    while True:
        progress = job.wait(timeout=0.5)
        if show and not progress.cached:
            print("\r" + _bar(progress), end="", file=sys.stderr, flush=True)
        if progress.finished:
            if show and not progress.cached:
                print(file=sys.stderr)
            return progress


def _bar(progress, width: int = 30) -> str:
    filled = int(progress.fraction * width)
    latest = progress.batches[-1] if progress.batches else None
    metrics = f" loss {latest.loss:.3f} acc {latest.accuracy:.1%}" if latest else ""
    eta = f" ETA {progress.eta_seconds:.0f}s" if progress.eta_seconds is not None else ""
    state = progress.state if progress.state != "running" else f"{progress.device or 'starting'}"
    return f"[{'#' * filled}{'.' * (width - filled)}] {progress.fraction:4.0%} {state}{metrics}{eta}   "


def _copy_model(source: Path, target: Path) -> Path:
    """A lean copy for sharing or bundling: the weights and sidecar, without the optimizer's state."""
    from .store import load_model, save_model

    target = target if target.suffix == ".keras" else target.with_suffix(".keras")
    model, stored = load_model(source)  # loaded uncompiled: the copy keeps no optimizer state (a third the size)
    return save_model(model, target, stored.meta).path  # with its own checksum, versions and time


def _predict(args: argparse.Namespace) -> int:
    from .inference import load_reader
    from .prediction import predict

    reader = load_reader(args.model)
    failed = False
    for image in args.images:
        prediction = predict(image, reader, name=image, multi=not args.single)
        failed = failed or prediction.error is not None
        if args.json:
            print(json.dumps(prediction.to_json()), flush=True)
        elif prediction.error:
            print(f"{image}: {prediction.error}")
        else:
            print(f"{image}: {prediction.digits} ({prediction.confidence:.1%} sure)")
    return EXIT_FAILED if failed else EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from .calibration import summary
    from .data import load_mnist
    from .paths import BUNDLED_MODEL
    from .inference import load_reader
    from .store import read_meta

    path = args.model or BUNDLED_MODEL
    reader = load_reader(path)
    mnist = load_mnist()
    started = time.perf_counter()
    measured = summary(reader.scores(mnist.x_test), mnist.y_test)  # the model was verified when it was loaded
    payload = {"model": str(path), "name": read_meta(path).model, "test_accuracy": measured["accuracy"],
               "mean_confidence": measured["mean_confidence"], "ece": measured["ece"],
               "test_images": measured["images"], "seconds": round(time.perf_counter() - started, 3)}
    _emit(args, payload, f"{path}: test accuracy {measured['accuracy']:.2%} on {measured['images']:,} images; "
                         f"mean confidence {measured['mean_confidence']:.2%}, calibration error {measured['ece']:.2%}")
    return EXIT_OK


def _calibrate(args: argparse.Namespace) -> int:
    from .evaluation import calibrate
    from .data import NUM_FIT
    from .paths import BUNDLED_DIR, BUNDLED_MODEL
    from .store import load_model, update_meta

    path = args.model or BUNDLED_MODEL
    if args.out is None and path.resolve().parent == BUNDLED_DIR.resolve():
        raise MnistStudioError(f"{path} ships with the app, and nothing is written into the app's folder: add "
                               "--out PATH to calibrate a copy of it there.")
    if args.out is not None:
        path = _copy_model(path, args.out)
    model, stored = load_model(path)
    # Models trained before the hold-out existed (no "train_images" in the sidecar) saw all 60,000 images.
    fitted = calibrate(model, trained_on_validation=stored.meta.images_trained > NUM_FIT)
    update_meta(stored.path, fitted)
    test = fitted["calibration"]["test"]
    payload = {"model": str(stored.path), "temperature": fitted["temperature"],
               "fitted_on": fitted["calibration"]["fitted_on"], "test_accuracy": test["accuracy"],
               "test_ece": test["ece"], "test_ece_uncalibrated": test["ece_uncalibrated"]}
    _emit(args, payload, f"{stored.path}: temperature {fitted['temperature']:.3f} (fitted on "
                         f"{fitted['calibration']['fitted_on']}); test calibration error "
                         f"{test['ece_uncalibrated']:.2%} -> {test['ece']:.2%}")
    return EXIT_OK


def _adapt(args: argparse.Namespace) -> int:
    from . import adapt
    from .inference import load_reader
    from .paths import BUNDLED_MODEL

    path = args.model or BUNDLED_MODEL
    # Before TensorFlow: a bad folder is told at once. The model judges only marks that fill their frame.
    examples, skipped = adapt.read_examples(args.examples, judge=lambda batch: load_reader(path).classify(batch))
    for problem in skipped:  # skipped and named, one line each, never on stdout
        print(f"skipped {problem.name}: {problem.reason}", file=sys.stderr)
    reader = load_reader(path)  # loaded once: the judge above shares it
    model, stored = reader.model, reader.stored
    last = [""]

    def show(share: float, message: str) -> None:
        if not args.json:
            line = f"\r[{'#' * int(share * 30)}{'.' * (30 - int(share * 30))}] {share:4.0%} {message}"
            print(line.ljust(len(last[0])), end="", file=sys.stderr, flush=True)
            last[0] = line

    keep_aside = adapt.HOLD_OUT_SHARE if args.keep_aside is None else args.keep_aside
    result = adapt.adapt(model, examples, sha256=stored.meta.sha256, keep_aside=keep_aside,
                         epochs=adapt.DEFAULT_EPOCHS if args.epochs is None else args.epochs, seed=args.seed,
                         progress=show)
    if not args.json:
        print(file=sys.stderr)
    saved = adapt.save(result, stored, args.out)
    summary = result.summary()
    payload = {"path": str(saved.path), "examples": result.examples, "seconds": summary["seconds"],
               "examples_accuracy_before": result.examples_accuracy_before,
               "examples_accuracy_after": result.examples_accuracy_after,
               "mnist_test_accuracy_before": result.mnist_test_accuracy_before,
               "mnist_test_accuracy_after": result.mnist_test_accuracy_after,
               "examples_held_out": summary["examples_held_out"],
               "examples_measured_on": result.examples_measured_on, "prepare_seconds": summary["prepare_seconds"],
               "temperature": result.temperature, "skipped": [vars(problem) for problem in skipped]}
    _emit(args, payload,
          f"taught {len(result.examples_trained)} examples in {result.seconds:.1f} s"
          f"{f' (plus {result.prepare_seconds:.0f} s getting this model ready, once)' if result.prepare_seconds > 1 else ''}"
          f"\n{result.examples_measured_on}: {result.examples_accuracy_before:.0%} -> "
          f"{result.examples_accuracy_after:.0%} right\nMNIST test accuracy: {result.mnist_test_accuracy_before:.2%} -> "
          f"{result.mnist_test_accuracy_after:.2%}\nsaved to {saved.path}"
          + (f"\n{len(skipped)} picture{'s' if len(skipped) != 1 else ''} skipped (see above)" if skipped else ""))
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from .export import export

    files = export(args.model, args.out)
    _emit(args, {"path": str(args.out), "files": [str(path) for path in files]},
          "\n".join(f"wrote {path}" for path in files) + f"\nthen: python {files[1]} --epochs 1 --limit 5000")
    return EXIT_OK


def _train_digit_check(args: argparse.Namespace) -> int:
    from .digit_check_training import train_check

    result = train_check(args.out, digits=args.digits, raw_digits=args.raw_digits, non_digits=args.non_digits,
                         tune_digits=args.tune_digits, tune_non_digits=args.tune_non_digits, epochs=args.epochs,
                         members=args.members, seed=args.seed, workers=args.workers, cache=args.cache,
                         say=(lambda message: None) if args.json else print)
    tuning = result["tuning"]
    _emit(args, result, f"saved to {result['path']}: threshold {result['threshold']:.3f} turns away "
                        f"{tuning['digits_rejected']:.2%} of held-out digits and {tuning['non_digits_rejected']:.1%} "
                        "of held-out non-digits")
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    report = run_bench(suite=args.suite, full=args.full, limit=args.limit, models=args.models,
                       log=None if args.json else print)
    if args.json:
        print(json.dumps(report))
    return EXIT_OK
