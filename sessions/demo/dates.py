"""The demo's calendar: which days a visit can fall on, and times on those days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache

from dateutil.easter import easter  # holidays' own dependency
from django.utils import timezone

from config.dates import monday_of
from schools.models import School, TermDate, academic_year_of
from sessions.models import bank_holiday_name


@cache
def term_calendar(year: int) -> tuple[tuple[str, date, date], ...]:
    """A believable calendar for the academic year starting in September of `year`: (kind, first day, last
    day). Holidays run from the Saturday to the Sunday around them, as authorities publish them (the
    Christmas holiday of 2026/27: 19 December – 3 January). Every demo authority follows it."""
    K = TermDate.Kind
    day = date(year, 9, 1)
    first_inset = day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
    october = monday_of(date(year, 10, 28))
    christmas = monday_of(date(year, 12, 21))
    back = date(year + 1, 1, 2)
    back += timedelta(days=(7 - back.weekday()) % 7)  # the first Monday from 2 January
    february = monday_of(date(year + 1, 2, 16))
    easter_day = easter(year + 1)
    may = monday_of(date(year + 1, 5, 31))  # the week of the spring bank holiday
    summer = monday_of(date(year + 1, 7, 22)) + timedelta(days=5)  # the Saturday of that week
    week = lambda monday: (monday - timedelta(days=2), monday + timedelta(days=6))  # noqa: E731
    return (
        (K.INSET, first_inset, first_inset),
        (K.TERM, first_inset, christmas - timedelta(days=3)),
        (K.HALF_TERM, *week(october)),
        (K.HOLIDAY, christmas - timedelta(days=2), back - timedelta(days=1)),
        (K.INSET, back, back),
        (K.TERM, back, easter_day - timedelta(days=9)),
        (K.HALF_TERM, *week(february)),
        (K.HOLIDAY, easter_day - timedelta(days=8), easter_day + timedelta(days=7)),
        (K.TERM, easter_day + timedelta(days=8), summer - timedelta(days=1)),
        (K.HALF_TERM, *week(may)),
        (K.HOLIDAY, summer, date(year + 1, 8, 31)),
    )


def closed_for_pupils(day: date) -> bool:
    """Whether the demo's calendar has schools closed to pupils that day (a holiday, half-term or INSET)."""
    return any(kind != TermDate.Kind.TERM and first <= day <= last
               for kind, first, last in term_calendar(academic_year_of(day)))


def school_days(first: date, last: date, nations: Iterable[str]) -> list[date]:
    """Weekdays in term time (the demo's calendar) with no bank holiday in any of the nations."""
    nations = list(nations)
    days = []
    day = first
    while day <= last:
        if (
            day.weekday() < 5
            and not closed_for_pupils(day)
            and not any(bank_holiday_name(day, nation) for nation in nations)
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def next_days(start: date, count: int) -> list[date]:
    """The first `count` school days in England from `start` (within four months)."""
    days = school_days(start, start + timedelta(days=120), [School.Nation.ENGLAND])
    return days[:count]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())

