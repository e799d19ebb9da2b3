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


def count_size(spec: dict, width: float, height: float) -> float:
    """The confusion matrix's count size, as Vega works it out for a plot `width` x `height` pixels."""
    text = next(layer["mark"] for layer in spec["layer"] if layer["mark"]["type"] == "text")
    return eval(text["fontSize"]["expr"], {"min": min}, {"width": width, "height": height})  # a min() of numbers


@pytest.mark.parametrize("size", [charts.FONT_SIZE, charts.PRESENTER_FONT_SIZE])
def test_the_confusion_matrix_labels_every_digit_and_keeps_each_count_in_its_cell(size):
    spec = charts.CONFUSION if size == charts.FONT_SIZE else charts._scaled(charts.CONFUSION, size)
    for axis in ("x", "y"):
        shown = spec["encoding"][axis]["axis"]
        assert shown["labelOverlap"] is False and shown["values"] == [str(digit) for digit in range(10)]
        assert shown["labelFlush"] is False, "each label on its own row or column"
    # From a phone's column to a projector's whole width: "1134" in bold (digits about 0.55 of the font size
    # wide) fits its cell, never larger than the page's text, and as large as that where the cell has room.
    for width in (250, 400, 470, 560, 700, 1100, 1700):
        font = count_size(spec, width, spec["height"] - 60)  # the plot: the chart less its axis at the bottom
        assert font <= size and 4 * 0.55 * font <= width / 10 * 0.9 and font <= (spec["height"] - 60) / 10 * 0.7
    assert count_size(spec, 1100, spec["height"] - 60) == size
