"""The live chart's line: how often the network was right, and its loss, on the last training images it saw.

Keras reports an average since the start of the current pass instead, which restarts at every pass: drawn
as it is, the line jumped at every whole pass (85% -> 100% at 1.0), as if the network had suddenly improved.
"""

from __future__ import annotations

from collections import deque

import numpy as np

WINDOW_IMAGES = 500  # the live chart's line: how often it was right on the last this many training images


class PracticeWindow:
    """How often the network was right, and its loss, on the last `size` training images it practised on.

    Fed every batch with what Keras reports, an average since the current pass began (`add_pass_average`),
    it recovers each batch's own numbers from the change in that average, and keeps a window that slides
    over the batches and never restarts at a pass: a network whose answers are as good after a pass as
    before it draws a flat line there. The window holds whole batches, the oldest one counted in part, so it
    covers exactly `size` images once that many were seen (fewer at the very start). A few float additions
    a batch (docs/benchmarks.md, "snapshots' share of training time").
    """

    def __init__(self, size: int = WINDOW_IMAGES) -> None:
        if size < 1:
            raise ValueError(f"a window holds at least one image, not {size}")
        self.size = size
        self._parts: deque[tuple[float, float, float]] = deque()  # (images, right answers, summed loss), oldest first
        self._images = self._right = self._loss = 0.0  # totals over _parts
        self._pass = (0.0, 0.0, 0.0)  # the same totals since the current pass began, as Keras counts them

    def add(self, images: float, right: float, loss_sum: float) -> None:
        """One batch (or a run of batches): `images` seen, `right` of them read right, their losses summed."""
        if images <= 0:
            return
        self._parts.append((images, right, loss_sum))
        self._images, self._right, self._loss = self._images + images, self._right + right, self._loss + loss_sum
        while len(self._parts) > 1 and self._images - self._parts[0][0] >= self.size:
            gone = self._parts.popleft()
            self._images, self._right, self._loss = (self._images - gone[0], self._right - gone[1],
                                                     self._loss - gone[2])

    def add_pass_average(self, seen: int, accuracy: float, loss: float) -> None:
        """Keras' averages after `seen` images of the current pass; a `seen` no larger than the last one's
        starts a new pass (within a pass it only grows)."""
        right = float(round(accuracy * seen))  # whole answers: undoes float32's rounding of the average
        loss_sum = loss * seen
        before = self._pass if seen > self._pass[0] else (0.0, 0.0, 0.0)
        self._pass = (float(seen), right, loss_sum)
        self.add(seen - before[0], right - before[1], loss_sum - before[2])

    def _sum(self, index: int) -> float:
        """Total of column `index` over exactly the window: the oldest part only for the share that fits."""
        total = (self._images, self._right, self._loss)[index]
        extra = self._images - self.size
        if extra > 0:  # the oldest part sticks out of the window: count it as if spread evenly over its images
            oldest = self._parts[0]
            total -= oldest[index] * extra / oldest[0]
        return total

    @property
    def images(self) -> float:
        """Images the window covers now: `size`, or fewer at the very start."""
        return min(self._images, float(self.size))

    @property
    def accuracy(self) -> float:
        """The share of the window's images it read right (0 before any)."""
        return self._sum(1) / self.images if self._images else 0.0

    @property
    def loss(self) -> float:
        """The average loss over the window's images (0 before any)."""
        return self._sum(2) / self.images if self._images else 0.0


def recent_curve(pass_averages: np.ndarray, steps_per_epoch: int, batch_size: int, images: int,
                 size: int = WINDOW_IMAGES) -> np.ndarray:
    """A format-1 recording's curve (step, epoch, loss, accuracy as Keras' averages since each pass began) as
    the practice window's curve.

    Its points were kept every few steps and always at a pass's last step, so the change between two points
    is what the batches between them did; within such a run of batches, the window counts them as equal.
    """
    rows = np.asarray(pass_averages, dtype=np.float32).reshape(-1, 4)
    window, out = PracticeWindow(size), rows.copy()
    per_pass = max(1, steps_per_epoch)
    for i, (step, _epoch, loss, accuracy) in enumerate(rows):
        in_pass = int(step) - (int(step) - 1) // per_pass * per_pass  # 1 ... per_pass
        window.add_pass_average(min(in_pass * batch_size, images), float(accuracy), float(loss))
        out[i, 2], out[i, 3] = window.loss, window.accuracy
    return out
