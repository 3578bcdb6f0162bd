"""config/dates.py: the school term a date falls in, by the calendar; working days."""

from datetime import date

import pytest

from config.dates import school_term, working_days_after


@pytest.mark.parametrize(("day", "label", "first", "last"), [
    (date(2026, 9, 1), "Autumn term 2026", date(2026, 9, 1), date(2026, 12, 31)),
    (date(2026, 12, 31), "Autumn term 2026", date(2026, 9, 1), date(2026, 12, 31)),
    (date(2027, 1, 1), "Spring term 2027", date(2027, 1, 1), date(2027, 3, 31)),
    (date(2027, 4, 1), "Summer term 2027", date(2027, 4, 1), date(2027, 8, 31)),
    (date(2027, 8, 31), "Summer term 2027", date(2027, 4, 1), date(2027, 8, 31)),
])
def test_a_date_falls_in_one_term_by_the_calendar(day, label, first, last):
    term = school_term(day)

    assert (term.label, term.first, term.last) == (label, first, last)


def test_the_term_before_autumn_is_summer_and_before_spring_is_the_autumn_of_the_year_before():
    assert school_term(date(2026, 10, 1)).previous.label == "Summer term 2026"
    assert school_term(date(2027, 2, 1)).previous.label == "Autumn term 2026"
    assert school_term(date(2027, 5, 1)).previous.label == "Spring term 2027"


@pytest.mark.parametrize(("day", "after"), [
    (date(2026, 12, 7), date(2026, 12, 9)),  # Monday: Wednesday
    (date(2026, 12, 3), date(2026, 12, 7)),  # Thursday: Monday
    (date(2026, 12, 4), date(2026, 12, 8)),  # Friday: Tuesday
    (date(2026, 12, 5), date(2026, 12, 8)),  # Saturday: Tuesday
])
def test_two_working_days_after_a_day_skip_the_weekend(day, after):
    assert working_days_after(day, 2) == after
    assert working_days_after(day, 0) == day
