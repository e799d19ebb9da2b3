"""The app's server as the benchmarks and the browser tests start it (mnist_core/bench/server.py)."""

from __future__ import annotations

import pytest

from mnist_core.bench.server import ServerDidNotStart, free_port, start_server


def test_a_server_that_does_not_answer_in_time_is_stopped_and_its_log_is_named(tmp_path):
    with pytest.raises(ServerDidNotStart) as raised:
        start_server(tmp_path, log=tmp_path / "the.log", start_seconds=0.0, reuse_mnist=False)
    assert str(tmp_path / "the.log") in str(raised.value)


def test_a_free_port_is_a_port():
    assert 0 < free_port() < 65536
