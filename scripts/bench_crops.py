"""The tight-crop part of `python -m mnist_core bench --suite robustness`, alone and with fewer images.

    python scripts/bench_crops.py --per-kind 60 --large 10 > docs/bench-runs/robustness-tight-crops.json

Same images and counting as the bench (the last MNIST test digits and font
digits of seed bench.FONT_SEED, crops of seed bench.CROP_SEED), for a loaded
machine where the whole suite takes too long.
"""

import argparse
import json
import sys
import time

from mnist_core.bench import robustness as bench
from mnist_core.bench.inputs import machine
from mnist_core.data import load_mnist
from mnist_core.prediction import load_for_inference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=bench.CROP_DIGITS["crop64"], help="images per kind and source")
    parser.add_argument("--large", type=int, default=bench.CROP_DIGITS["crop_large"], help="1000-3000 px images")
    args = parser.parse_args()
    bench.CROP_DIGITS.update({kind: args.per_kind for kind in bench.CROP_DIGITS}, crop_large=args.large)
    mnist = load_mnist()
    count = bench.ROBUSTNESS_DIGITS
    started = time.time()
    crops = bench.tight_crops(load_for_inference(), mnist.x_test[-count:], mnist.y_test[-count:], count,
                               lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps({"machine": machine(), "command": " ".join(["python", *sys.argv]),
                      "seconds": round(time.time() - started), "robustness": {"tight_crops": crops}}, indent=1))


if __name__ == "__main__":
    main()
