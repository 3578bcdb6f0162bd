"""The programme reach report (/reach/): coordinators for their areas, staff for all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from config import csv_export
from config.htmx import HtmxHttpRequest
from sessions.access import is_planner, is_staff
from sessions.reach.report import AcademicYear, ReachReport, reach_report
from sessions.reach.trend import reach_picture
from stats.models import Area


def chosen_year(request: HttpRequest) -> AcademicYear:
    """The academic year asked for (?year=2025 for 2025/26); this year when none or nonsense."""
    current = AcademicYear.containing(timezone.localdate())
    try:
        start = int(request.GET.get("year", ""))
    except ValueError:
        return current
    return AcademicYear(start) if 2000 <= start <= current.start else current


def build(request: HttpRequest) -> tuple[ReachReport, Area | None, list[Area]]:
    if not is_planner(request.user):
        raise Http404("No such page.")
    nations = list(Area.objects.nations()) if is_staff(request.user) else []
    nation = next((n for n in nations if n.code == request.GET.get("nation")), None)
    return reach_report(request.user, year=chosen_year(request), nation=nation), nation, nations


@require_GET
@login_required
def reach(request: HtmxHttpRequest) -> HttpResponse:
    report, nation, nations = build(request)
    template_name = "sessions/reach/report.html"
    if request.htmx:
        template_name += "#report"
    picture = reach_picture(request.user, nation=nation, on=report.until, today=timezone.localdate(),
                            years=report.years)
    return render(request, template_name, {"report": report, "nation": nation, "nations": nations,
                                           "reach_picture": picture})


@require_GET
@login_required
def reach_csv(request: HttpRequest) -> HttpResponse:
    report, nation, _ = build(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_name(report, nation, "programme-reach")}"'
    writer = csv_export.writer(response)
    types = report.session_types
    writer.writerow([
        "Academic year", "Level", "ONS code", "Name", "Visits delivered", "Schools reached",
        "Children reached (each counted once)",
        "Visits without a report", "Volunteers active", *[f"Sessions: {t.name}" for t in types],
        "Open schools", "Visited within the cycle", "Coverage (%)", "Counted to",
        "Compared with", "Visits delivered (previous year)", "Schools reached (previous year)",
        "Children reached (each counted once, previous year)", "Volunteers active (previous year)",
        "Coverage (%) (previous year)",
    ])
    for line in [*report.areas, *report.nations, report.total]:
        now, before = line.now, line.before
        writer.writerow([
            report.year.label, line.kind, line.code, line.name, now.visits, now.schools, now.children,
            now.unreported, now.volunteers, *[now.sessions.get(t.pk, 0) for t in types],
            now.open_schools, now.visited, "" if now.coverage_percent is None else now.coverage_percent,
            report.until.isoformat(), line.before_label, before.visits, before.schools,
            before.children, before.volunteers, "" if before.coverage_percent is None else before.coverage_percent,
        ])
    return response


@require_GET
@login_required
def breakdowns_csv(request: HttpRequest) -> HttpResponse:
    """The breakdowns of the report's total (`sessions/reach/breakdowns.py`), one figure a row, so that a
    spreadsheet can filter and pivot them."""
    report, nation, _ = build(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_name(report, nation, "programme-reach-breakdowns")}"'
    writer = csv_export.writer(response)
    writer.writerow(["Academic year", "Scope", "Counted to", "Breakdown", "Group", "Measure", "Value"])
    for breakdown, group, measure, value in report.breakdowns.csv_rows():
        writer.writerow([report.year.label, report.total.name, report.until.isoformat(), breakdown, group, measure,
                         value])
    return response


def csv_name(report: ReachReport, nation: Area | None, stem: str) -> str:
    name = f"{stem}-{report.year.start}-{(report.year.start + 1) % 100:02d}"
    if nation:
        name += f"-{nation.name.lower().replace(' ', '-')}"
    return f"{name}.csv"
