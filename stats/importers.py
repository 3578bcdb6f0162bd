"""Reading published figures from CSV into a plan, and applying the plan all or nothing.

Two formats share one path:

* our own figures CSV (docs/figures-csv.md): one row per area, indicator, period and source;
* the Home Office "police recorded crime" police force area open-data table exported to CSV: one row
  per force × offence (× quarter in newer files); a chosen set of offence descriptions is summed into
  one indicator for each force and financial year.

Each is parsed into `FigureRow`s, `plan_rows()` compares them with what is held and returns a `Plan`
(to create, to update, unchanged, errors by row and field), and `apply_plan()` writes it in one
transaction. The `import_figures` command and the admin upload both call these functions.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from stats.models import Area, Figure, Indicator, Source, figures_changed, validate_period

# Problems listed in full; beyond this a count is given (a wrong file can have thousands).
MAX_LISTED = 50


class ImportFormat(StrEnum):
    FIGURES = "figures"
    HOME_OFFICE = "home_office"


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input. `row` is the spreadsheet row (the header is row 1); None for the file."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row is not None else "File"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceDetails:
    """A source as the file gives it; None in the optional fields means "leave as held"."""

    url: str
    title: str
    publisher: str
    published: date
    published_note: str | None = None
    licence: str | None = None
    caveats: str | None = None

    def changes_from(self, source: Source) -> list[str]:
        changed = []
        for name in ("title", "publisher", "published", "published_note", "licence", "caveats"):
            wanted = getattr(self, name)
            if wanted is not None and getattr(source, name) != wanted:
                changed.append(name)
        return changed


@dataclass(frozen=True)
class FigureRow:
    row: int
    area: Area
    indicator: Indicator
    period: str
    value: int
    source: SourceDetails

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.area.code, self.indicator.slug, self.period, self.source.url)


@dataclass
class Parsed:
    rows: list[FigureRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0


@dataclass(frozen=True)
class PlannedFigure:
    row: FigureRow
    previous: int | None = None  # the value held, for an update


@dataclass(frozen=True)
class PlannedSource:
    details: SourceDetails
    changed: tuple[str, ...] = ()  # empty for a new source


@dataclass
class Plan:
    to_create: list[PlannedFigure] = field(default_factory=list)
    to_update: list[PlannedFigure] = field(default_factory=list)
    unchanged: list[PlannedFigure] = field(default_factory=list)
    sources_to_create: list[PlannedSource] = field(default_factory=list)
    sources_to_update: list[PlannedSource] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.to_create or self.to_update or self.sources_to_create or self.sources_to_update)

    @property
    def listed_errors(self) -> list[Problem]:
        return self.errors[:MAX_LISTED]

    @property
    def errors_not_listed(self) -> int:
        return max(0, len(self.errors) - MAX_LISTED)

    def fingerprint(self) -> str:
        """Identifies exactly what applying would write, so a confirmation can refuse a stale preview."""
        digest = hashlib.sha256()
        for label, items in (("create", self.to_create), ("update", self.to_update)):
            for item in sorted(items, key=lambda i: i.row.key):
                digest.update(repr((label, item.row.key, item.row.value, item.previous)).encode())
        for label, sources in (("new source", self.sources_to_create), ("source", self.sources_to_update)):
            for s in sorted(sources, key=lambda s: s.details.url):
                digest.update(repr((label, s.details, s.changed)).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Applied:
    created: int
    updated: int
    unchanged: int
    sources_created: int
    sources_updated: int


class PlanRefused(Exception):
    """Applying was refused: the plan has errors, or the database refused a write."""

    def __init__(self, errors: list[Problem]):
        super().__init__("; ".join(str(e) for e in errors[:3]))
        self.errors = errors


# --- reading the file ---------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without a byte-order mark), or a clear refusal naming the row of the first bad byte."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        return None, Problem(
            None,
            "",
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02X} on line {row} cannot be read). "
            "Save it as \u201cCSV UTF-8\u201d and try again; other encodings, such as Windows-1252, "
            "are refused so that names are never garbled.",
        )


class UnreadableTable(Exception):
    """The file is not CSV a reader can follow; `problem` names the row."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_table(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the data rows (numbered as in a spreadsheet), in whatever dialect the file uses.
    Raises UnreadableTable naming the row where the file stops being CSV."""
    sample = text[:64 * 1024]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(keepends=True), dialect)
    row = 0  # the last row read (the header is row 1), to name the next if the reader gives up on it
    try:
        header = [h.strip() for h in next(reader, [])]
        row = 1
        rows = []
        for values in reader:
            row += 1
            if not any(v.strip() for v in values):
                continue  # blank lines, often at the end of a spreadsheet export
            padded = values + [""] * (len(header) - len(values))
            rows.append((row, {header[i]: padded[i].strip() for i in range(len(header))}))
    except csv.Error as exc:
        raise UnreadableTable(Problem(row + 1, "", _unreadable_reason(exc))) from exc
    return header, rows


def _unreadable_reason(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        # A quote opened and never closed takes the rest of the file into one value.
        return (f"not valid CSV: a quoted value that is never closed, or a value longer than "
                f"{csv.field_size_limit():,} characters, starts on this row. Check its quotes; the file may be "
                "damaged or cut short.")
    return f"not valid CSV ({exc}); the file may be damaged or cut short."


def simplify(name: str) -> str:
    """A column name without case, spacing or punctuation: "Source URL", "source_url" → "sourceurl"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


