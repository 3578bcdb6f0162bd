"""The coordinators' workspace: dashboard, calendar, schools due a visit, visits and their staffing,
and the public page where a school asks for a visit.

Who may see what is decided here, once per view, from the user: coordinators their areas' schools
and visits, staff everything, anyone else a 404. The rules themselves are the models'.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from config.access_log import log_access
from config.auth import client_address
from schools.models import School
from sessions import services
from sessions.forms import (
    AssignForm,
    CalendarFilterForm,
    DueFilterForm,
    SessionLineFormSet,
    StatusForm,
    VisitForm,
    VisitRequestForm,
)
from sessions.models import Assignment, StatusChange, Visit, VisitSession, Volunteer, year_group_label
from stats.models import Area

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
# The public request form: at most this many requests from one address an hour.
REQUESTS_PER_HOUR = 5


# --- Who may plan

def planner_required(view: Callable) -> Callable:
    """Coordinators and staff only; anyone else logged in gets a 404, as if the page were not there."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_staff or hasattr(request.user, "coordinator")):
            raise Http404("Not a planning user")
        return view(request, *args, **kwargs)

    return wrapper


def planning_areas(user) -> QuerySet[Area]:
    """The police force areas the user plans for: staff every one."""
    if user.is_staff:
        return Area.objects.police_forces()
    return user.coordinator.areas.all()


def planning_schools(user) -> QuerySet[School]:
    return School.objects.all() if user.is_staff else School.objects.in_areas(user.coordinator.areas.all())


def planning_visits(user) -> QuerySet[Visit]:
    """Visits the user may plan: those visible to them, in their areas (a coordinator who also
    volunteers does not plan the visits they only volunteer on)."""
    visits = Visit.objects.visible_to(user)
    return visits if user.is_staff else visits.in_areas(user.coordinator.areas.all())


def planning_volunteers(user, also_area: Area | None = None) -> QuerySet[Volunteer]:
    """Volunteers covering the user's areas (staff: every volunteer), and those covering `also_area`."""
    if user.is_staff:
        return Volunteer.objects.all()
    areas = Q(area__in=user.coordinator.areas.all())
    if also_area is not None:
        areas |= Q(area=also_area)
    return Volunteer.objects.filter(pk__in=Volunteer.areas.through.objects.filter(areas).values("volunteer_id"))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


# --- Dashboard

@require_GET
@planner_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    monday = monday_of(today)
    visits = planning_visits(request.user)
    fortnight = list(visits.between(monday, monday + timedelta(days=13)).with_signals().order_by("date", "starts_at"))
    upcoming = list(
        visits.between(today, today + timedelta(weeks=ATTENTION_WEEKS))
        .live()
        .exclude(status=Visit.Status.DELIVERED)
        .with_signals()
    )
    lists = {
        "this_week": [v for v in fortnight if v.date < monday + timedelta(days=7)],
        "next_week": [v for v in fortnight if v.date >= monday + timedelta(days=7)],
        "requests": list(visits.filter(status=Visit.Status.REQUESTED).select_related("school").order_by("created_at")),
        "short": [v for v in upcoming if v.is_short_of_volunteers],
        "with_errors": [v for v in upcoming if v.has_errors],
        "expiring": list(planning_volunteers(request.user)
                         .clearance_expiring(within_days=settings.CLEARANCE_WARNING_DAYS, today=today)
                         .select_related("user")),
    }
    show_all = bool(request.GET.get("all"))
    context = {
        "today": today,
        **{name: rows if show_all else rows[:DASHBOARD_ROWS] for name, rows in lists.items()},
        "totals": {name: len(rows) for name, rows in lists.items()},
        "show_all": show_all,
        "warning_days": settings.CLEARANCE_WARNING_DAYS,
        "attention_weeks": ATTENTION_WEEKS,
        "section": "dashboard",
    }
    return render(request, "sessions/planning/dashboard.html", context)


# --- Calendar

