"""Chart specs for a projector: the passes axis always ends on the last pass, percentages sit on their lines."""

from __future__ import annotations

import pytest

from ui import charts


@pytest.mark.parametrize("passes", list(range(1, 51)) + [0.5, 100, 137, 500])
def test_the_passes_axis_is_labelled_from_zero_to_the_last_pass(passes):
    ticks = charts.pass_ticks(passes)
    assert ticks[0] == 0 and ticks[-1] == passes
    assert all(b > a for a, b in zip(ticks, ticks[1:]))
    assert 2 <= len(ticks) <= charts.MOST_TICKS + 2, ticks
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert min(gaps) >= max(gaps) / 2.5, f"two labels crowd each other: {ticks}"


@pytest.mark.parametrize("presenting", [False, True])
def test_a_three_pass_run_is_labelled_to_three(presenting):
    spec = charts.accuracy_spec(3.0, presenting)
    assert spec["encoding"]["x"]["axis"]["values"] == [0, 0.5, 1, 1.5, 2, 2.5, 3]


@pytest.mark.parametrize("spec", [charts.ACCURACY, charts.PROBABILITIES])
def test_percent_axes_keep_their_labels_on_their_lines_at_every_size(spec):
    for shown in (spec, charts._scaled(spec, charts.PRESENTER_FONT_SIZE)):
        assert shown["encoding"]["y"]["axis"]["labelFlush"] is False


def test_the_probability_chart_speaks_plainly():
    y = charts.PROBABILITIES["encoding"]["y"]
    assert y["title"] == "how sure"
    assert all(item.get("title", item["field"]) != "probability" for item in charts.PROBABILITIES["encoding"]["tooltip"])
