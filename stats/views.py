"""The statistics pages for staff and coordinators: the UK headline, every police force area, and one
area's local picture with its sources. Never linked from, or shown on, anything meant for children."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from config import csv_export
from config.htmx import HtmxHttpRequest
from config.query_forms import QueryForm
from stats import coverage
from stats.models import Area
from stats.picture import UK_CODE, AreaSummary, area_summaries, local_picture


def require_statistics_reader(request: HttpRequest) -> None:
    """Staff and coordinators only; anyone else signed in gets a 404, as if there were nothing here."""
    if not coverage.may_see_statistics(request.user):
        raise Http404("No such page.")


@dataclass
class AreaRow:
    summary: AreaSummary
    due: int | None

    @property
    def area(self) -> Area:
        return self.summary.area


# Sort keys for the table: what each column sorts by (None always sorts last).
SORTS = {
    "area": lambda row: row.area.name,
    "nation": lambda row: (row.summary.nation.name if row.summary.nation else None),
    "latest": lambda row: row.summary.latest.value if row.summary.latest else None,
    "period": lambda row: row.summary.latest.period if row.summary.latest else None,
    "change": lambda row: row.summary.change_percent,
    "share": lambda row: row.summary.share_percent,
    "due": lambda row: row.due,
}
COLUMNS = [
    ("area", "Police force area"),
    ("nation", "Nation"),
    ("latest", "Latest figure"),
    ("period", "Latest period"),
    ("change", "Change on previous available period"),
    ("share", "Aged ten and under"),
    ("due", "Schools due a visit"),
]


def sorted_rows(rows: list[AreaRow], sort: str) -> tuple[list[AreaRow], str, bool]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "area", False
    known = [row for row in rows if SORTS[key](row) is not None]
    unknown = [row for row in rows if SORTS[key](row) is None]
    known.sort(key=lambda row: (SORTS[key](row), row.area.name), reverse=descending)
    unknown.sort(key=lambda row: row.area.name)
    return known + unknown, key, descending


class AreaTableQuery(QueryForm):
    """What the table's query string may say: a nation held and a column to sort by (a NUL, or anything else,
    is refused with a message and the default used; config/query_forms.py)."""

    nation = forms.ChoiceField(required=False, initial="")
    sort = forms.ChoiceField(required=False, initial="area",
                             choices=[(f"{order}{key}", key) for key in SORTS for order in ("", "-")])
    format = forms.ChoiceField(required=False, initial="", choices=[("csv", "CSV")])

    def __init__(self, query: QueryDict, *, nations: list[Area]) -> None:
        super().__init__(query)
        self.fields["nation"].choices = [("", "All nations"), *((n.code, n.name) for n in nations)]


def area_table(request: HttpRequest) -> dict:
    """Every police force area's summary, filtered by nation and sorted as the query string says."""
    nations = list(Area.objects.nations())
    query = AreaTableQuery(request.GET, nations=nations)
    nation = next((n for n in nations if n.code == query.value("nation")), None)
    areas = Area.objects.police_forces().select_related("parent")
    if nation is not None:
        areas = areas.filter(parent=nation)
    programme = coverage.programme()
    due = programme.due_counts(on=timezone.localdate()) if programme else None
    rows = [
        AreaRow(summary, (due.get(summary.area.pk, 0) if due is not None else None))
        for summary in area_summaries(areas)
    ]
    rows, sort, descending = sorted_rows(rows, query.value("sort"))
    columns = [
        {
            "key": key,
            "label": label,
            "sorted": key == sort,
            "descending": key == sort and descending,
            # A second click on the sorted column reverses it.
            "next": f"-{key}" if key == sort and not descending else key,
        }
        for key, label in COLUMNS
    ]
    return {
        "rows": rows,
        "nations": nations,
        "nation": nation,
        "sort": f"-{sort}" if descending else sort,
        "columns": columns,
        "due_known": due is not None,
        "query_problems": query.problems,
        "wants_csv": query.value("format") == "csv",
    }


def areas_csv(table: dict) -> HttpResponse:
    if table["query_problems"]:
        # A file is not read beside a message: a table other than the one asked for would pass unnoticed.
        reasons = "\n".join(table["query_problems"])
        return HttpResponseBadRequest(f"No CSV: the address asks for something this table cannot give.\n{reasons}\n",
                                      content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = f"-{table['nation'].name.lower().replace(' ', '-')}" if table["nation"] else ""
    response["Content-Disposition"] = f'attachment; filename="police-force-areas{suffix}.csv"'
    writer = csv_export.writer(response)
    writer.writerow([
        "ONS code", "Police force area", "Nation", "Latest period", "Latest figure", "Previous available period",
        "Previous figure", "Change (%)", "Change", "Aged ten and under: period", "Aged ten and under",
        "Aged ten and under (%)", "Source of latest figure", "Source URL", "Schools due a visit",
    ])
    for row in table["rows"]:
        s = row.summary
        latest, previous, share = s.latest, s.previous, s.share_row
        writer.writerow([
            s.area.code, s.area.name, s.nation.name if s.nation else "",
            latest.period if latest else "", latest.value if latest else "",
            previous.period if previous else "", previous.value if previous else "",
            "" if s.change_percent is None else s.change_percent, s.change,
            share[0].period if share else "", share[1].value if share else "",
            "" if s.share_percent is None else s.share_percent,
            str(latest.source) if latest else "", latest.source.url if latest else "",
            "" if row.due is None else row.due,
        ])
    return response


@require_GET
@login_required
def index(request: HtmxHttpRequest) -> HttpResponse:
    require_statistics_reader(request)
    table = area_table(request)
    if table["wants_csv"]:
        return areas_csv(table)
    template_name = "stats/index.html"
    if request.htmx:
        return render(request, template_name + "#area-table", table)
    uk = get_object_or_404(Area, code=UK_CODE)
    return render(request, template_name, {"uk": uk, "picture": local_picture(uk), **table})


@require_GET
@login_required
def index_csv(request: HttpRequest) -> HttpResponse:
    require_statistics_reader(request)
    return areas_csv(area_table(request))


@require_GET
@login_required
def area(request: HttpRequest, code: str) -> HttpResponse:
    require_statistics_reader(request)
    place = get_object_or_404(Area.objects.select_related("parent"), code=code)
    picture = local_picture(place)
    programme = coverage.programme()
    area_coverage = area_map = None
    if programme is not None and place.kind == Area.Kind.POLICE_FORCE:
        area_coverage = programme.area_coverage(place, on=timezone.localdate(), user=request.user)
        if area_coverage is not None:
            area_map = programme.area_map(place, on=area_coverage.on, user=request.user)
    return render(
        request,
        "stats/area.html",
        {"area": place, "picture": picture, "coverage": area_coverage, "area_map": area_map,
         "programme_known": programme is not None},
    )