@require_GET
@planner_required
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    if "month" in request.GET:
        mode = "month"
        try:
            first = date.fromisoformat(request.GET["month"] + "-01")
        except ValueError:
            first = today.replace(day=1)
        start = monday_of(first)
        next_month = (first + timedelta(days=32)).replace(day=1)
        end = monday_of(next_month - timedelta(days=1)) + timedelta(days=6)
        previous, following = (first - timedelta(days=1)).replace(day=1), next_month
        nav = {
            "previous": f"month={previous:%Y-%m}",
            "next": f"month={following:%Y-%m}",
            "today": f"month={today:%Y-%m}",
            "other": f"week={monday_of(first if first.month != today.month else today):%Y-%m-%d}",
        }
        title = f"{first:%B %Y}"
    else:
        mode = "week"
        start = monday_of(parse_date(request.GET.get("week"), today))
        end = start + timedelta(days=6)
        first = start
        nav = {
            "previous": f"week={start - timedelta(days=7):%Y-%m-%d}",
            "next": f"week={start + timedelta(days=7):%Y-%m-%d}",
            "today": f"week={monday_of(today):%Y-%m-%d}",
            "other": f"month={start:%Y-%m}",
        }
        title = f"Week of {start:%-d %B %Y}"
    areas = planning_areas(request.user)
    filters = CalendarFilterForm(
        request.GET, areas=areas, volunteers=planning_volunteers(request.user).select_related("user")
    )
    visits = filters.filter(planning_visits(request.user).between(start, end)).with_signals().order_by("date", "starts_at")
    by_day: dict[date, list[Visit]] = {}
    for visit in visits:
        by_day.setdefault(visit.date, []).append(visit)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    weeks = [
        [{"date": d, "visits": by_day.get(d, []), "in_month": d.month == first.month} for d in days[i : i + 7]]
        for i in range(0, len(days), 7)
    ]
    # Filters travel with the navigation links, so they are kept from week to week.
    kept = {key: request.GET[key] for key in ("area", "status", "volunteer") if request.GET.get(key)}
    context = {
        "mode": mode,
        "title": title,
        "weeks": weeks,
        "nav": {key: f"?{value}&{urlencode(kept)}" if kept else f"?{value}" for key, value in nav.items()},
        "period_name": mode,
        "period_value": f"{first:%Y-%m}" if mode == "month" else f"{start:%Y-%m-%d}",
        "refresh": reverse("planning:calendar") + "?" + urlencode(
            {mode: f"{first:%Y-%m}" if mode == "month" else f"{start:%Y-%m-%d}", **kept}
        ),
        "section": "calendar",
        "filters": filters,
        "today": today,
        "count": sum(len(v) for v in by_day.values()),
    }
    template_name = "sessions/planning/calendar.html"
    if request.htmx and not request.htmx.boosted:
        template_name += "#calendar"
    return render(request, template_name, context)


# --- Schools

@require_GET
@planner_required
def due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    areas = planning_areas(request.user)
    filters = DueFilterForm(request.GET, areas=areas)
    schools = filters.filter(School.objects.due(on=today).in_areas(areas)).select_related("local_authority")
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    template_name = "sessions/planning/due.html"
    if request.htmx:
        template_name += "#results"
    return render(request, template_name, {"filters": filters, "page": page, "query": query_without_page(request), "section": "due"}
    )


@require_GET
@planner_required
def schools(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    found = planning_schools(request.user).search(q).with_last_visit().select_related("local_authority")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    template_name = "sessions/planning/schools.html"
    if request.htmx:
        template_name += "#results"
    return render(request, template_name, {"q": q, "page": page, "query": query_without_page(request), "section": "schools"}
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
    chosen = None
    if data is not None and data.get("school", "").isdigit():
        chosen = schools.filter(urn=data["school"]).first()
    elif visit is not None:
        chosen = visit.school
    else:
        chosen = initial.get("school")
    nation = chosen.nation if chosen else School.Nation.ENGLAND
    if data is not None and "add_line" in data:
        data = data.copy()
        data["sessions-TOTAL_FORMS"] = str(int(data.get("sessions-TOTAL_FORMS") or 0) + 1)
        form = VisitForm(data, instance=instance, schools=schools, initial=initial)
    formset = SessionLineFormSet(data, instance=instance, prefix="sessions", form_kwargs={"nation": nation})
    q = (data or request.GET).get("q", "").strip()[:100]
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
                VisitSession(visit=visit, session_type=line_form.cleaned_data["session_type"], starts_at=visit.starts_at)
            )
    return visit, lines, removed


@require_http_methods(["GET", "POST"])
@planner_required
def visit_create(request: HttpRequest) -> HttpResponse:
    return visit_form(request, None)


@require_http_methods(["GET", "POST"])
@planner_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(planning_visits(request.user).select_related("school"), pk=pk)
    if request.method == "GET" and visit.status in services.CLOSED_STATUSES:
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
                saved = services.save_visit(visit=built, sessions=lines, removed=removed, by=request.user,
                                            seen_version=form.cleaned_data.get("version"))
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
    visit = get_object_or_404(planning_visits(request.user).select_related("school"), pk=pk) if pk else None
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
    q = request.GET.get("q", "").strip()[:100]
    context = {"school_choices": school_choices(request, chosen, q), "chosen_school": chosen, "q": q}
    if request.htmx:
        return render(request, "sessions/planning/visit_form.html#school_choices", context)
    # Without JavaScript the search is a plain link back to the form with the search applied.
    return redirect(f"{reverse('planning:visit_create')}?{request.GET.urlencode()}")


# --- The visit page: problems, staffing, workflow

PAGE_PARTS = frozenset({"problems", "staffing", "workflow"})


def visit_page_context(request: HttpRequest, visit: Visit, parts: frozenset[str] = PAGE_PARTS) -> dict:
    """The visit page's context; a fragment asks only for its own part, so it runs only its own queries."""
    editable = visit.status not in services.CLOSED_STATUSES
    context = {
        "visit": visit,
        "editable": editable,
        "sessions": visit.sessions.select_related("session_type"),
        "requested_pupils": [
            (year_group_label(int(year), visit.school.nation), count)
            for year, count in sorted(visit.pupils_by_year.items(), key=lambda item: int(item[0]))
            if str(year).isdigit()
        ],
    }
    if "problems" in parts:
        context["problems"] = visit.problems()
    if "staffing" in parts:
        pool = planning_volunteers(request.user, also_area=visit.school.police_force)
        context["assignments"] = list(visit.assignments.select_related("volunteer__user").order_by("role", "pk"))
        options = visit.staffing_options(pool) if editable else []
        context["options"] = options if request.GET.get("all") else options[:STAFFING_SUGGESTIONS]
        context["options_total"] = len(options)
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
    }


