"""The term planner's pages: ask for a term's plan, watch it being made, and create the visits ticked.

Coordinators only, for their own areas; a draft is its requester's alone (anyone else finds nothing).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from config.htmx import HtmxHttpRequest
from sessions.access import is_coordinator, planning_areas, planning_schools, planning_visits
from sessions.models import TermDraft
from sessions.planning.tasks import plan_term_draft
from sessions.planning.term import Skip, create_row, weekday_names
from sessions.planning.term_forms import CreateRowsForm, TermPlanForm


def coordinator_areas(request: HttpRequest):
    """The coordinator's areas; anyone else (a volunteer, staff who do not coordinate) finds no page."""
    if not is_coordinator(request.user):
        raise Http404("Only coordinators plan a term.")
    return list(planning_areas(request.user).order_by("name"))


def draft_of(request: HttpRequest, draft_id: int) -> TermDraft:
    coordinator_areas(request)
    return get_object_or_404(TermDraft.objects.filter(requested_by=request.user), pk=draft_id)


@require_http_methods(["GET", "POST"])
@login_required
def term_plan(request: HttpRequest) -> HttpResponse:
    """Choose a term, areas, weekdays to avoid and the monthly cap; the plan is made in the background."""
    areas = coordinator_areas(request)
    form = TermPlanForm(request.POST or None, areas=areas, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            draft = TermDraft.objects.create(
                requested_by=request.user, academic_year=data["academic_year"], term=data["term"],
                avoid_weekdays=data["avoid_weekdays"], monthly_cap=data["monthly_cap"],
            )
            draft.areas.set(data["areas"])
            transaction.on_commit(lambda: plan_term_draft.enqueue(draft.pk))
        return redirect("planning:term_draft", draft_id=draft.pk)
    recent = TermDraft.objects.filter(requested_by=request.user).prefetch_related("areas")[:5]
    return render(request, "sessions/planning/term_plan.html",
                  {"form": form, "recent": recent, "section": "term"})


@require_GET
@login_required
def term_draft(request: HtmxHttpRequest, draft_id: int) -> HttpResponse:
    """The draft: its progress while it is planned (the fragment polls itself), then every proposed visit
    with its reasons and every school left out with why."""
    draft = draft_of(request, draft_id)
    template_name = "sessions/planning/term_draft.html"
    if request.htmx:
        if draft.finished:
            return HttpResponseClientRefresh()  # the whole page, with the plan
        template_name += "#progress"
    return render(request, template_name, context(draft, CreateRowsForm(draft=draft)))


def context(draft: TermDraft, form: CreateRowsForm) -> dict:
    rows, ticked = [], set(form.data.getlist("rows")) if form.is_bound else set()
    for index, row in enumerate(draft.visits):
        team = [(row["lead"], "lead")] + [(v, "support") for v in row["support"]]
        rows.append({
            "index": index, "row": row, "day": date.fromisoformat(row["date"]), "ticked": str(index) in ticked,
            "team": [{"name": row["names"][str(v)], "role": role, "km": row["km"][str(v)]} for v, role in team],
        })
    return {"draft": draft, "rows": rows, "form": form, "section": "term",
            "areas": ", ".join(area.name for area in draft.areas.order_by("name")),
            "avoided": weekday_names(draft.avoid_weekdays),
            "to_create": sum(1 for row in draft.visits if not row.get("created_visit_id"))}


@require_POST
@login_required
def term_draft_create(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Create the ticked rows, each all or nothing through the gates of a visit made by hand; a row that
    has become impossible is skipped, and the draft says why."""
    with transaction.atomic():
        draft = draft_of(request, draft_id)
        draft = TermDraft.objects.select_for_update().get(pk=draft.pk)
        form = CreateRowsForm(request.POST, draft=draft)
        if draft.status != TermDraft.Status.DONE:
            form.add_error(None, "This draft is not ready yet.")
        if not form.is_valid():
            return render(request, "sessions/planning/term_draft.html", context(draft, form))
        created = skipped = 0
        schools, visits = planning_schools(request.user), planning_visits(request.user)
        for index in sorted(form.cleaned_data["rows"]):
            row = draft.visits[index]
            try:
                visit = create_row(row, user=request.user, monthly_cap=draft.monthly_cap,
                                   visits_allowed=visits, schools_allowed=schools)
            except Skip as reason:
                row["skipped"] = str(reason)
                skipped += 1
            else:
                row["created_visit_id"], row["skipped"] = visit.pk, ""
                created += 1
        draft.save(update_fields=["visits"])
    said = f"Created {created} proposed visit{'s' if created != 1 else ''}; the volunteers have been invited."
    if skipped:
        said += f" {skipped} could not be made now: the draft says why."
    (messages.success if created and not skipped else messages.warning)(request, said)
    return redirect("planning:term_draft", draft_id=draft.pk)
