"""The demo coordinator's drafted term: the term planner's proposal for their areas' next term, ready to
read and tick at /plan/term/ (nothing booked until they do)."""

from __future__ import annotations

from django.conf import settings

from schools.models import TermDate, academic_year_of
from sessions.models import Coordinator, TermDraft
from sessions.planning.term import TermChoice, fill_draft, plan_term

from .context import Demo
from .dates import term_calendar


def next_term(demo: Demo) -> tuple[int, str]:
    """The academic year and name of the first term that starts after the demo's today."""
    this = academic_year_of(demo.today)
    for year in (this, this + 1):
        for kind, first, _ in term_calendar(year):
            if kind == TermDate.Kind.TERM and first > demo.today:
                return year, TermDate(kind=kind, starts_on=first, ends_on=first).name.removesuffix(" term")
    raise AssertionError("the demo's calendar always has a term ahead")  # pragma: no cover


def build_term_draft(demo: Demo, coordinator: Coordinator) -> TermDraft:
    year, term = next_term(demo)
    areas = tuple(coordinator.areas.order_by("pk"))
    plan = plan_term(TermChoice(areas=areas, academic_year=year, term=term, today=demo.today,
                                monthly_cap=settings.TERM_PLAN_MONTHLY_CAP))
    TermDraft.objects.filter(requested_by=coordinator.user).delete()
    draft = TermDraft(requested_by=coordinator.user, academic_year=year, term=term,
                      monthly_cap=settings.TERM_PLAN_MONTHLY_CAP)
    fill_draft(draft, plan)
    draft.save()
    draft.areas.set(areas)
    demo.counts["term draft visits proposed"] = len(plan.visits)
    return draft
