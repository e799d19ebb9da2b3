"""The CLI's part: `train --json` says who trained, and a line it cannot reach is one line of words."""

from __future__ import annotations

import json

import pytest

from mnist_core import training
from mnist_core.bench.server import free_port
from mnist_core.cli import main
from mnist_core.remote import LOCAL_WORKER, QUEUE_ENV

TRAIN = ["train", "--model", "softmax", "--epochs", "1", "--limit", "500", "--seed", "61", "--json"]


def test_train_says_it_trained_here_then_that_the_result_came_from_disk(capsys: pytest.CaptureFixture,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(QUEUE_ENV, raising=False)
    assert main(TRAIN) == 0
    assert json.loads(capsys.readouterr().out)["worker"] == LOCAL_WORKER
    training.reset_registry()  # as a new CLI process: the result comes from disk
    assert main(TRAIN) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["cached"] and again["worker"] is None


def test_an_unreachable_line_is_one_line_that_names_the_setting(capsys: pytest.CaptureFixture,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv(QUEUE_ENV, "")  # restored after the test, whatever --queue sets meanwhile
    for command in (TRAIN + ["--queue", url], ["worker", "--burst", "--queue", url]):
        assert main(command) == 1
        said = capsys.readouterr()
        assert said.out == "" and said.err.count("\n") == 1 and "Traceback" not in said.err
        assert f"{QUEUE_ENV}={url} cannot be reached" in said.err
    monkeypatch.setenv(QUEUE_ENV, "")  # --queue set it for this process; the shared teardown asks the line
