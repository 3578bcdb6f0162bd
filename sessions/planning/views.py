"""The coordinators' workspace: dashboard, calendar, schools due a visit, visits and their staffing,
and the public page where a school asks for a visit.

Who may see what is decided here, once per view, from the user: coordinators their areas' schools
and visits, staff everything, anyone else a 404. The rules themselves are the models'.
"""

from __future__ import annotations

import operator
from datetime import timedelta
from functools import reduce

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from config.access_log import log_access
from config.dates import monday_of, working_days_after
from schools.models import LIVE_VISIT_STATUSES, School
from sessions import services
from sessions.access import (
    planner_required,
    planning_areas,
    planning_schools,
    planning_visit,
    planning_visits,
    planning_volunteers,
)
from sessions.models import (
    Assignment,
    CancelReason,
    StatusChange,
    TeacherFeedback,
    Visit,
    VisitNote,
    VisitReport,
    VisitSession,
    year_group_label,
)
from sessions.planning.forms import (
    AssignForm,
    CoverForm,
    DueFilterForm,
    SchoolSearch,
    SessionLineFormSet,
    StatusForm,
    VisitForm,
)
from stats.models import LocalAuthority

PAGE_SIZE = 25
# The staffing panel suggests this many volunteers, best first; "Show all" lists every one (a large
# area has a thousand, a megabyte of page).
STAFFING_SUGGESTIONS = 10
# The dashboard looks this far ahead for visits short of volunteers or with errors (the calendar
# shows them further out): it keeps the page quick and the list about what is urgent.
ATTENTION_WEEKS = 12
# Each dashboard list shows this many rows, most urgent first, and says how many more there are ("Show
# all"): a coordinator of several large areas would otherwise get hundreds of rows on one page.
DASHBOARD_ROWS = 15
VISIT_CHANGED = "visitChanged"
# What changed, for the visit page's other regions to refresh themselves: a region never refreshes on its
# own change, which would wipe the result it has just shown (and focused).
CHANGED = {"staffing": "staffingChanged", "workflow": "statusChanged"}


# --- Dashboard

def first_rows(queryset: QuerySet, limit: int | None) -> tuple[list, int]:
    """The first `limit` rows (all when None) and how many there are in all, in one query (the count is a
    window over the whole list, taken before the limit)."""
    if limit is None:
        rows = list(queryset)
        return rows, len(rows)
    rows = list(queryset.annotate(rows_in_all=Window(Count("pk")))[:limit])
    return rows, rows[0].rows_in_all if rows else 0