FIGURE_COLUMNS = {
    "area_code": ("areacode", "code", "onscode"),
    "area_name": ("areaname", "area", "name"),
    "indicator": ("indicator", "indicatorslug"),
    "period": ("period", "year", "financialyear"),
    "value": ("value",),
    "source_title": ("sourcetitle", "title"),
    "source_publisher": ("sourcepublisher", "publisher"),
    "source_url": ("sourceurl", "url"),
    "published": ("published", "publisheddate", "sourcepublished", "datepublished"),
    "published_note": ("publishednote",),
    "licence": ("licence", "license", "sourcelicence"),
    "caveats": ("caveats", "sourcecaveats"),
}
FIGURE_REQUIRED = ("indicator", "period", "value", "source_title", "source_publisher", "source_url", "published")

HOME_OFFICE_COLUMNS = {
    "year": ("financialyear",),
    "quarter": ("financialquarter",),
    "force": ("forcename",),
    "offence": ("offencedescription",),
    "count": ("numberofoffences", "offencecount"),
}


def find_columns(header: list[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
    by_simple = {simplify(h): h for h in header}
    found = {}
    for key, names in wanted.items():
        for name in names:
            if name in by_simple:
                found[key] = by_simple[name]
                break
    return found


def detect_format(header: list[str]) -> ImportFormat | None:
    home_office = find_columns(header, HOME_OFFICE_COLUMNS)
    if {"force", "offence"} <= home_office.keys():
        return ImportFormat.HOME_OFFICE
    figures = find_columns(header, FIGURE_COLUMNS)
    if {"indicator", "value"} <= figures.keys():
        return ImportFormat.FIGURES
    return None


def format_of(data: bytes) -> tuple[ImportFormat | None, list[Problem]]:
    text, problem = decode(data)
    if problem:
        return None, [problem]
    try:
        header, _ = read_table(text)
    except UnreadableTable as unreadable:
        return None, [unreadable.problem]
    found = detect_format(header)
    if found is None:
        return None, [
            Problem(
                1,
                "header",
                "this is neither a figures CSV (columns area_code or area_name, indicator, period, value, "
                "source_title, source_publisher, source_url, published) nor a Home Office police recorded "
                "crime table (Financial Year, Force Name, Offence Description, Number of Offences). "
                f"Columns found: {', '.join(header) or 'none'}.",
            )
        ]
    return found, []


# --- values -------------------------------------------------------------------------------------

PERIOD_FORMS = re.compile(r"^(\d{4})\s*[/\-_–]\s*(\d{2}|\d{4})$")
WHOLE_NUMBER = re.compile(r"^(\d+|\d{1,3}(,\d{3})+)$")


def parse_period(value: str) -> str:
    """2016/17, also written 2016-17, 2016_17 or 2016/2017 in other files. Raises ValueError."""
    match = PERIOD_FORMS.match(value.strip())
    if not match:
        raise ValueError(f"\u201c{value}\u201d is not a financial year such as 2016/17.")
    start, end = int(match[1]), match[2]
    period = f"{start}/{int(end) % 100:02d}"
    try:
        validate_period(period)
    except ValidationError:
        raise ValueError(f"\u201c{value}\u201d is not a financial year such as 2016/17 (the years must follow on).")
    return period


def parse_count(value: str) -> int:
    text = value.strip()
    if not WHOLE_NUMBER.match(text):
        if not text:
            raise ValueError("is empty; a whole number is needed.")
        raise ValueError(f"\u201c{value}\u201d is not a whole number of 0 or more (such as 2440 or 2,440).")
    return int(text.replace(",", ""))


def parse_published(value: str) -> date:
    try:
        published = date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"\u201c{value}\u201d is not a date written as YYYY-MM-DD (such as 2018-02-20).")
    if published > timezone.localdate():
        raise ValueError(f"{published:%d %B %Y} is in the future; give the date the source was published.")
    return published


def check_url(value: str) -> str:
    url = value.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValueError(f"\u201c{value}\u201d is not a web address starting http:// or https://.")
    if len(url) > Source._meta.get_field("url").max_length:
        raise ValueError("is longer than 500 characters.")
    return url


# --- areas by name ------------------------------------------------------------------------------

NAME_WORDS_DROPPED = re.compile(r"\b(the|police service|police force|police|constabulary|service)\b")
# Names used by other publishers for police force areas (after simplify_area_name).
AREA_ALIASES = {
    "london city of": "city of london",
    "metropolitan": "metropolitan",
    "met": "metropolitan",
    "hampshire and isle of wight": "hampshire",
    "psni": "northern ireland",
    "of northern ireland": "northern ireland",
    "dyfed powys": "dyfed powys",
}
# Bodies in the Home Office tables that are not police force areas: their rows are left out and
# reported, not refused, so the published file can be used as it is.
NOT_POLICE_FORCE_AREAS = {
    "british transport": "British Transport Police polices the railways, not a police force area",
    "action fraud": "Action Fraud records fraud nationally, not by police force area",
    "cifas": "CIFAS records fraud nationally, not by police force area",
    "uk finance": "UK Finance records fraud nationally, not by police force area",
}


def simplify_area_name(name: str) -> str:
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]", " ", text)
    text = NAME_WORDS_DROPPED.sub(" ", text)
    text = " ".join(text.split())
    return AREA_ALIASES.get(text, text)


