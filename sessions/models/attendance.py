"""Children reached: the counting rule and the checks on a report's figures, one place for each.

A visit report gives, for each session line, how many children of each year group were there
(`VisitSession.attendance`, {"5": 28, "6": 30}). A Year 5 child at both the KS2 assembly and the
Years 5–6 workshop is one child reached, not two, so:

- *Children reached by a visit* = for each year group, the highest attendance across the visit's
  sessions, summed (`children_reached`). The report stores it (`VisitReport.children_reached`), so the
  reach report, its CSV, the statistics pages and the visit page all read the one figure this makes.
- A figure over the plan (`planned_by_year`) by more than a fifth, or a visit's reach over the
  school's roll, is *unusual*: the volunteer or coordinator ticks to confirm it and says why.
- A figure over `MOST_IN_A_SESSION` for one session is *impossible* and refused.

This module is pure (no queries), so the rule can be tested on any numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MOST_IN_A_SESSION = 2000  # no primary school session has more children than this
OVER_PLAN_SHARE = 0.2  # more than a fifth over the plan needs a confirmation

Attendance = Mapping[int, int]  # year group number → children at one session


def clean_attendance(raw: Mapping) -> dict[int, int]:
    """{year group: children} with integer keys, leaving out year groups with no children. Stored
    JSON has string keys ({"5": 28}); this reads either."""
    return {int(year): int(n) for year, n in (raw or {}).items() if int(n)}


def reach_by_year(sessions: Iterable[Mapping]) -> dict[int, int]:
    """Children reached per year group: the highest attendance of that year group at any one session."""
    reach: dict[int, int] = {}
    for attendance in sessions:
        for year, n in clean_attendance(attendance).items():
            reach[year] = max(reach.get(year, 0), n)
    return dict(sorted(reach.items()))


def children_reached(sessions: Iterable[Mapping]) -> int:
    """Children reached by one visit, each counted once: per year group the highest attendance across
    the visit's sessions, summed. The programme's only count of children reached."""
    return sum(reach_by_year(sessions).values())


def split_evenly(total: int, years: Iterable[int], weights: Mapping[int, int] | None = None) -> dict[int, int]:
    """`total` children shared across `years` in proportion to `weights` (evenly without them), whole
    children only, the remainder to the youngest: how a session's single number becomes a number per
    year group (the plan of a visit booked without one, and reports filed before year groups were asked)."""
    years = sorted(set(years))
    if not years or total <= 0:
        return {}
    weights = {y: max(0, int((weights or {}).get(y, 0))) for y in years}
    if not sum(weights.values()):
        weights = dict.fromkeys(years, 1)
    whole = sum(weights.values())
    shares = {y: total * weights[y] // whole for y in years}
    left = total - sum(shares.values())
    for y in [y for y in years if weights[y]][:left]:
        shares[y] += 1
    # More left than years with a weight (only when total is tiny): the rest to the first year.
    shares[years[0]] += total - sum(shares.values())
    return {y: n for y, n in shares.items() if n}


def planned_by_year(pupils_by_year: Mapping, lines: Iterable[tuple[Iterable[int], int]]) -> dict[int, int]:
    """The planned pupils per year group: the school's own numbers where it gave them (the request
    form), otherwise each session line's pupils shared across its year groups, the largest line for
    a year group counting (the same children attend several sessions)."""
    given = clean_attendance(pupils_by_year)
    planned: dict[int, int] = {}
    for years, pupils in lines:
        for year, n in split_evenly(pupils, years).items():
            planned[year] = max(planned.get(year, 0), n)
    planned.update(given)
    return dict(sorted(planned.items()))


@dataclass(frozen=True)
class Finding:
    """Something wrong or unusual about a report's figures, said so that the person filing can act."""

    message: str
    line: int | None = None  # the session line's pk, or None for the whole visit
    year: int | None = None


@dataclass(frozen=True)
class Checked:
    impossible: list[Finding]  # refused whatever is confirmed
    unusual: list[Finding]  # accepted only with a confirmation and a reason

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.unusual)


def check_figures(
    sessions: list[tuple[int, str, Mapping]],
    planned: Mapping[int, int],
    roll: int | None,
    year_label,
) -> Checked:
    """Check a report's figures: `sessions` is (line pk, what the line is called, attendance).

    Impossible: a session of more than MOST_IN_A_SESSION children. Unusual: a year group reached more
    than a fifth over its plan (or not planned at all), or the visit's reach over the school's roll."""
    impossible, unusual = [], []
    for pk, name, attendance in sessions:
        attendance = clean_attendance(attendance)
        for year, n in attendance.items():
            if n > MOST_IN_A_SESSION:
                impossible.append(Finding(
                    f"{name}, {year_label(year)}: {n:,} children is more than any session can hold "
                    f"(at most {MOST_IN_A_SESSION:,}). Check the number.", pk, year))
        total = sum(attendance.values())
        if total > MOST_IN_A_SESSION and not any(f.line == pk for f in impossible):
            impossible.append(Finding(
                f"{name}: {total:,} children in one session is more than any session can hold "
                f"(at most {MOST_IN_A_SESSION:,}). Check the numbers.", pk))
    reached = reach_by_year(attendance for _, _, attendance in sessions)
    for year, n in reached.items():
        plan = int(planned.get(year, 0))
        if n > plan * (1 + OVER_PLAN_SHARE):
            said = f"{plan} were planned" if plan else "none were planned"
            unusual.append(Finding(f"{year_label(year)}: {n} children reached, but {said}.", year=year))
    total = sum(reached.values())
    if roll and total > roll:
        unusual.append(Finding(f"{total} children reached is more than the school's {roll} pupils on roll."))
    return Checked(impossible, unusual)