@require_GET
@planner_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    monday = monday_of(today)
    show_all = bool(request.GET.get("all"))
    visits = planning_visits(request.user)
    upcoming = Q(date__range=(today, today + timedelta(weeks=ATTENTION_WEEKS))) & ~Q(
        status__in=[Visit.Status.CANCELLED, Visit.Status.DELIVERED])
    # Which visits each list holds is decided in SQL, from each visit's stored errors
    # (sessions/models/stored_problems.py): counted in one query, and only the rows shown are read.
    chosen = {
        # Most urgent first: the visit soonest.
        "needs_cover": upcoming & Q(cover_needed_since__isnull=False, staffing_errors=True),
        "unconfirmed": upcoming & Q(unconfirmed_at__isnull=False, status=Visit.Status.PROPOSED),
        "this_week": Q(date__range=(monday, monday + timedelta(days=6))),
        "next_week": Q(date__range=(monday + timedelta(days=7), monday + timedelta(days=13))),
        "short": upcoming & Q(staffing_errors=True),
        "with_errors": upcoming & Q(other_errors=True),
    }
    # One query says which lists each visit in the window belongs to, soonest first, and which authorities
    # have a visit coming (for the children's services numbers below).
    window = visits.filter(date__range=(monday, today + timedelta(weeks=ATTENTION_WEEKS)))
    rows = (window.annotate(**{name: ExpressionWrapper(condition, output_field=BooleanField())
                               for name, condition in {"coming": upcoming, **chosen}.items()})
            .filter(reduce(operator.or_, chosen.values(), upcoming))
            .order_by("date", "starts_at", "pk").values_list("pk", "school__local_authority", "coming", *chosen))
    members: dict[str, list[int]] = {name: [] for name in chosen}
    authorities_coming = set()
    for pk, authority, coming, *flags in rows:
        if coming:
            authorities_coming.add(authority)
        for name, flag in zip(chosen, flags, strict=True):
            if flag:
                members[name].append(pk)
    limit = None if show_all else DASHBOARD_ROWS
    totals = {name: len(pks) for name, pks in members.items()}
    shown_ids = {name: pks[:limit] for name, pks in members.items()}
    shown = (Visit.objects.filter(pk__in={pk for pks in shown_ids.values() for pk in pks})
             .select_related("school").with_staffing_counts().in_bulk())
    lists = {name: [shown[pk] for pk in pks if pk in shown] for name, pks in shown_ids.items()}  # none deleted since
    cutoff = timezone.now() - timedelta(days=30)
    others = {
        "requests": visits.filter(status=Visit.Status.REQUESTED).select_related("school").order_by("created_at", "pk"),
        # A school that asked again while its visit was live: what it added, newest first, for a month. (Each
        # recent note's visit is looked up, rather than every live visit read to find the few with notes.)
        "school_notes": VisitNote.objects.filter(
            Exists(visits.filter(pk=OuterRef("visit"), status__in=LIVE_VISIT_STATUSES)), created_at__gte=cutoff,
        ).select_related("visit__school").order_by("-created_at", "-pk"),
        "expiring": planning_volunteers(request.user)
        .clearance_expiring(within_days=settings.CLEARANCE_WARNING_DAYS, today=today)
        .select_related("user"),
        # Session packs print the authority's children's services numbers, daytime and out of hours:
        # list the authorities with a visit coming and either still to enter.
        "no_childrens_services": LocalAuthority.objects.filter(
            Q(childrens_services_phone="") | Q(out_of_hours_phone=""), pk__in=authorities_coming,
        ).order_by("name"),
    }
    for name, queryset in others.items():
        lists[name], totals[name] = first_rows(queryset, limit)
    context = {
        "today": today,
        **lists,
        "totals": totals,
        "show_all": show_all,
        "warning_days": settings.CLEARANCE_WARNING_DAYS,
        "attention_weeks": ATTENTION_WEEKS,
        # A visit needing cover is urgent when it is within two working days: on a Friday, Monday's and Tuesday's.
        "cover_urgent_by": working_days_after(today, 2),
        "section": "dashboard",
    }
    return render(request, "sessions/planning/dashboard.html", context)


# --- Schools

@require_GET
@planner_required
def due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    areas = planning_areas(request.user)
    filters = DueFilterForm(request.GET, areas=areas)
    due_schools = filters.filter(School.objects.due(on=today).in_areas(areas)).with_live_visit()
    # A school with a visit requested, proposed or confirmed is being seen to: left out unless asked for,
    # saying how many. One pass over the due schools, in the list's order, says which those are (the due
    # rule is worked out once, for the counts and the page alike); only the page's schools are read whole.
    in_order = list(due_schools.values_list("pk", "has_live_visit"))
    shown = [pk for pk, seen_to in in_order if filters.include_booked or not seen_to]
    left_out = len(in_order) - len(shown)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = School.objects.filter(pk__in=page.object_list).with_live_visit()
    found = rows.select_related("local_authority").in_bulk()
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    show_booked = request.GET.copy()
    show_booked.pop("page", None)
    show_booked["booked"] = "on"
    template_name = "sessions/planning/due.html"
    if request.htmx:
        template_name += "#results"
    return render(
        request,
        template_name,
        {"filters": filters, "page": page, "query": query_without_page(request), "section": "due",
         "left_out": left_out, "show_booked_query": show_booked.urlencode()},
    )


@require_GET
@planner_required
def schools(request: HttpRequest) -> HttpResponse:
    q = SchoolSearch.text(request.GET)
    found = planning_schools(request.user).search(q).select_related("local_authority")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    template_name = "sessions/planning/schools.html"
    if request.htmx:
        template_name += "#results"
    return render(
        request, template_name, {"q": q, "page": page, "query": query_without_page(request), "section": "schools"}
    )


