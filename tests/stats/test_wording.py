"""Derived numbers are worded truthfully, at every boundary."""

import pytest

from stats.wording import change, change_in_points, number, one_every, per_day, share


@pytest.mark.parametrize(
    ("value", "words"),
    [(0, "no"), (1, "one"), (6, "six"), (19, "nineteen"), (20, "twenty"), (21, "twenty-one"), (99, "ninety-nine"),
     (100, "100"), (64667, "64,667")],
)
def test_small_whole_numbers_are_written_in_words_and_larger_ones_in_figures(value, words):
    assert number(value) == words


def test_exactly_six_a_day_is_six_a_day():
    assert per_day(6 * 365, "2016/17") == "six a day"


def test_two_thousand_four_hundred_and_forty_a_year_is_more_than_six_a_day_never_seven():
    assert per_day(2440, "2016/17") == "more than six a day"  # 6.68 a day


def test_one_short_of_seven_a_day_is_still_more_than_six():
    assert per_day(7 * 365 - 1, "2016/17") == "more than six a day"


def test_exactly_seven_a_day_is_seven_a_day():
    assert per_day(7 * 365, "2016/17") == "seven a day"


def test_a_year_holding_29_february_divides_by_366_days():
    # 2015/16 runs April 2015 to March 2016, which holds 29 February 2016.
    assert per_day(6 * 366, "2015/16") == "six a day"
    assert per_day(6 * 365, "2015/16") == "more than five a day"


def test_exactly_one_a_day_is_one_a_day_and_just_under_is_a_weekly_average():
    assert per_day(365, "2016/17") == "one a day"
    assert per_day(364, "2016/17") == "about seven a week"


def test_below_one_a_day_is_about_so_many_a_week():
    assert per_day(156, "2016/17") == "about three a week"  # 2.99 a week


def test_below_one_a_week_is_about_so_many_a_month():
    assert per_day(36, "2016/17") == "about three a month"  # 0.69 a week, 3 a month
    assert per_day(51, "2016/17") == "about four a month"  # 0.98 a week: never rounded up to "one a week"


def test_below_one_a_month_is_the_count_in_the_year():
    assert per_day(5, "2016/17") == "five in the year"


def test_no_offences_is_none_recorded():
    assert per_day(0, "2016/17") == "none recorded"
    assert one_every(0, "2016/17") == "none recorded"


def test_sixty_four_thousand_six_hundred_and_sixty_seven_a_year_is_one_every_eight_minutes():
    assert one_every(64667, "2016/17") == "one every eight minutes"  # 8.13 minutes: rounding moves it 1.6%


def test_an_interval_far_from_a_whole_minute_is_about_one_every_so_many():
    # 525,600 minutes / 61,116 = 8.6 minutes: "nine" moves it 4.7%, so it says "about".
    assert one_every(61116, "2016/17") == "about one every nine minutes"


def test_longer_intervals_are_worded_in_hours_and_days():
    assert one_every(2440, "2016/17") == "about one every four hours"  # 3.59 hours
    assert one_every(365 * 2, "2016/17") == "one every twelve hours"
    assert one_every(73, "2016/17") == "one every five days"
    assert one_every(365, "2016/17") == "one every day"


def test_a_rise_names_the_previous_period_and_both_values():
    assert change(56324, "2015/16", 64667, "2016/17") == "up 15% on 2015/16 (from 56,324 to 64,667)"


def test_a_fall_names_the_previous_period_and_both_values():
    assert change(76204, "2018/19", 73518, "2019/20") == "down 4% on 2018/19 (from 76,204 to 73,518)"


def test_no_change_says_so():
    assert change(2440, "2015/16", 2440, "2016/17") == "no change on 2015/16 (from 2,440 to 2,440)"


def test_a_change_that_rounds_to_nothing_is_less_than_one_per_cent():
    assert change(1000, "2015/16", 1004, "2016/17") == "up less than 1% on 2015/16 (from 1,000 to 1,004)"


def test_a_rise_from_zero_has_no_percentage():
    assert change(0, "2015/16", 4, "2016/17") == "up on 2015/16 (from 0 to 4)"


def test_without_a_previous_period_there_is_nothing_to_compare():
    assert change(None, None, 2440, "2016/17") == "no earlier figure to compare 2016/17 with"


def test_a_change_across_a_gap_says_which_figures_are_missing():
    assert change(1944, "2014/15", 2200, "2016/17") == (
        "up 13% on 2014/15 (from 1,944 to 2,200) — figures for 2015/16 are not available"
    )


def test_a_change_across_several_missing_years_lists_them_all():
    assert change(2718, "2019/20", 3004, "2022/23") == (
        "up 11% on 2019/20 (from 2,718 to 3,004) — figures for 2020/21 and 2021/22 are not available"
    )


def test_a_share_gives_both_numbers_and_the_percentage():
    assert share(701, 2440) == "701 of 2,440, 29%"
    assert share(13876, 64667) == "13,876 of 64,667, 21%"


def test_a_change_between_percentages_is_in_percentage_points():
    assert change_in_points(40, "2024/25", 45, "2025/26") == "up 5 percentage points on 2024/25 (from 40% to 45%)"
    assert change_in_points(45, "2024/25", 44, "2025/26") == "down 1 percentage point on 2024/25 (from 45% to 44%)"
    assert change_in_points(45, "2024/25", 45, "2025/26") == "no change on 2024/25 (from 45% to 45%)"
    assert change_in_points(None, None, 45, "2025/26") == "no earlier figure to compare 2025/26 with"


# --- Truth rules: geography as the source gives it, the age of old figures

def test_a_uk_figure_whose_cited_headline_names_england_and_wales_says_so():
    from stats.wording import geography  # noqa: PLC0415 — these tests alone need it

    title = "Child abuse: sexual offences in England and Wales at record all-time high, one every eight minutes"
    assert geography("United Kingdom", title) == "United Kingdom (the cited article's headline says England and Wales)"
    assert geography("United Kingdom", "Child sex offence recorded on average every eight minutes in UK") == (
        "United Kingdom")
    assert geography("United Kingdom", "Charity reports rise in child sex abuse cases") == "United Kingdom"
    assert geography("South Wales", "NSPCC figures for Wales") == "South Wales"


def test_old_figures_have_their_age_said_plainly_and_recent_ones_do_not():
    from datetime import date  # noqa: PLC0415 — these tests alone need it

    from stats.wording import age, years_since  # noqa: PLC0415 — as above

    assert years_since("2015/16", date(2026, 12, 1)) == 10
    assert age("2015/16", date(2026, 12, 1)) == "2015/16 ended more than ten years ago"
    assert age("2022/23", date(2026, 3, 30)) == ""  # not yet three whole years
    assert age("2022/23", date(2026, 3, 31)) == "2022/23 ended more than three years ago"
    assert age(None, date(2026, 1, 1)) == ""