class AreaLookup:
    """Areas by ONS code and by name, loaded in one query."""

    def __init__(self, kinds: tuple[str, ...] | None = None):
        areas = Area.objects.all() if kinds is None else Area.objects.filter(kind__in=kinds)
        self.by_code: dict[str, Area] = {}
        self.by_name: dict[str, list[Area]] = defaultdict(list)
        for area in areas:
            self.by_code[area.code.upper()] = area
            self.by_name[simplify_area_name(area.name)].append(area)

    def by_ons_code(self, code: str) -> Area | None:
        return self.by_code.get(code.strip().upper())

    def named(self, name: str) -> list[Area]:
        return self.by_name.get(simplify_area_name(name), [])


def indicators_by_slug() -> dict[str, Indicator]:
    return {i.slug: i for i in Indicator.objects.all()}


# --- our figures CSV ----------------------------------------------------------------------------


def parse_figures(text: str) -> Parsed:
    header, records = read_table(text)
    columns = find_columns(header, FIGURE_COLUMNS)
    parsed = Parsed(rows_read=len(records))
    missing = [name for name in FIGURE_REQUIRED if name not in columns]
    if "area_code" not in columns and "area_name" not in columns:
        missing.insert(0, "area_code or area_name")
    if missing:
        parsed.errors.append(
            Problem(1, "header", f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                    f"Columns found: {', '.join(header) or 'none'}.")
        )
        return parsed
    if not records:
        parsed.errors.append(Problem(None, "", "the file has a header but no figures."))
        return parsed

    areas = AreaLookup()
    indicators = indicators_by_slug()
    seen: dict[tuple[str, str, str, str], int] = {}
    sources: dict[str, tuple[int, SourceDetails]] = {}

    for number, record in records:
        errors: list[Problem] = []

        def field_value(key: str, parse, number=number, record=record, errors=errors):
            try:
                return parse(record[columns[key]])
            except ValueError as exc:
                errors.append(Problem(number, columns[key], str(exc)))
                return None

        area = _area_for(record, columns, areas, number, errors)
        slug = record[columns["indicator"]].strip()
        indicator = indicators.get(slug)
        if indicator is None:
            known = ", ".join(sorted(indicators)) or "none yet"
            errors.append(Problem(number, columns["indicator"], f"\u201c{slug}\u201d is not a known indicator "
                                  f"(known: {known})." if slug else "is empty; give an indicator slug."))
        period = field_value("period", parse_period)
        value = field_value("value", parse_count)
        url = field_value("source_url", check_url)
        published = field_value("published", parse_published)
        title = record[columns["source_title"]].strip()
        publisher = record[columns["source_publisher"]].strip()
        if not title:
            errors.append(Problem(number, columns["source_title"], "is empty; give the source's title."))
        if not publisher:
            errors.append(Problem(number, columns["source_publisher"], "is empty; give the source's publisher."))
        optional = {key: record[columns[key]] for key in ("published_note", "licence", "caveats") if key in columns}

        if errors:
            parsed.errors.extend(errors)
            continue
        details = SourceDetails(url=url, title=title, publisher=publisher, published=published, **optional)
        if url in sources and sources[url][1] != details:
            first, other = sources[url]
            differs = [n for n in ("title", "publisher", "published", "published_note", "licence", "caveats")
                       if getattr(other, n) != getattr(details, n)]
            parsed.errors.append(Problem(number, columns["source_url"], f"the same source as row {first} but with a "
                                         f"different {', '.join(differs)}; one source has one set of details."))
            continue
        sources.setdefault(url, (number, details))
        row = FigureRow(number, area, indicator, period, value, details)
        if row.key in seen:
            parsed.errors.append(Problem(number, "", f"duplicates row {seen[row.key]}: the same area, indicator, "
                                         f"period and source ({area.code}, {slug}, {period}) appear twice."))
            continue
        seen[row.key] = number
        parsed.rows.append(row)
    return parsed


