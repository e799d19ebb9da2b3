"""One digit in a printed box, and rows of boxes, on the forms bench's TUNING material (#25 item 2).

Usage: python research/measure_boxes.py [COUNT] [ROWS] [--bench] [--save DIR]
Builds only the boxed kind (synth.FORMS["boxed"], rng [seed, index] as mnist_core.bench.forms does) for MNIST
training digits 55,000 on and font digits of seed 260, images of seed 250, and ROWS rows of 4-6 boxed digits;
reads each through the predict path and prints the tally, every miss with its reason and whether a box was taken
away. Miss images go to DIR (default /tmp/boxes_misses). --bench measures the benchmark's material instead (only
for the final report: never tune on it).
"""
import collections
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnist_core import synth
from mnist_core.bench.forms import FORMS_SEED, TUNE_SEED, material
from mnist_core.bench.inputs import png
from mnist_core.prediction import predict


def read(images, truth, name: str, save: Path) -> None:
    """Tally right / wrong / no digit; print and save each miss."""
    counts: collections.Counter = collections.Counter()
    for index, (image, label) in enumerate(zip(images, truth)):
        answer = predict(png(image), None, name=f"{name}-{index}.png")
        outcome = "right" if answer.digits == str(label) else "no_digit" if answer.digits is None else "wrong"
        counts[outcome] += 1
        if outcome != "right":
            steps = answer.preprocessed.steps if answer.preprocessed else []
            boxed = any(step.caption.startswith("Took away the box") for step in steps)
            print(f"    {name}-{index}: label {label} read {answer.digits} box={boxed} {answer.error or ''}")
            cv2.imwrite(str(save / f"{name}-{index}.png"), image)
    total = max(1, len(images))
    print(f"  {name:>12}: {counts['right'] / total:.1%} of {len(images)} right, {counts['wrong']} wrong, "
          f"{counts['no_digit']} no digit", flush=True)


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    bench = "--bench" in sys.argv
    save = Path(sys.argv[sys.argv.index("--save") + 1]) if "--save" in sys.argv else Path("/tmp/boxes_misses")
    save.mkdir(parents=True, exist_ok=True)
    count = int(args[0]) if args else 500
    rows = int(args[1]) if len(args) > 1 else 100
    seed = FORMS_SEED if bench else TUNE_SEED
    sources = material(count, tune=not bench)
    for source, (inks, labels) in sources.items():
        images = [synth.FORMS["boxed"](ink, np.random.default_rng([seed, index])) for index, ink in enumerate(inks)]
        read(images, labels, f"{source}-boxed", save)
    if rows:
        inks, labels = sources["mnist"]
        made = synth.boxed_rows(inks, labels, rows, seed)
        read([image for image, _ in made], [text for _, text in made], "mnist-rows", save)


if __name__ == "__main__":
    main()