@require_GET
@planner_required
def school_detail(request: HttpRequest, urn: int) -> HttpResponse:
    school = get_object_or_404(planning_schools(request.user).select_related("local_authority__police_force"), urn=urn)
    today = timezone.localdate()
    visits = list(planning_visits(request.user).filter(school=school).order_by("-date", "-starts_at"))
    upcoming = [v for v in visits if v.date >= today and not v.is_cancelled]
    context = {
        "school": school,
        "contacts": school.contacts.all(),
        "visits": visits,
        "next_visit": upcoming[-1] if upcoming else None,
        "is_due": school.is_due(today),
    }
    log_access(request, school, "school_contacts_view")
    return render(request, "sessions/planning/school.html", context)


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- The visit form


def school_choices(request: HttpRequest, chosen: School | None, q: str) -> list[School]:
    """The schools offered as choices: the chosen one first, then up to ten that match the search."""
    found = list(planning_schools(request.user).search(q).order_by("name", "urn")[:10]) if q else []
    if chosen and chosen not in found:
        found.insert(0, chosen)
    return found


def visit_form_context(request: HttpRequest, visit: Visit | None) -> dict:
    """Bind the visit form and its session lines to the request; build (never save) the visit."""
    schools = planning_schools(request.user)
    instance = visit or Visit(coordinator=request.user)
    data = request.POST if request.method == "POST" else None
    initial = {}
    if visit is None and request.GET.get("school", "").isdigit():
        initial["school"] = schools.filter(urn=request.GET["school"]).first()
    form = VisitForm(data, instance=instance, schools=schools, initial=initial)
    if data is not None and "add_line" in data:
        data = data.copy()
        # A count that is not a small number is left as it is: the formset then says the form is damaged.
        total = data.get("sessions-TOTAL_FORMS") or "0"
        if total.isdigit() and len(total) < 4:
            data["sessions-TOTAL_FORMS"] = str(int(total) + 1)
        form = VisitForm(data, instance=instance, schools=schools, initial=initial)
    if data is not None:
        # The form's school field finds the school among `schools` by its URN (every post validates the form).
        form.is_valid()
        chosen = form.cleaned_data.get("school")
    elif visit is not None:
        chosen = visit.school
    else:
        chosen = initial.get("school")
    nation = chosen.nation if chosen else School.Nation.ENGLAND
    formset = SessionLineFormSet(data, instance=instance, prefix="sessions", form_kwargs={"nation": nation})
    q = SchoolSearch.text(data or request.GET)
    return {
        "form": form,
        "formset": formset,
        "visit": visit,
        "chosen_school": chosen,
        "school_choices": school_choices(request, chosen, q),
        "q": q,
    }


def unsaved_visit(form: VisitForm, formset) -> tuple[Visit | None, list[VisitSession], list[VisitSession]]:
    """The visit and its session lines as the form describes them, not saved; None when the form is
    not valid enough to say."""
    if not form.is_valid():
        return None, [], []
    visit = form.instance
    lines, removed = [], []
    formset.is_valid()
    for line_form in formset.forms:
        if not line_form.has_changed() and not line_form.instance.pk:
            continue
        if formset.can_delete and formset._should_delete_form(line_form):
            if line_form.instance.pk:
                removed.append(line_form.instance)
            continue
        if line_form.is_valid():
            line = line_form.instance
            line.visit = visit
            line.starts_at = line.starts_at or visit.starts_at
            lines.append(line)
        elif line_form.cleaned_data.get("session_type"):
            # Half-filled: the session type alone already tells the ages and volunteers needed. Such a
            # line is only checked, never saved (saving needs every line valid).
            lines.append(
                VisitSession(
                    visit=visit, session_type=line_form.cleaned_data["session_type"], starts_at=visit.starts_at
                )
            )
    return visit, lines, removed


@require_http_methods(["GET", "POST"])
@planner_required
def visit_create(request: HttpRequest) -> HttpResponse:
    return visit_form(request, None)


@require_http_methods(["GET", "POST"])
@planner_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    if request.method == "GET" and visit.is_closed:
        messages.error(request, f"A {visit.get_status_display().lower()} visit cannot be changed.")
        return redirect("planning:visit", pk=visit.pk)
    # A post is refused by save_visit, which says why (closed, or changed since the form was loaded).
    return visit_form(request, visit)


