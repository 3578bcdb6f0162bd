"""Term calendars from a CSV: plan (read and check every row), then apply, all or nothing.

The file has one row per span, with the columns (by name, in any order; others are ignored)
`la_code, academic_year, kind, starts_on, ends_on`:

- `la_code`: the authority's ONS district code (E06000037), or its DfE LA number where one is held;
- `academic_year`: 2026/27 (also 2026-27, 2026/2027 or 2026);
- `kind`: term, half_term, holiday or inset;
- `starts_on`, `ends_on`: 2026-12-19 or 19/12/2026, inside that academic year (1 September – 31 August).

Applying replaces, for each authority and academic year in the file, the whole calendar held for it, so
a corrected file can be imported again. Every refusal names its row and column; with any, nothing is
written. Used by the admin's import (schools/admin.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q

from schools.models import TermDate, academic_year_bounds, academic_year_label, schools_changed_in_bulk
from stats.models import LocalAuthority

COLUMNS = ("la_code", "academic_year", "kind", "starts_on", "ends_on")
MAX_ROWS = 50_000
KINDS = {"term": TermDate.Kind.TERM, "half_term": TermDate.Kind.HALF_TERM, "half-term": TermDate.Kind.HALF_TERM,
         "holiday": TermDate.Kind.HOLIDAY, "inset": TermDate.Kind.INSET}
YEAR = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$")


@dataclass(frozen=True)
class TermRow:
    line: int
    local_authority: LocalAuthority
    academic_year: int
    kind: str
    starts_on: date
    ends_on: date

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)


@dataclass
class TermPlan:
    rows: list[TermRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    replaced: int = 0  # spans held now for the authorities and years in the file

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def calendars(self) -> list[tuple[str, str, int]]:
        """(authority, academic year, spans) for each calendar in the file, by name."""
        found: dict[tuple[str, str], int] = {}
        for row in self.rows:
            key = (row.local_authority.name, row.year_label)
            found[key] = found.get(key, 0) + 1
        return [(name, year, n) for (name, year), n in sorted(found.items())]

    def pairs(self) -> set[tuple[int, int]]:
        return {(row.local_authority.pk, row.academic_year) for row in self.rows}


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _year(text: str) -> int | None:
    match = YEAR.match(text)
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    if end is not None and int(end) not in (start + 1, (start + 1) % 100):
        return None
    return start if 1990 <= start <= 2100 else None


def plan_terms(data: bytes) -> TermPlan:
    """Read and check the whole file; nothing is written."""
    plan = TermPlan()
    if not data.strip():
        plan.errors.append("The file is empty.")
        return plan
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        plan.errors.append(f"Row {line}: the file is not UTF-8 text (save it as “CSV UTF-8”).")
        return plan
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        plan.errors.append(f"Row {line}: the file holds a NUL character; is it a CSV file?")
        return plan
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error) as error:
        plan.errors.append(f"Row 1: the header cannot be read as CSV ({error}).")
        return plan
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        plan.errors.append(
            f"Row 1: missing column(s) {', '.join(missing)} (the header must name {', '.join(COLUMNS)})."
        )
        return plan
    where = {name: header.index(name) for name in COLUMNS}
    authorities = {la.code.upper(): la for la in LocalAuthority.objects.all()}
    authorities |= {la.dfe_code: la for la in authorities.values() if la.dfe_code}
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(plan.rows) + len(plan.errors) >= MAX_ROWS:
                plan.errors.append(f"Row {line}: the file has more than {MAX_ROWS:,} rows; split it.")
                break
            _read(plan, line, cells, where, len(header), authorities)
    except csv.Error as error:
        plan.errors.append(f"Row {reader.line_num}: cannot be read as CSV ({error}).")
    if not plan.rows and not plan.errors:
        plan.errors.append("Row 2: the file has a header but no term dates.")
    if plan.ok:
        pairs = plan.pairs()
        held = TermDate.objects.filter(local_authority_id__in={la for la, _ in pairs},
                                       academic_year__in={year for _, year in pairs})
        plan.replaced = sum(pair in pairs for pair in held.values_list("local_authority_id", "academic_year"))
    return plan


def _read(plan: TermPlan, line: int, cells: list[str], where: dict[str, int], width: int, authorities) -> None:
    if len(cells) != width:
        plan.errors.append(f"Row {line}: has {len(cells)} fields where the header has {width}.")
        return
    value = {name: cells[index].strip() for name, index in where.items()}
    errors = []

    def bad(column: str, problem: str) -> None:
        errors.append(f"Row {line}, column {column}: {value[column][:40]!r} {problem}.")

    la = authorities.get(value["la_code"].upper())
    if la is None:
        bad("la_code", "is not a local authority held (give its ONS district code, such as E06000037)")
    year = _year(value["academic_year"])
    if year is None:
        bad("academic_year", "is not an academic year such as 2026/27")
    kind = KINDS.get(value["kind"].lower())
    if kind is None:
        bad("kind", "is not one of term, half_term, holiday, inset")
    first, last = _date(value["starts_on"]), _date(value["ends_on"])
    if first is None:
        bad("starts_on", "is not a date such as 2026-12-19")
    if last is None:
        bad("ends_on", "is not a date such as 2027-01-03")
    if first and last and last < first:
        bad("ends_on", f"is before starts_on ({first:%-d %B %Y})")
    if year is not None:
        opens, closes = academic_year_bounds(year)
        for column, day in (("starts_on", first), ("ends_on", last)):
            if day and not opens <= day <= closes:
                bad(column, f"is outside the academic year {academic_year_label(year)} "
                            f"({opens:%-d %B %Y} – {closes:%-d %B %Y})")
    if errors:
        plan.errors.extend(errors)
        return
    plan.rows.append(TermRow(line, la, year, kind, first, last))


def apply_terms(plan: TermPlan) -> int:
    """Replace the calendars of the authorities and years in the plan with its rows, all or nothing.
    Returns how many spans were written."""
    if not plan.ok:
        raise ValueError("A plan with errors is never applied.")
    with transaction.atomic():
        for la_id, year in plan.pairs():
            TermDate.objects.filter(local_authority_id=la_id, academic_year=year).delete()
        TermDate.objects.bulk_create(
            TermDate(local_authority=row.local_authority, academic_year=row.academic_year, kind=row.kind,
                     starts_on=row.starts_on, ends_on=row.ends_on)
            for row in plan.rows
        )
        for la_id, year in plan.pairs():
            schools_changed_in_bulk.send(sender=TermDate, schools=Q(local_authority=la_id),
                                         between=academic_year_bounds(year))
    return len(plan.rows)
