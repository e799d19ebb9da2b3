"""Concurrent calls to one model share forward passes, and each caller still gets exactly its own rows."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from mnist_core.batching import Batcher, merged

CALLERS = 12


def slow_double(calls: list[int]):
    """A 'model' that takes a moment (so callers pile up) and records each pass's batch size."""
    def function(x: np.ndarray) -> np.ndarray:
        calls.append(len(x))
        time.sleep(0.05)
        return x * 2
    return function


def call_together(batcher: Batcher, function, inputs: list[np.ndarray]) -> list:
    results: list = [None] * len(inputs)
    start = threading.Barrier(len(inputs))

    def caller(index: int) -> None:
        start.wait()
        try:
            results[index] = batcher(function, inputs[index])
        except Exception as exc:  # noqa: BLE001 - the test looks at what each caller got
            results[index] = exc

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_callers_share_passes_and_get_their_own_rows():
    calls: list[int] = []
    inputs = [np.full((1 + i % 3, 2), float(i)) for i in range(CALLERS)]  # 1-3 rows each, distinct values
    results = call_together(Batcher(), slow_double(calls), inputs)
    for given, got in zip(inputs, results):
        np.testing.assert_array_equal(got, given * 2)
    assert sum(calls) == sum(len(x) for x in inputs)  # every row computed exactly once
    assert len(calls) < CALLERS  # merged: fewer passes than callers


def test_a_lone_call_runs_at_once_and_errors_reach_every_caller_of_the_pass():
    calls: list[int] = []
    assert merged(object, slow_double(calls), np.ones((3, 2))).shape == (3, 2) and calls == [3]

    def broken(x: np.ndarray) -> np.ndarray:
        time.sleep(0.05)
        raise ValueError("bad input")

    results = call_together(Batcher(), broken, [np.ones((1, 2))] * 4)
    assert all(isinstance(result, ValueError) for result in results)
    with pytest.raises(ValueError):
        Batcher()(broken, np.ones((1, 2)))
