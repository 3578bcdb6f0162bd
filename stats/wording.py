"""Truthful words for derived numbers: computed from the figures every time, never stored.

The rules, so that every page and pack words a number the same way:

- **Per day** is an average over the period's days (365, or 366 in a period holding 29 February). Whole
  numbers are never rounded up: 2,440 in 2016/17 is 6.68 a day, "more than six a day", not "seven a
  day"; exactly 6.0 is "six a day". Below one a day the average is given "about" so many a week, a
  month, or (below one a month) as the count in the year.
- **One every …** is the interval between offences, rounded to the nearest whole minute (or hour, or
  day). It is stated plainly when the rounding moves the interval by less than 2.5% (64,667 in a year
  is one every 8.13 minutes: "one every eight minutes", the NSPCC's own wording), and with "about" when
  it moves it further (one every 8.6 minutes is "about one every nine minutes").
- **Change** always names the period compared with and both values; a period with no figure between
  the two is named ("figures for 2015/16 are not available"), never silently skipped. Percentages are
  rounded to the nearest whole per cent; a change that rounds to 0% is "less than 1%".
- **Share** gives both numbers and the rounded percentage, and divides only figures from one source:
  a part from one release is never divided by a total from another (`stats.picture.Row.share_total`).
- **Change** likewise compares only figures from one source (`stats.picture.Series.previous`): releases
  revise earlier years and recording practice changes, so a figure from one release set against a
  figure from another would state a change neither source reports.
- **Geography and year** are the source's own: a figure is named by the area and financial year it is
  for, and where the cited source's own headline names another geography, that is said beside it
  (`geography`).
- **Age**: figures for a period that ended `OLD_AFTER_YEARS` or more years ago say so plainly
  ("2015/16 ended more than ten years ago"), so an old figure is never read as today's (`age`).
"""

from __future__ import annotations

import re
from calendar import isleap
from collections.abc import Sequence
from datetime import date

from stats.models import period_for_start_year, period_start_year

