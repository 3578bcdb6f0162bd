"""A coordinator corrects a visit report's figures within `CORRECTION_WINDOW_DAYS` of its filing; the
reason is kept in the report's history (`VisitReport.correct`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from sessions.access import planner_required, planning_visits
from sessions.models import VisitReport
from sessions.portal.forms import ReportFiguresForm


class ReportCorrectionForm(ReportFiguresForm):
    follow_up = forms.BooleanField(
        label="A concern was passed to the school's safeguarding lead",
        required=False,
        help_text="Tick only to record that it happened. Nothing about the child or the concern is kept here.",
    )
    reason = forms.CharField(
        label="Why are you correcting the report?",
        max_length=300,
        help_text="Kept with the report's history. For example: the lead counted the assembly twice.",
        error_messages={
            "required": "Say why you are correcting the report.",
            "max_length": "Keep the reason to 300 characters or fewer (it has %(show_value)d).",
        },
    )


@require_http_methods(["GET", "POST"])
@planner_required
def correct_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's figures, pre-filled with what was filed; a reason is required to save a change."""
    visit = get_object_or_404(
        planning_visits(request.user).select_related("school", "report").prefetch_related("sessions__session_type"),
        pk=pk,
    )
    report: VisitReport | None = getattr(visit, "report", None)
    if report is None:
        return render(request, "sessions/planning/report_correct.html", {"visit": visit, "report": None})
    issue = report.correction_issue()
    attendance = {line.pk: line.attendance for line in visit.sessions.all() if line.attendance}
    form = ReportCorrectionForm(
        request.POST or None, visit=visit, attendance=attendance, initial={"follow_up": report.follow_up}
    )
    if request.method == "POST" and not issue and form.is_valid():
        try:
            report.correct(
                by=request.user,
                attendance=form.attendance(),
                reason=form.cleaned_data["reason"],
                follow_up=form.cleaned_data["follow_up"],
                confirmed=form.cleaned_data["confirm_unusual"],
                unusual_reason=form.cleaned_data["unusual_reason"],
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, f"The report is corrected: {visit.school.name} now counts "
                                      f"{VisitReport.objects.get(pk=report.pk).children_reached} children reached.")
            return redirect("planning:visit", pk=visit.pk)
    context = {"visit": visit, "report": report, "form": form, "issue": issue, "corrections": report.corrections()}
    return render(request, "sessions/planning/report_correct.html", context, status=403 if issue else 200)
