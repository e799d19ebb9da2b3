"""The person's examples: read from a folder or an image, kept aside to test on, augmented to teach a style.

Every example goes through `preprocess`, exactly as `predict` reads an image (one digit per image, as
`predict --single` and the drawing canvas do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import AdaptError, ImageError

if TYPE_CHECKING:
    from ..preprocess import Judge

MIN_EXAMPLES = 10  # fewer than this teaches too little to show
MAX_EXAMPLES = 1000  # bounds the time one teaching may take
HOLD_OUT_SHARE = 0.2  # of the examples, kept aside to test on (at least HOLD_OUT_MIN)
HOLD_OUT_MIN = 2

# Augmentation of one 28x28 example: small changes a person's hand makes from one digit to the next.
ROTATE_DEGREES = 10.0
SHEAR = 0.15
SCALE = (0.9, 1.1)
SHIFT_PX = 1.5
THICKEN_CHANCE, THIN_CHANCE = 0.25, 0.15


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


def example_from_image(source: Any, label: int, name: str, judge: Judge | None = None) -> Example:
    """Preprocess one image holding one digit, exactly as predict() does with the model whose `classify` is
    `judge` (it settles whether a mark filling its frame is a stretched 1; without it, it is taken as drawn);
    ImageError when it holds none."""
    from ..preprocess import preprocess

    if not 0 <= int(label) <= 9:
        raise AdaptError(f"{name}: the label must be a digit from 0 to 9, not {label!r}.")
    prepared = preprocess(source, name=name, multi=False, judge=judge)  # ImageError for an unreadable file
    if prepared.reason is not None or not prepared.digits:
        raise ImageError(prepared.reason or "No digit found.")
    return Example(np.asarray(prepared.digits[0], np.float32), int(label), name)


def read_examples(folder: str | Path, judge: Judge | None = None) -> tuple[list[Example], list[Skipped]]:
    """Examples from a folder with subfolders named 0-9 (keras.utils.image_dataset_from_directory's layout),
    each preprocessed as `example_from_image` does with `judge`.

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
                examples.append(example_from_image(path, int(subfolder.name), name, judge))
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