ONES = [
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# The interval is stated without "about" when rounding moves it by less than this share.
PLAIN_ROUNDING = 0.025
# Figures for a period that ended this many years ago or more have their age said.
OLD_AFTER_YEARS = 3
# Geographies a source's headline may name, longest first (so "England and Wales" is not read as "Wales").
GEOGRAPHIES = ("England and Wales", "United Kingdom", "UK", "England", "Wales", "Scotland", "Northern Ireland")
UK_NAMES = {"uk", "united kingdom", "the uk"}


def number(n: int) -> str:
    """A whole number in words up to ninety-nine (British English), in figures with commas above."""
    if n < 0:
        raise ValueError("Counts are never negative.")
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    return f"{n:,}"


def days_in(period: str | None) -> int:
    """Days in a financial year (April to March): 366 when it holds 29 February."""
    if period is None:
        return 365
    return 366 if isleap(period_start_year(period) + 1) else 365


def per_day(value: int, period: str | None = None) -> str:
    """The average a day, never rounded up: "six a day", "more than six a day", "about three a week"."""
    days = days_in(period)
    if value <= 0:
        return "none recorded"
    whole = value // days  # integer arithmetic: exactly six a day is never 5.999…
    if whole >= 1:
        return f"{number(whole)} a day" if value % days == 0 else f"more than {number(whole)} a day"
    a_week = value * 7 / days
    if a_week >= 1:
        return f"about {number(round(a_week))} a week"
    a_month = value / 12
    if a_month >= 1:
        return f"about {number(round(a_month))} a month"
    return f"{number(value)} in the year"


def one_every(value: int, period: str | None = None) -> str:
    """The interval between offences: "one every eight minutes" for 64,667 in a year."""
    if value <= 0:
        return "none recorded"
    minutes = days_in(period) * 24 * 60 / value
    # The largest unit in which the interval is at least about one: seconds, minutes, hours, days.
    for unit, size, upto in (("second", 1 / 60, 59.5), ("minute", 1, 59.5), ("hour", 60, 23.5), ("day", 1440, None)):
        interval = minutes / size
        if upto is None or interval < upto:
            break
    if interval < 0.5:
        return "more than one every second"
    whole = round(interval)
    exact = abs(interval - whole) / interval < PLAIN_ROUNDING
    what = unit if whole == 1 else f"{unit}s"
    count = "" if whole == 1 else f"{number(whole)} "
    return f"{'' if exact else 'about '}one every {count}{what}"


def percent_change(previous: int, value: int) -> int | None:
    """The change as a whole percentage (None from zero, where a percentage means nothing)."""
    if previous == 0:
        return None
    return round((value - previous) * 100 / previous)


def _listed(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def missing_periods(previous_period: str, period: str) -> list[str]:
    """The periods strictly between two periods (none when they are consecutive)."""
    return [
        period_for_start_year(year)
        for year in range(period_start_year(previous_period) + 1, period_start_year(period))
    ]


def change(previous_value: int | None, previous_period: str | None, value: int, period: str) -> str:
    """The change on the previous available period, naming it and both values, and any gap between."""
    if previous_value is None or previous_period is None:
        return f"no earlier figure to compare {period} with"
    values = f"(from {previous_value:,} to {value:,})"
    if value == previous_value:
        text = f"no change on {previous_period} {values}"
    else:
        direction = "up" if value > previous_value else "down"
        percent = percent_change(previous_value, value)
        if percent is None:
            text = f"{direction} on {previous_period} {values}"
        else:
            size = "less than 1%" if abs(percent) == 0 else f"{abs(percent)}%"
            text = f"{direction} {size} on {previous_period} {values}"
    missing = missing_periods(previous_period, period)
    if missing:
        text += f" — figures for {_listed(missing)} are not available"
    return text


def change_in_points(previous_percent: int | None, previous_period: str | None, percent: int, period: str) -> str:
    """A change between two percentages, in percentage points (never as a percentage of a percentage)."""
    if previous_percent is None or previous_period is None:
        return f"no earlier figure to compare {period} with"
    values = f"(from {previous_percent}% to {percent}%)"
    points = percent - previous_percent
    if points == 0:
        return f"no change on {previous_period} {values}"
    unit = "percentage point" if abs(points) == 1 else "percentage points"
    return f"{'up' if points > 0 else 'down'} {abs(points)} {unit} on {previous_period} {values}"


def share(part: int, whole: int) -> str:
    """"701 of 2,440, 29%": both numbers and the rounded percentage."""
    if whole <= 0:
        return share_counts(part, whole)
    return f"{share_counts(part, whole)}, {share_percent(part, whole)}%"


def share_counts(part: int, whole: int) -> str:
    """"701 of 2,440": both numbers, where the percentage is written beside them."""
    return f"{part:,} of {whole:,}"


def share_percent(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole > 0 else None


def no_comparable(period: str) -> str:
    """What a change says when the source of the latest figure gives no earlier one."""
    return (f"no earlier figure from the same source to compare {period} with (figures from different "
            "releases are not compared: later releases revise earlier years)")


def years_since(period: str, today: date) -> int:
    """Whole years between the end of a financial year (31 March) and `today`."""
    end_year = period_start_year(period) + 1
    years = today.year - end_year
    if (today.month, today.day) < (3, 31):
        years -= 1
    return max(years, 0)


def age(period: str | None, today: date) -> str:
    """ "2015/16 ended more than ten years ago" for an old period; "" for a recent one."""
    if not period:
        return ""
    years = years_since(period, today)
    if years < OLD_AFTER_YEARS:
        return ""
    return f"{period} ended more than {number(years)} years ago"


def geography(area_name: str, source_title: str) -> str:
    """The area's name, and the geography the cited source's own headline gives where that differs:
    "the UK (the cited article's headline says England and Wales)"."""
    named = next((place for place in GEOGRAPHIES if re.search(rf"\b{place}\b", source_title, re.IGNORECASE)), None)
    if named is None:
        return area_name
    if named.lower() in UK_NAMES and area_name.lower() in UK_NAMES:
        return area_name
    if named.lower() in area_name.lower():
        return area_name
    return f"{area_name} (the cited article's headline says {named})"


def sentence(text: str) -> str:
    """The same words starting a sentence."""
    return text[:1].upper() + text[1:]


__all__ = [
    "age", "change", "change_in_points", "days_in", "geography", "missing_periods", "no_comparable", "number",
    "one_every", "per_day", "percent_change", "sentence", "share", "share_percent", "years_since",
]
