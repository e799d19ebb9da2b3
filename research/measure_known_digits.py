"""Does teaching reach digits the "not a digit" check turned away? (#25 item 4; numbers in docs/benchmarks.md)

Usage: python research/measure_known_digits.py [MODEL]   (default: the bundled model)
A generated hand the check turns away (writers.turned_away) is taught 50 of its digits; 200 others, never
taught, are read before and after, and 400 made-up non-digits from a seed neither the check nor teaching used
are checked against the taught model. Prints one JSON line.
"""
import collections
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnist_core import adapt, writers  # noqa: E402
from mnist_core.digit_check import NOT_A_DIGIT, load_check  # noqa: E402
from mnist_core.digit_check_training import prepared_examples  # noqa: E402
from mnist_core.inference import load_reader  # noqa: E402
from mnist_core.prediction import predict  # noqa: E402


def tally(reader, images, labels) -> dict[str, int]:
    counts = collections.Counter()
    for image, label in zip(images, labels):
        answer = predict(image, reader, multi=False)
        counts["not a digit" if answer.error == NOT_A_DIGIT else "other no digit" if answer.error else
               "right" if answer.digit == label else "wrong"] += 1
    return dict(counts)


def main() -> None:
    reader = load_reader(sys.argv[1] if len(sys.argv) > 1 else None)
    hand = writers.turned_away()
    taught_labels, kept_labels = np.tile(np.arange(10), 5), np.tile(np.arange(10), 20)
    examples = [adapt.example_from_image(image, int(label), str(index)) for index, (image, label) in
                enumerate(zip(writers.write(hand, taught_labels, np.random.default_rng(1)), taught_labels))]
    kept_aside = writers.write(hand, kept_labels, np.random.default_rng(2))
    before = tally(reader, kept_aside, kept_labels)
    result = adapt.adapt(reader.model, examples, sha256=reader.stored.meta.sha256, keep_aside=0.0)
    after = tally(result.reader, kept_aside, kept_labels)
    non_digits = prepared_examples(False, 400, seed=14, cache=True)[0]
    turned = ~load_check().looks_like_digits(non_digits)
    known = np.array([result.reader.knows(one[None]) for one in non_digits])
    print(json.dumps({"model": reader.stored.meta.model, "hand": hand.name, "taught": len(examples),
                      "kept_aside": len(kept_aside), "before": before, "after": after,
                      "non_digits": len(non_digits), "non_digits_turned_away_before": round(float(turned.mean()), 4),
                      "non_digits_turned_away_after": round(float((turned & ~known).mean()), 4)}))


if __name__ == "__main__":
    main()
