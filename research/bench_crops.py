"""Parts of `python -m mnist_core bench --suite robustness`, alone and with fewer images.

    python research/bench_crops.py --per-kind 60 --large 10 > crops.json
    python research/bench_crops.py --keep-targets > crops-and-keep-targets.json
    python research/bench_crops.py --no-crops > without-crops.json

docs/bench-runs/robustness.json is the two parts of the last full run (`--no-crops` and the crops, side by
side) in one file.

Same images and counting as the bench (the last MNIST test digits and font
digits of seed bench.FONT_SEED, crops of seed bench.CROP_SEED), for a loaded
machine where the whole suite takes too long. `--keep-targets` adds the two
transformations issue #11 must keep (photo-like digits, 4-digit strips);
`--only-keep-targets` runs those alone (a second process beside the crops);
`--no-crops` runs everything else of the suite (every transformation, strips,
blank and noise inputs), so the whole suite can run as two processes.
"""

import argparse
import json
import sys
import time

from mnist_core import synth
from mnist_core.bench import robustness as bench
from mnist_core.bench.inputs import machine
from mnist_core.data import load_mnist
from mnist_core.inference import load_reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=bench.CROP_DIGITS["crop64"], help="images per kind and source")
    parser.add_argument("--large", type=int, default=bench.CROP_DIGITS["crop_large"], help="1000-3000 px images")
    parser.add_argument("--keep-targets", action="store_true", help="also photo-like digits and 4-digit strips")
    parser.add_argument("--only-keep-targets", action="store_true", help="photo-like digits and strips alone")
    parser.add_argument("--no-crops", action="store_true",
                        help="the rest of the suite: every transformation, strips, blank and noise inputs")
    args = parser.parse_args()
    bench.CROP_DIGITS.update({kind: args.per_kind for kind in bench.CROP_DIGITS}, crop_large=args.large)
    mnist = load_mnist()
    count = bench.ROBUSTNESS_DIGITS
    digits, labels = mnist.x_test[-count:], mnist.y_test[-count:]
    model = load_reader()
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    started = time.time()
    result = {}
    if args.keep_targets or args.only_keep_targets or args.no_crops:
        names = list(synth.TRANSFORMS) if args.no_crops else ["photo"]
        result["accuracy"] = bench.transformed(model, digits, labels, names, say)
        result["strips"] = bench.ROBUSTNESS_STRIPS
        result["strips_read_exactly"] = bench.strips_read(model, digits, labels, bench.ROBUSTNESS_STRIPS, say)
    if args.no_crops:
        result["no_digit_inputs"] = bench.ROBUSTNESS_BLANKS
        result["no_digit_rejected"] = bench.no_digit_inputs(model, say)
    if not (args.only_keep_targets or args.no_crops):
        result["tight_crops"] = bench.tight_crops(model, digits, labels, count, say)
    print(json.dumps({"machine": machine(), "command": " ".join(["python", *sys.argv]),
                      "seconds": round(time.time() - started), "robustness": result}, indent=1))


if __name__ == "__main__":
    main()
