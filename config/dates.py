"""Date and time helpers shared by every app: plain calendar arithmetic, no domain rules.

- `years_before` / `years_after`: the same calendar day some years away (29 February becomes 28 February).
- `monday_of`: the Monday of a date's week; `month_of`: the first and last day of its month.
- `parse_date`: an ISO date from a query string, or a default when it is missing or not a date.
- `date_window`: the dates the app plans and shows (2000 to ten years ahead), so that a half-typed or
  far-off year is a message, not arithmetic that runs off the calendar (year 0 or 10000).
- `plus_minutes` / `minus_minutes`: a time of day moved by some minutes, kept within the same day
  (00:00 to 23:59), so a session that would run past midnight ends at 23:59 rather than wrapping.
- `school_term`: the school term a date falls in, by the calendar (autumn September to December,
  spring January to March, summer April to August): every authority's own dates differ by a week or
  two, so a count "this term" across areas is by these spans, and the page says which dates it means.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, time, timedelta

LAST_MINUTE = 23 * 60 + 59
EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 10


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February), held within the
    calendar Python can count (1 to 9999): a date near either end never makes a server error."""
    year = day.year - years
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def years_after(day: date, years: int) -> date:
    return years_before(day, -years)


def monday_of(day: date) -> date:
    return max(day - timedelta(days=day.weekday()), date.min)


def working_days_after(day: date, days: int) -> date:
    """The date `days` working days (Monday to Friday) after `day`: two after a Friday is the Tuesday."""
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of the day's month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def parse_date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def date_window(today: date) -> tuple[date, date]:
    """The first and last date a visit may have or the calendar may show."""
    return EARLIEST_DATE, date(today.year + YEARS_AHEAD, 12, 31)


def plus_minutes(moment: time, minutes: int) -> time:
    """`moment` moved by `minutes` (negative: earlier), kept within the day."""
    total = min(max(moment.hour * 60 + moment.minute + minutes, 0), LAST_MINUTE)
    return time(total // 60, total % 60)


def minus_minutes(moment: time, minutes: int) -> time:
    return plus_minutes(moment, -minutes)


@dataclass(frozen=True)
class Term:
    season: str  # "autumn", "spring" or "summer"
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.season.capitalize()} term {self.first.year}"

    @property
    def previous(self) -> Term:
        return school_term(self.first - timedelta(days=1))


# The academic year's terms by calendar month (first month, last month), in the year's order: the one
# rule for "which term" wherever no term calendar is asked (the volunteer directory, the reach report).
TERM_MONTHS = {"autumn": (9, 12), "spring": (1, 3), "summer": (4, 8)}


def school_term(day: date) -> Term:
    """The school term the day falls in, by the calendar (see the module's docstring)."""
    season = next(name for name, (first, last) in TERM_MONTHS.items() if first <= day.month <= last)
    first, last = TERM_MONTHS[season]
    return Term(season, date(day.year, first, 1), date(day.year, last, calendar.monthrange(day.year, last)[1]))
