"""The SVG bar chart: readable by screen readers, labelled, honest about gaps, safe with any text."""

import re

import pytest

from stats.charts import Bar, bar_chart, nice_ticks, periods_with_gaps


def chart(**kwargs) -> str:
    options = {"title": "Offences recorded in Thames Valley", "x_label": "Financial year",
               "y_label": "Offences recorded", "chart_id": "tv"}
    options.update(kwargs)
    return bar_chart([("2014/15", 1944), ("2015/16", None), ("2016/17", 2440)], **options)


def test_the_chart_has_a_title_and_a_description_with_every_value_for_screen_readers():
    svg = chart()
    assert 'role="img" aria-labelledby="tv-title tv-desc"' in svg
    assert '<title id="tv-title">Offences recorded in Thames Valley</title>' in svg
    assert ('<desc id="tv-desc">Offences recorded by financial year: 2014/15: 1,944; 2015/16: no figure; '
            "2016/17: 2,440.</desc>") in svg


def test_each_period_with_a_figure_has_one_bar_and_its_value_written_over_it():
    svg = chart()
    assert svg.count("<rect") == 2
    assert ">1,944</text>" in svg and ">2,440</text>" in svg
    assert all(f">{label}</text>" in svg for label in ("2014/15", "2015/16", "2016/17"))


def test_a_period_without_a_figure_says_so_instead_of_drawing_a_zero_bar():
    assert ">no figure</text>" in chart()


def test_both_axes_are_labelled_with_round_ticks_from_zero():
    svg = chart()
    assert ">Financial year</text>" in svg
    assert ">Offences recorded</text>" in svg
    ticks = re.findall(r'text-anchor="end"[^>]*>([\d,]+)</text>', svg)
    assert ticks == ["0", "1,000", "2,000", "3,000"]


def test_the_latest_bar_is_marked_by_weight_as_well_as_colour():
    svg = chart()
    assert 'font-weight="bold" fill="#1d2b26">2,440</text>' in svg
    assert 'font-weight="bold" fill="#1d2b26">1,944' not in svg


def test_text_in_the_chart_is_escaped():
    svg = chart(title="<script>alert(1)</script> & co")
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg


def test_a_chart_with_no_periods_is_refused():
    with pytest.raises(ValueError):
        bar_chart([], title="t", x_label="x", y_label="y")


@pytest.mark.parametrize(
    ("top", "ticks"),
    [(2440, [0, 1000, 2000, 3000]), (64667, [0, 20000, 40000, 60000, 80000]), (3, [0, 1, 2, 3]),
     (0, [0, 1])],
)
def test_ticks_are_round_numbers_reaching_the_largest_value(top, ticks):
    assert nice_ticks(top) == ticks


def test_missing_periods_between_the_first_and_last_become_gaps():
    assert periods_with_gaps({"2014/15": 1944, "2016/17": 2440}) == [
        Bar("2014/15", 1944), Bar("2015/16", None), Bar("2016/17", 2440)
    ]
    assert periods_with_gaps({}) == []