def visit_form(request: HttpRequest, visit: Visit | None) -> HttpResponse:
    context = visit_form_context(request, visit)
    form, formset = context["form"], context["formset"]
    wants_save = request.method == "POST" and not ({"add_line", "find_school", "check"} & set(request.POST))
    if request.method == "POST":
        built, lines, removed = unsaved_visit(form, formset)
        context["problems"] = built.problems(sessions=lines) if built else None
        if wants_save and built and formset.is_valid():
            try:
                saved = services.save_visit(
                    visit=built,
                    sessions=lines,
                    removed=removed,
                    by=request.user,
                    seen_version=form.cleaned_data.get("version"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Visit to {saved.school.name} on {saved.date:%-d %B %Y} saved.")
                return redirect("planning:visit", pk=saved.pk)
    else:
        context["problems"] = visit.problems() if visit else None
    return render(request, "sessions/planning/visit_form.html", context)


@require_POST
@planner_required
def visit_validate(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The live problems panel: what would be wrong with the visit as typed so far. Never saves."""
    visit = get_visit(request, pk) if pk else None
    context = visit_form_context(request, visit)
    built, lines, _ = unsaved_visit(context["form"], context["formset"])
    context["problems"] = built.problems(sessions=lines) if built else None
    template_name = "sessions/planning/visit_form.html"
    if request.htmx:
        template_name += "#problems"
    return render(request, template_name, context)


@require_GET
@planner_required
def visit_school_options(request: HttpRequest) -> HttpResponse:
    """Search as you type for the visit form's school: radio buttons to choose from."""
    schools = planning_schools(request.user)
    chosen_urn = request.GET.get("school", "")
    chosen = schools.filter(urn=chosen_urn).first() if chosen_urn.isdigit() else None
    q = SchoolSearch.text(request.GET)
    context = {"school_choices": school_choices(request, chosen, q), "chosen_school": chosen, "q": q}
    if request.htmx:
        return render(request, "sessions/planning/visit_form.html#school_choices", context)
    # Without JavaScript the search is a plain link back to the form with the search applied.
    return redirect(f"{reverse('planning:visit_create')}?{request.GET.urlencode()}")


# --- The visit page: problems, staffing, workflow

PAGE_PARTS = frozenset({"problems", "staffing", "workflow", "outcome"})  # outcome: the report and the feedback


def visit_page_context(request: HttpRequest, visit: Visit, parts: frozenset[str] = PAGE_PARTS) -> dict:
    """The visit page's context; a fragment asks only for its own part, so it runs only its own queries."""
    editable = not visit.is_closed
    sessions = SimpleLazyObject(visit.read_lines)  # read once, by whichever part needs it first
    context = {
        "visit": visit,
        "editable": editable,
        "sessions": sessions,
        "requested_pupils": [
            (year_group_label(int(year), visit.school.nation), count)
            for year, count in sorted(visit.pupils_by_year.items(), key=lambda item: int(item[0]))
            if str(year).isdigit()
        ],
        # What the school added through the request form after its first request (lazy: the page's
        # fragments never read it).
        "school_notes": visit.school_notes.all(),
    }
    if "outcome" in parts:
        context["report"] = VisitReport.objects.filter(visit=visit).first()
        context["feedback"] = TeacherFeedback.objects.filter(visit=visit).first()
    if "problems" in parts:
        context["problems"] = visit.problems(sessions)
    if "staffing" in parts:
        pool = planning_volunteers(request.user, also_area=visit.school.police_force)
        context["assignments"] = visit.read_team()
        context["staffing"] = staffing = visit.staffing(context["assignments"], sessions)
        # Once the visit is confirmed and staffed the suggestions close, saying so; asked for, they open again.
        context["staffed"] = editable and visit.status == Visit.Status.CONFIRMED and staffing.holds
        suggest = editable and (not context["staffed"] or bool(request.GET.get("all") or request.GET.get("more")))
        limit = None if request.GET.get("all") else STAFFING_SUGGESTIONS
        context["options"], context["options_total"], _ = (
            visit.staffing_options(pool, sessions, limit=limit) if suggest else ([], 0, 0)
        )
    if "workflow" in parts:
        context.update(workflow_context(visit))
    return context


def workflow_context(visit: Visit) -> dict:
    return {
        "history": StatusChange.objects.filter(visit=visit).select_related("by"),
        "transitions": [
            (status, TRANSITION_LABELS[status])
            for status in Visit.Status.values
            if status in visit.allowed_transitions() and status != Visit.Status.CANCELLED
        ],
        "can_cancel": Visit.Status.CANCELLED in visit.allowed_transitions(),
        "cancel_reasons": CancelReason.choices,
        "delivered_later": visit.status == Visit.Status.CONFIRMED
        and Visit.Status.DELIVERED not in visit.allowed_transitions(),
    }


TRANSITION_LABELS = {
    Visit.Status.REQUESTED: "Move back to requested",
    Visit.Status.PROPOSED: "Mark as proposed",
    Visit.Status.CONFIRMED: "Confirm the visit",
    Visit.Status.DELIVERED: "Mark as delivered",
}


def get_visit(request: HttpRequest, pk: int) -> Visit:
    """The visit the user may plan, or 404."""
    visit = planning_visit(request.user, pk)
    if visit is None:
        raise Http404("No such visit.")
    return visit


@require_GET
@planner_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    return render(request, "sessions/planning/visit.html", visit_page_context(request, visit))


def visit_part(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """One region of the visit page as an htmx fragment (running only its own queries), else the page."""
    visit = get_visit(request, pk)
    if request.htmx:
        return render(
            request, f"sessions/planning/visit.html#{part}", visit_page_context(request, visit, frozenset({part}))
        )
    return render(request, "sessions/planning/visit.html", visit_page_context(request, visit))


@require_GET
@planner_required
def visit_problems(request: HttpRequest, pk: int) -> HttpResponse:
    return visit_part(request, pk, "problems")


@require_GET
@planner_required
def visit_staffing(request: HttpRequest, pk: int) -> HttpResponse:
    return visit_part(request, pk, "staffing")


@require_GET
@planner_required
def visit_workflow(request: HttpRequest, pk: int) -> HttpResponse:
    return visit_part(request, pk, "workflow")


def fragment_or_redirect(
    request: HttpRequest, visit: Visit, partial: str, error: str | None, done: str | None
) -> HttpResponse:
    """After a POST: htmx gets the fresh fragment (with the error, if any) and the event that other
    regions listen for; a plain form post is redirected back to the visit page with a message."""
    if request.htmx:
        visit.refresh_from_db()
        context = visit_page_context(request, visit, frozenset({partial}))
        context[f"{partial}_error"] = error
        context[f"{partial}_done"] = done
        response = render(request, f"sessions/planning/visit.html#{partial}", context)
        if error is None:
            trigger_client_event(response, CHANGED[partial])
            trigger_client_event(response, VISIT_CHANGED)
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("planning:visit", pk=visit.pk)


@require_POST
@planner_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    pool = planning_volunteers(request.user, also_area=visit.school.police_force)
    form = AssignForm(request.POST, volunteers=pool.select_related("user"))
    error = done = None
    if not form.is_valid():
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    else:
        volunteer, role = form.cleaned_data["volunteer"], form.cleaned_data["role"]
        try:
            services.assign_volunteer(visit=visit, volunteer=volunteer, role=role, by=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            done = f"{volunteer.name} is invited as {Assignment.Role(role).label.lower()}."
    return fragment_or_redirect(request, visit, "staffing", error, done)


def on_assignment(request: HttpRequest, pk: int, assignment_pk: int, act, done: str) -> HttpResponse:
    """Do `act(assignment)` (a service function) to one of the visit's volunteers; answer the staffing region."""
    visit = get_visit(request, pk)
    assignment = get_object_or_404(visit.assignments.select_related("volunteer__user"), pk=assignment_pk)
    error = None
    try:
        act(assignment)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    message = None if error else done.format(name=assignment.volunteer.name)
    return fragment_or_redirect(request, visit, "staffing", error, message)


@require_POST
@planner_required
def unassign(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    return on_assignment(
        request, pk, assignment_pk, lambda a: services.remove_assignment(assignment=a, by=request.user),
        "{name} is no longer on this visit.",
    )


@require_POST
@planner_required
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    form = StatusForm(request.POST)
    error = done = None
    if not form.is_valid():
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    elif form.cleaned_data["to"] == Visit.Status.CANCELLED:
        return cancel(request, visit, form)
    else:
        to = form.cleaned_data["to"]
        if form.cleaned_data["version"] is not None:
            visit.version = form.cleaned_data["version"]
        try:
            visit.change_status(to, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            done = f"The visit is now {visit.get_status_display().lower()}."
    return fragment_or_redirect(request, visit, "workflow", error, done)


def cancel(request: HttpRequest, visit: Visit, form: StatusForm) -> HttpResponse:
    """Cancel with a reason from the list (words alone count as "another reason"); "Cancel and rebook" also
    opens a new request for the school and takes the coordinator to it."""
    text = form.cleaned_data["reason"]
    category = form.cleaned_data["category"] or (CancelReason.OTHER if text.strip() else "")
    if not category:
        return fragment_or_redirect(request, visit, "workflow", "Say why the visit is cancelled.", None)
    how = {"visit": visit, "category": category, "text": text, "by": request.user,
           "seen_version": form.cleaned_data["version"]}
    try:
        if form.cleaned_data["rebook"]:
            new = services.cancel_and_rebook(**how)
        else:
            services.cancel_visit(**how)
    except ValidationError as refusal:
        return fragment_or_redirect(request, visit, "workflow", " ".join(refusal.messages), None)
    if not form.cleaned_data["rebook"]:
        return fragment_or_redirect(request, visit, "workflow", None, "The visit is now cancelled.")
    messages.success(request, f"The visit on {visit.date:%-d %B %Y} is cancelled. This is its new request: "
                              "propose a date when you have one.")
    url = reverse("planning:visit", args=[new.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@planner_required
def make_lead(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    return on_assignment(
        request, pk, assignment_pk, lambda a: services.make_lead(visit=a.visit, assignment=a, by=request.user),
        "{name} is now the lead.",
    )


@require_POST
@planner_required
def allow_to_lead(request: HttpRequest, pk: int, volunteer_pk: int) -> HttpResponse:
    """The coordinator says a volunteer of their areas may lead visits (staff can also undo it in the admin)."""
    visit = get_visit(request, pk)
    pool = planning_volunteers(request.user, also_area=visit.school.police_force)
    volunteer = get_object_or_404(pool.select_related("user"), pk=volunteer_pk)
    if not volunteer.may_lead:
        volunteer.may_lead = True
        volunteer._change_reason = f"May lead: set by {request.user.get_username()}"[:100]
        volunteer.save(update_fields=["may_lead"])
    return fragment_or_redirect(request, visit, "staffing", None, f"{volunteer.name} may now lead visits.")


# --- Cover when someone drops out


@require_http_methods(["GET", "POST"])
@planner_required
def find_cover(request: HttpRequest, pk: int) -> HttpResponse:
    """The cleared, free volunteers best placed to cover the visit (the staffing ranking); the coordinator
    ticks up to ten and each gets a one-time link by email."""
    visit = get_visit(request, pk)
    pool = planning_volunteers(request.user, also_area=visit.school.police_force)
    candidates, candidates_total = services.cover_candidates(visit, pool, services.MAX_COVER_REQUESTS * 3)
    form = CoverForm(request.POST if request.method == "POST" else None, volunteers=pool)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.send_cover_requests(
                visit=visit, volunteers=form.cleaned_data["volunteers"], by=request.user
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            names = ", ".join(request.volunteer.name for request in sent)
            messages.success(request, f"Asked {len(sent)} volunteer{'s' if len(sent) != 1 else ''} to cover: {names}.")
            return redirect("planning:visit", pk=visit.pk)
    context = {
        "visit": visit,
        "staffing": visit.staffing(),
        "candidates": candidates,
        "candidates_total": candidates_total,
        "asked": visit.cover_requests.select_related("volunteer__user").order_by("-sent_at")[:30],
        "form": form,
        "max_requests": services.MAX_COVER_REQUESTS,
    }
    return render(request, "sessions/planning/cover.html", context)