def _area_for(record, columns, areas: AreaLookup, number: int, errors: list[Problem]) -> Area | None:
    code = record[columns["area_code"]].strip() if "area_code" in columns else ""
    name = record[columns["area_name"]].strip() if "area_name" in columns else ""
    if code:
        area = areas.by_ons_code(code)
        if area is None:
            errors.append(Problem(number, columns["area_code"], f"\u201c{code}\u201d is not the ONS code of an area "
                                  "held (police force areas such as E23000029, nations, or K02000001 for the UK)."))
        elif name and area not in areas.named(name):
            errors.append(Problem(number, columns["area_name"], f"\u201c{name}\u201d is not the name of {code} "
                                  f"({area.name}); correct one of them."))
        return area
    if not name:
        errors.append(Problem(number, columns.get("area_code") or columns["area_name"], "is empty; give the "
                              "area's ONS code or name."))
        return None
    matches = areas.named(name)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        errors.append(Problem(number, columns["area_name"], f"\u201c{name}\u201d matches no area held; use the ONS "
                              "name (e.g. \u201cDevon and Cornwall\u201d) or give the ONS code."))
    else:
        both = " and ".join(f"{a.get_kind_display().lower()} {a.code}" for a in matches)
        errors.append(Problem(number, columns["area_name"], f"\u201c{name}\u201d could be the {both}; "
                              "give the ONS code instead."))
    return None


# --- the Home Office police recorded crime table ------------------------------------------------


@dataclass(frozen=True)
class HomeOfficeOptions:
    indicator: str
    offences: tuple[str, ...]
    source: SourceDetails


def home_office_offences(text: str) -> tuple[list[str], list[Problem]]:
    """The offence descriptions in the file, sorted, for a person to choose from."""
    try:
        header, records = read_table(text)
    except UnreadableTable as unreadable:
        return [], [unreadable.problem]
    columns = find_columns(header, HOME_OFFICE_COLUMNS)
    problems = _home_office_missing(header, columns)
    if problems:
        return [], problems
    return sorted({r[columns["offence"]] for _, r in records if r[columns["offence"]]}), []


def _home_office_missing(header: list[str], columns: dict[str, str]) -> list[Problem]:
    labels = {"year": "Financial Year", "force": "Force Name", "offence": "Offence Description",
              "count": "Number of Offences (or Offence Count)"}
    missing = [label for key, label in labels.items() if key not in columns]
    if missing:
        return [Problem(1, "header", f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                        f"Columns found: {', '.join(header) or 'none'}.")]
    return []


