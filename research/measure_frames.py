"""Digits stretched to fill their frame (issue #25), on the forms bench's tuning material, through predict.

    PYTHONPATH=. python research/measure_frames.py --kinds framed64 --count 500 --save /tmp/frames

Tallies right, wrong and "no digit" per source and kind for the images of TUNE_SEED (MNIST training digits
55,000 on and font digits of TUNE_FONT_SEED), never the benchmark's; kinds of synth.CROP_SIZES measure tight
crops of the same digits (of the crops' tuning seed), which a wide-digit rule reaches too. Each miss is
printed with what was read or why not, and with --save its picture (the image beside the 28x28 digit the
model read, both enlarged) is written to that folder. --dump writes each 28x28 digit that
`stretch.unstretched` looked at (a lone digit in a tight picture), as it was then, with its label and name,
so narrowing rules can be tried offline.
"""

import argparse
import os
import sys

import cv2
import numpy as np

from mnist_core import synth
from mnist_core.bench.forms import TUNE_SEED, material
from mnist_core.bench.inputs import png
from mnist_core.prediction import predict
from mnist_core.preprocess import pipeline

CROP_TUNE_SEED = 0  # the tight crops' tuning seed (bench.robustness.CROP_SEED is the benchmark's)
SHOWN = 112  # px: each picture of a miss is shown this big


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="digits per source")
    parser.add_argument("--kinds", default="framed64",
                        help="comma-separated kinds of synth.FRAME_SIZES or synth.CROP_SIZES")
    parser.add_argument("--sources", default="mnist,font", help="comma-separated: mnist, font")
    parser.add_argument("--save", help="folder for the pictures of the misses")
    parser.add_argument("--dump", help="an .npz file for the digits before unstretching")
    args = parser.parse_args()
    seen: list[np.ndarray] = []
    original = pipeline.unstretched

    def recorded(digit: np.ndarray, judge):
        """`unstretched`, remembering the digit it was given."""
        seen.append(digit)
        return original(digit, judge)

    pipeline.unstretched = recorded
    dumped: dict[str, list] = {"digits": [], "labels": [], "names": []}
    sources = material(args.count, tune=True)
    for source in args.sources.split(","):
        inks, labels = sources[source]
        for kind in args.kinds.split(","):
            images = images_of(inks, kind)
            counts = {"right": 0, "wrong": 0, "no_digit": 0}
            for index, (image, label) in enumerate(zip(images, labels)):
                seen.clear()
                name = f"{source}-{kind}-{index}"
                answer = predict(png(image), None, name=f"{name}.png")
                outcome = "right" if answer.digits == str(label) else "no_digit" if answer.digits is None else "wrong"
                counts[outcome] += 1
                if seen:
                    dumped["digits"].append(seen[0])
                    dumped["labels"].append(int(label))
                    dumped["names"].append(name)
                if outcome == "right":
                    continue
                narrowed = any(step.caption.startswith("The digit was stretched") for step in
                               (answer.preprocessed.steps if answer.preprocessed else []))
                confidence = ",".join(f"{r.confidence:.2f}" for r in answer.readings)
                print(f"{name} label {label} read {answer.digits} ({confidence}) narrowed={narrowed} "
                      f"tight={bool(seen)}: {answer.error}", flush=True)
                if args.save:
                    save(args.save, f"{name}-{label}-as-{answer.digits}.png", image, answer)
            total = max(1, len(images))
            print(f"== {source} {kind}: {counts['right'] / total:.1%} right, {counts['wrong']} wrong, "
                  f"{counts['no_digit']} no digit", file=sys.stderr, flush=True)
    if args.dump:
        np.savez_compressed(args.dump, digits=np.array(dumped["digits"], np.float32),
                            labels=np.array(dumped["labels"]), names=np.array(dumped["names"]))


def images_of(inks: np.ndarray, kind: str) -> list[np.ndarray]:
    """Framed digits of TUNE_SEED, or tight crops (a kind of synth.CROP_SIZES) of the crops' tuning seed: a
    frame-filling digit is narrowed only after a margin was added to a tight picture, so a crop may be too."""
    if kind in synth.CROP_SIZES:
        return [synth.crop(ink, kind, CROP_TUNE_SEED, index) for index, ink in enumerate(inks)]
    return synth.frames(inks, kind, TUNE_SEED)


def save(folder: str, name: str, image: np.ndarray, answer) -> None:
    """The image and the digit the model read (if any), side by side."""
    os.makedirs(folder, exist_ok=True)
    shown = cv2.resize(image, (SHOWN, SHOWN), interpolation=cv2.INTER_NEAREST)
    digits = answer.preprocessed.digits if answer.preprocessed else []
    read = [cv2.resize((digit * 255).astype(np.uint8), (SHOWN, SHOWN), interpolation=cv2.INTER_NEAREST)
            for digit in digits] or [np.zeros((SHOWN, SHOWN), np.uint8)]
    cv2.imwrite(os.path.join(folder, name), np.hstack([shown, np.full((SHOWN, 4), 128, np.uint8), *read]))


if __name__ == "__main__":
    main()