TRANSITION_LABELS = {
    Visit.Status.REQUESTED: "Move back to requested",
    Visit.Status.PROPOSED: "Mark as proposed",
    Visit.Status.CONFIRMED: "Confirm the visit",
    Visit.Status.DELIVERED: "Mark as delivered",
}


def get_visit(request: HttpRequest, pk: int) -> Visit:
    return get_object_or_404(
        planning_visits(request.user).select_related("school__local_authority__police_force", "coordinator"), pk=pk
    )


@require_GET
@planner_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    return render(request, "sessions/planning/visit.html", visit_page_context(request, visit))


@require_GET
@planner_required
def visit_problems(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    template_name = "sessions/planning/visit.html"
    parts = PAGE_PARTS
    if request.htmx:
        template_name += "#problems"
        parts = frozenset({"problems"})
    return render(request, template_name, visit_page_context(request, visit, parts))


@require_GET
@planner_required
def visit_staffing(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    template_name = "sessions/planning/visit.html"
    parts = PAGE_PARTS
    if request.htmx:
        template_name += "#staffing"
        parts = frozenset({"staffing"})
    return render(request, template_name, visit_page_context(request, visit, parts))


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


@require_POST
@planner_required
def unassign(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    assignment = get_object_or_404(visit.assignments.select_related("volunteer__user"), pk=assignment_pk)
    error = done = None
    try:
        services.remove_assignment(assignment=assignment, by=request.user)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    else:
        done = f"{assignment.volunteer.name} is no longer on this visit."
    return fragment_or_redirect(request, visit, "staffing", error, done)


@require_POST
@planner_required
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit(request, pk)
    form = StatusForm(request.POST)
    error = done = None
    if not form.is_valid():
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
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


# --- The public request

def request_limit_reached(request: HttpRequest) -> bool:
    key = f"visit-request:{client_address(request) or 'unknown'}"
    cache.add(key, 0, timeout=60 * 60)
    return cache.get(key, 0) >= REQUESTS_PER_HOUR


def count_request(request: HttpRequest) -> None:
    key = f"visit-request:{client_address(request) or 'unknown'}"
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=60 * 60)


@require_http_methods(["GET", "POST"])
def request_visit(request: HttpRequest) -> HttpResponse:
    """A school asks for a visit (no login). Shows only what the public register shows of a school."""
    q = request.GET.get("q", "").strip()[:100]
    urn = (request.POST.get("school") or request.GET.get("school") or "").strip()
    school = School.objects.open().filter(urn=urn).first() if urn.isdigit() else None
    found = list(School.objects.open().search(q).only("urn", "name", "town", "postcode")[:10]) if q and not school else []
    nation = school.nation if school else School.Nation.ENGLAND
    form = VisitRequestForm(
        request.POST if request.method == "POST" else None, nation=nation, initial={"school": school}
    )
    limited = False
    if request.method == "POST":
        if request_limit_reached(request):
            limited = True
        elif form.is_spam:
            # Robots are thanked and forgotten: nothing is saved, and nothing tells them why.
            return redirect("planning:request_thanks")
        elif form.is_valid():
            count_request(request)
            services.request_visit(
                school=form.cleaned_data["school"],
                first_date=form.cleaned_data["first_date"],
                preferred_dates=form.cleaned_data["preferred_dates"],
                requester_name=form.cleaned_data["requester_name"],
                requester_email=form.cleaned_data["requester_email"],
                requester_phone=form.cleaned_data["requester_phone"],
                pupils_by_year=form.pupils_by_year(),
                needs_send=form.cleaned_data["needs_send"],
                needs_welsh=form.cleaned_data["needs_welsh"],
            )
            return redirect("planning:request_thanks")
    context = {"form": form, "school": school, "found": found, "q": q, "limited": limited}
    template_name = "sessions/planning/request.html"
    if request.htmx and request.method == "GET" and not school:
        template_name += "#found"
    response = render(request, template_name, context, status=429 if limited else 200)
    return response


@require_GET
def request_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "sessions/planning/request_thanks.html")
