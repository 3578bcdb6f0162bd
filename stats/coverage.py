"""What the statistics pages need from the programme (schools and visits), without importing it.

Apps depend one way only (sessions → schools → stats), yet /stats/ shows, beside the figures, how
many schools are due a visit in each area and the area's programme coverage, and only the programme
knows who its coordinators are. So stats declares here what it needs, and the programme (the sessions
app, which may import everything) registers a provider that answers it (`sessions/reach/report.py`). With no
provider registered the pages still show every figure, to staff only, and say that coverage is not
available.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from stats.models import Area


@dataclass(frozen=True)
class AreaCoverage:
    """The programme in one area on a date: open primary-age schools and how many were visited within
    the programme cycle (since `cycle_start`), how many are due, and the children reached in visits
    delivered within the cycle."""

    on: date
    cycle_start: date
    open_schools: int
    visited: int
    due: int
    children_reached: int
    visits_delivered: int
    visits_reported: int

    @property
    def coverage_percent(self) -> int | None:
        return round(self.visited * 100 / self.open_schools) if self.open_schools else None


class Programme(Protocol):
    def may_see_statistics(self, user) -> bool:
        """Staff and coordinators: never volunteers, never anyone on a page meant for children."""

    def due_counts(self, *, on: date) -> dict[int, int]:
        """Schools due a visit on the date, by police force area primary key (areas with none left out)."""

    def area_coverage(self, area: Area, *, on: date, user) -> AreaCoverage | None:
        """The programme's coverage of one police force area on the date (None if the user may not
        see the programme's reach there)."""

    def area_map(self, area: Area, *, on: date, user) -> str | None:
        """The coverage map of one police force area on the date, as safe HTML with its key and counts (None
        if the user may not see the programme's reach there)."""


_programme: Programme | None = None


def register(programme: Programme) -> None:
    global _programme
    _programme = programme


def programme() -> Programme | None:
    return _programme


def may_see_statistics(user) -> bool:
    if not user.is_authenticated:
        return False
    if _programme is None:
        return user.is_staff
    return _programme.may_see_statistics(user)