def parse_home_office(text: str, options: HomeOfficeOptions) -> Parsed:
    """Sum the chosen offence descriptions per police force area and financial year."""
    header, records = read_table(text)
    columns = find_columns(header, HOME_OFFICE_COLUMNS)
    parsed = Parsed(rows_read=len(records))
    parsed.errors.extend(_home_office_missing(header, columns))
    indicator = Indicator.objects.filter(slug=options.indicator).first()
    if indicator is None:
        known = ", ".join(sorted(indicators_by_slug())) or "none yet"
        parsed.errors.append(Problem(None, "indicator", f"\u201c{options.indicator}\u201d is not a known indicator "
                                     f"(known: {known})."))
    if not options.offences:
        parsed.errors.append(Problem(None, "offences", "choose at least one offence description to sum."))
    if parsed.errors:
        return parsed

    wanted = set(options.offences)
    present = {r[columns["offence"]] for _, r in records}
    for offence in sorted(wanted - present):
        parsed.errors.append(Problem(None, "Offence Description", f"\u201c{offence}\u201d is not in this file."))

    areas = AreaLookup(kinds=(Area.Kind.POLICE_FORCE,))
    totals: dict[tuple[str, str], int] = defaultdict(int)
    first_row: dict[tuple[str, str], int] = {}
    area_of: dict[str, Area] = {}
    unknown: dict[str, list[int]] = defaultdict(list)
    left_out: dict[str, int] = defaultdict(int)
    quarters: dict[str, set[str]] = defaultdict(set)
    for number, record in records:
        force = record[columns["force"]]
        offence = record[columns["offence"]]
        try:
            period = parse_period(record[columns["year"]])
        except ValueError as exc:
            parsed.errors.append(Problem(number, columns["year"], str(exc)))
            continue
        if "quarter" in columns:
            quarters[period].add(record[columns["quarter"]].strip())
        if offence not in wanted:
            continue
        simple = simplify_area_name(force)
        if simple in NOT_POLICE_FORCE_AREAS:
            left_out[force] += 1
            continue
        matches = areas.named(force)
        if len(matches) != 1:
            unknown[force].append(number)
            continue
        try:
            count = parse_count(record[columns["count"]])
        except ValueError as exc:
            parsed.errors.append(Problem(number, columns["count"], str(exc)))
            continue
        key = (matches[0].code, period)
        area_of[matches[0].code] = matches[0]
        totals[key] += count
        first_row.setdefault(key, number)

    for force, rows in sorted(unknown.items()):
        shown = ", ".join(str(r) for r in rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
        parsed.errors.append(Problem(rows[0], columns["force"], f"\u201c{force}\u201d matches no police force area "
                                     f"(rows {shown})."))
    if "quarter" in columns:
        for period, seen in sorted(quarters.items()):
            missing = {"1", "2", "3", "4"} - seen
            if missing:
                parsed.errors.append(Problem(None, columns["quarter"], f"{period} has no rows for quarter"
                                             f"{'s' if len(missing) > 1 else ''} {', '.join(sorted(missing))}: a part "
                                             "year cannot be stored as a financial year's figure."))
    for force, count in sorted(left_out.items()):
        parsed.notes.append(f"{force}: {count:,} row{'s' if count != 1 else ''} left out \u2014 "
                            f"{NOT_POLICE_FORCE_AREAS[simplify_area_name(force)]}.")
    if parsed.errors:
        return parsed
    for (code, period), total in sorted(totals.items(), key=lambda item: first_row[item[0]]):
        parsed.rows.append(FigureRow(first_row[(code, period)], area_of[code], indicator, period, total,
                                     options.source))
    return parsed


# --- planning and applying ----------------------------------------------------------------------


def plan_rows(parsed: Parsed) -> Plan:
    """Compare the rows with the figures held: what applying would create, update and leave alone."""
    plan = Plan(errors=list(parsed.errors), notes=list(parsed.notes), rows_read=parsed.rows_read)
    if plan.errors:
        return plan
    urls = {row.source.url for row in parsed.rows}
    held_sources = {s.url: s for s in Source.objects.filter(url__in=urls)}
    held: dict[tuple[int, int, str, str], Figure] = {}
    if held_sources:
        for figure in Figure.objects.filter(source__in=held_sources.values()).select_related("source"):
            held[(figure.area_id, figure.indicator_id, figure.period, figure.source.url)] = figure
    planned_sources: set[str] = set()
    for row in parsed.rows:
        url = row.source.url
        if url not in planned_sources:
            planned_sources.add(url)
            source = held_sources.get(url)
            if source is None:
                plan.sources_to_create.append(PlannedSource(row.source))
            elif changed := row.source.changes_from(source):
                plan.sources_to_update.append(PlannedSource(row.source, tuple(changed)))
        figure = held.get((row.area.pk, row.indicator.pk, row.period, url))
        if figure is None:
            plan.to_create.append(PlannedFigure(row))
        elif figure.value != row.value:
            plan.to_update.append(PlannedFigure(row, previous=figure.value))
        else:
            plan.unchanged.append(PlannedFigure(row))
    return plan


def apply_plan(plan: Plan) -> Applied:
    """Write the plan in one transaction: every figure or none. Refuses a plan with errors."""
    if plan.errors:
        raise PlanRefused(plan.errors)
    try:
        with transaction.atomic():
            sources = {}
            for planned in plan.sources_to_create:
                d = planned.details
                sources[d.url] = Source.objects.create(
                    url=d.url, title=d.title, publisher=d.publisher, published=d.published,
                    published_note=d.published_note or "", licence=d.licence or "", caveats=d.caveats or "",
                )
            for planned in plan.sources_to_update:
                source = Source.objects.get(url=planned.details.url)
                for name in planned.changed:
                    setattr(source, name, getattr(planned.details, name))
                source.save(update_fields=list(planned.changed))
            needed = {p.row.source.url for p in plan.to_create + plan.to_update} - sources.keys()
            sources.update({s.url: s for s in Source.objects.filter(url__in=needed)})
            Figure.objects.bulk_create(
                Figure(area=p.row.area, indicator=p.row.indicator, period=p.row.period, value=p.row.value,
                       source=sources[p.row.source.url])
                for p in plan.to_create
            )
            for p in plan.to_update:
                updated = Figure.objects.filter(
                    area=p.row.area, indicator=p.row.indicator, period=p.row.period, source=sources[p.row.source.url],
                    value=p.previous,
                ).update(value=p.row.value)
                if updated != 1:
                    raise PlanRefused([Problem(p.row.row, "value", "this figure changed since the plan was made; "
                                               "nothing was written. Run the import again.")])
            if plan.to_create or plan.to_update or plan.sources_to_create or plan.sources_to_update:
                transaction.on_commit(lambda: figures_changed.send(sender=Figure))
    except IntegrityError as exc:
        raise PlanRefused([Problem(None, "", f"the database refused a write ({exc}); nothing was written. "
                                   "Another import may have run at the same time: run this one again.")]) from exc
    return Applied(
        created=len(plan.to_create), updated=len(plan.to_update), unchanged=len(plan.unchanged),
        sources_created=len(plan.sources_to_create), sources_updated=len(plan.sources_to_update),
    )


# --- the whole path, from the bytes of a file ---------------------------------------------------


def plan_file(data: bytes, home_office: HomeOfficeOptions | None = None) -> Plan:
    """Read a figures CSV, or with `home_office` options a Home Office table, into a plan."""
    text, problem = decode(data)
    if problem:
        return Plan(errors=[problem])
    if not text.strip():
        return Plan(errors=[Problem(None, "", "the file is empty.")])
    try:
        return _plan_text(text, home_office)
    except UnreadableTable as unreadable:
        return Plan(errors=[unreadable.problem])


def _plan_text(text: str, home_office: HomeOfficeOptions | None) -> Plan:
    header, _ = read_table(text)
    found = detect_format(header)
    if home_office is not None:
        if found is not ImportFormat.HOME_OFFICE:
            missing = _home_office_missing(header, find_columns(header, HOME_OFFICE_COLUMNS))
            return Plan(errors=missing or [Problem(1, "header", "this is not a Home Office table.")])
        return plan_rows(parse_home_office(text, home_office))
    if found is ImportFormat.HOME_OFFICE:
        return Plan(errors=[Problem(1, "header", "this is a Home Office police recorded crime table: choose the "
                                    "offence descriptions, the indicator and the source for it (--home-office).")])
    return plan_rows(parse_figures(text))
