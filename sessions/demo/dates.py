"""The demo's calendar: which days a visit can fall on, and times on those days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from schools.models import School
from sessions.models import bank_holiday_name


def school_days(first: date, last: date, nations: Iterable[str]) -> list[date]:
    """Weekdays in term time with no bank holiday in any of the nations (school holidays roughly)."""
    nations = list(nations)
    days = []
    day = first
    while day <= last:
        summer = (day.month == 7 and day.day >= 23) or day.month == 8
        christmas = (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3)
        if (
            day.weekday() < 5
            and not summer
            and not christmas
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

