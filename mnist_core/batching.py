"""Many people asking one model at once: their digits go through it together.

In the app every browser session runs its page in its own thread, and a classroom draws at the same time.
One forward pass for ten digits costs about what one pass for one digit costs (the Python call, the graph
dispatch, a turn in TensorFlow's thread pool shared with a running training), so calls that arrive while
the model is busy wait for the current pass and are then answered together by the next one. A lone call
runs at once: nothing waits for company that may not come.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

MAX_BATCH = 256  # digits per merged pass: bounded memory whatever the crowd


@dataclass
class _Request:
    inputs: np.ndarray
    done: threading.Event = field(default_factory=threading.Event)
    outputs: np.ndarray | None = None
    error: BaseException | None = None
    lead: bool = False  # woken to run the next pass, not with an answer


class Batcher:
    """Merges concurrent calls of one function on (N, ...) arrays into calls on their concatenation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[_Request] = []
        self._busy = False

    def __call__(self, function: Callable[[np.ndarray], np.ndarray], inputs: np.ndarray) -> np.ndarray:
        request = _Request(inputs)
        with self._lock:
            self._waiting.append(request)
            request.lead = not self._busy
            self._busy = True
        if not request.lead:
            request.done.wait()
        if request.outputs is None and request.error is None:  # leading: run a pass for everyone waiting
            self._run(function)
        if request.error is not None:
            raise request.error
        return request.outputs

    def _run(self, function: Callable[[np.ndarray], np.ndarray]) -> None:
        with self._lock:
            batch, total = [], 0
            while self._waiting and (not batch or total + len(self._waiting[0].inputs) <= MAX_BATCH):
                batch.append(self._waiting.pop(0))
                total += len(batch[-1].inputs)
        try:
            outputs = np.asarray(function(np.concatenate([request.inputs for request in batch])))
            start = 0
            for request in batch:
                request.outputs = outputs[start:start + len(request.inputs)]
                start += len(request.inputs)
        except BaseException as exc:  # every caller of this pass gets the error, as a lone call would
            for request in batch:
                request.error = exc
        with self._lock:  # hand the lead to the oldest caller still waiting, or stand down
            if self._waiting:
                self._waiting[0].lead = True
                self._waiting[0].done.set()
            else:
                self._busy = False
        for request in batch:
            request.done.set()


_batchers: "weakref.WeakKeyDictionary[object, Batcher]" = weakref.WeakKeyDictionary()
_batchers_lock = threading.Lock()


def merged(owner: object, function: Callable[[np.ndarray], np.ndarray], inputs: np.ndarray) -> np.ndarray:
    """`function(inputs)`, run together with the other callers for the same `owner` (a model) at this moment."""
    with _batchers_lock:
        batcher = _batchers.get(owner)
        if batcher is None:
            batcher = _batchers[owner] = Batcher()
    return batcher(function, inputs)
