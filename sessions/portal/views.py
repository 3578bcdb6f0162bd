"""The volunteers' portal (/me/…) and the calendar feeds (/calendar/…).

Everything here starts from the logged-in user's Volunteer record: a volunteer reaches only their
own assignments, unavailable dates and reports; anything else is 404. A user without a Volunteer
record has no portal (404).
"""

from __future__ import annotations

import json
import re
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from config.access_log import log_access
from config.htmx import HtmxHttpRequest
from sessions import services
from sessions.access import is_coordinator, is_volunteer, volunteer_of
from sessions.models import Assignment, Coordinator, CoverRequest, DeclineReason, Unavailability, Volunteer
from sessions.portal.feeds import feed_for_token
from sessions.portal.forms import DeclineForm, EmailPreferencesForm, TravelForm, UnavailabilityForm, VisitReportForm
from sessions.portal.personal_data import for_display, personal_data, personal_data_csv, readable

PAST_PER_PAGE = 10



def assignments_with_details(volunteer: Volunteer) -> QuerySet[Assignment]:
    """The volunteer's assignments (declined ones too) with everything a visit card shows, in a fixed
    number of queries whatever the number of visits."""
    return (
        volunteer.assignments.all()
        .select_related("visit__school", "visit__report", "visit__coordinator")
        .prefetch_related(
            "visit__sessions__session_type",
            Prefetch("visit__assignments", queryset=Assignment.objects.select_related("volunteer__user")),
        )
    )


def card(assignment: Assignment, today: date) -> dict:
    """What one visit card shows, asked of the models (nothing re-decided here)."""
    visit = assignment.visit
    return {
        "assignment": assignment,
        "visit": visit,
        "sessions": list(visit.sessions.all()),
        "others": [a for a in visit.active_assignments() if a.pk != assignment.pk],
        "can_answer": assignment.status == Assignment.Status.INVITED and not assignment.response_issue(today),
        "can_withdraw": assignment.status == Assignment.Status.ACCEPTED and not assignment.response_issue(today),
        "pack_url": None if visit.is_cancelled else reverse("packs:pack", args=[visit.pk]),
        "can_report": not visit.report_issue(assignment.volunteer, today),
        "is_lead": assignment.role == Assignment.Role.LEAD,
    }


def clearance(volunteer: Volunteer, today: date) -> dict:
    expires = volunteer.clearance_expires_on
    return {
        "cleared": volunteer.is_cleared_on(today),
        "issues": volunteer.clearance_issues(today),
        "expires_on": expires,
        "expiring_soon": volunteer.clearance_expires_within(settings.CLEARANCE_WARNING_DAYS, today),
        "days_left": (expires - today).days if expires else None,
    }


@require_GET
@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    today = timezone.localdate()
    mine = assignments_with_details(volunteer)
    # A visit declined still shows, as one line ("You declined …"), until its day: it does not vanish.
    upcoming = [card(a, today) for a in mine.filter(visit__date__gte=today).order_by("visit__date", "visit__starts_at")]
    past = Paginator(
        mine.filter(visit__date__lt=today).exclude(status=Assignment.Status.DECLINED).order_by(
            "-visit__date", "-visit__starts_at"
        ),
        PAST_PER_PAGE,
    )
    past_page = past.get_page(request.GET.get("page"))
    context = {
        "volunteer": volunteer,
        "today": today,
        "upcoming": upcoming,
        "invitations": sum(1 for c in upcoming if c["can_answer"]),
        "past_page": past_page,
        "past": [card(a, today) for a in past_page],
        "clearance": clearance(volunteer, today),
        "decline_reasons": DeclineReason.choices,
    }
    template_name = "sessions/portal/home.html"
    if request.htmx:
        template_name += "#summary"
    return render(request, template_name, context)


def _respond(request: HtmxHttpRequest, assignment_id: int, answer: str) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    # Start from the volunteer: someone else's invitation is 404.
    assignment = get_object_or_404(volunteer.assignments.select_related("visit__school"), pk=assignment_id)
    today = timezone.localdate()
    error = ""
    form = DeclineForm(request.POST) if answer == "decline" else None
    if form is not None and not form.is_valid():
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    else:
        try:
            services.answer_invitation(
                assignment=assignment,
                accept=answer == "accept",
                reason=form.cleaned_data["reason"] if form else "",
                note=form.cleaned_data["note"] if form else "",
                today=today,
            )
        except ValidationError as e:
            error = " ".join(e.messages)
    done = (
        "Thank you: you are booked. The coordinator has been told."
        if answer == "accept"
        else "You have declined. The coordinator has been told."
    )
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"{assignment.visit.school.name}, {assignment.visit.date:%-d %B}: {done}")
        return redirect("portal:home")
    fresh = (
        Assignment.objects.filter(pk=assignment.pk)
        .select_related("visit__school", "visit__report", "visit__coordinator", "volunteer__user")
        .prefetch_related(
            "visit__sessions__session_type",
            Prefetch("visit__assignments", queryset=Assignment.objects.select_related("volunteer__user")),
        )
        .get()
    )
    response = render(
        request,
        "sessions/portal/home.html#visit-card",
        {"c": card(fresh, today), "answer_message": done if not error else "", "answer_error": error,
         "decline_reasons": DeclineReason.choices},
    )
    if not error:
        trigger_client_event(response, "assignmentChanged", {"answer": answer})
    return response


@require_POST
@login_required
def accept(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    return _respond(request, assignment_id, "accept")


@require_POST
@login_required
def decline(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    return _respond(request, assignment_id, "decline")


def _unavailable_context(volunteer: Volunteer, form: UnavailabilityForm, today: date, **extra) -> dict:
    return {
        "volunteer": volunteer,
        "ranges": list(volunteer.unavailabilities.filter(ends_on__gte=today)),
        "form": form,
        **extra,
    }


@require_http_methods(["GET", "POST"])
@login_required
def unavailable(request: HtmxHttpRequest) -> HttpResponse:
    """List the volunteer's unavailable dates and add a range; a range that covers a visit they are
    on is saved only once they confirm, and the coordinator is told."""
    volunteer = volunteer_of(request.user)
    today = timezone.localdate()
    template_name = "sessions/portal/unavailable.html"
    if request.method == "GET":
        if request.htmx:
            template_name += "#unavailable-list"
        return render(request, template_name, _unavailable_context(volunteer, UnavailabilityForm(today=today), today))

    form = UnavailabilityForm(request.POST, today=today, instance=Unavailability(volunteer=volunteer))
    clashes = []
    if form.is_valid():
        clashes = list(
            volunteer.bookings_between(form.cleaned_data["starts_on"], form.cleaned_data["ends_on"])
            .select_related("visit__school")
            .order_by("visit__date")
        )
        if not clashes or form.cleaned_data["confirm_clash"]:
            absence = form.save()
            added = f"Added: unavailable {absence.starts_on:%-d %B %Y} to {absence.ends_on:%-d %B %Y}."
            if clashes:
                added += " The coordinator has been told about the visits these dates cover."
            if not request.htmx:
                messages.success(request, added)
                return redirect("portal:unavailable")
            response = render(
                request,
                template_name + "#unavailable-form",
                _unavailable_context(volunteer, UnavailabilityForm(today=today), today, added=added),
            )
            return trigger_client_event(response, "unavailabilityChanged")
    if request.htmx:
        template_name += "#unavailable-form"
    # Shown again with the clash: the volunteer decides whether to add the dates anyway.
    data = request.POST.copy()
    data["confirm_clash"] = "on" if clashes else ""
    if clashes:
        form = UnavailabilityForm(data, today=today, instance=Unavailability(volunteer=volunteer))
        form.is_valid()
    return render(request, template_name, _unavailable_context(volunteer, form, today, clashes=clashes))


@require_POST
@login_required
def unavailable_delete(request: HtmxHttpRequest, unavailability_id: int) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    absence = get_object_or_404(volunteer.unavailabilities, pk=unavailability_id)
    removed = f"Removed: {absence.starts_on:%-d %B %Y} to {absence.ends_on:%-d %B %Y}."
    absence.delete()
    if not request.htmx:
        messages.success(request, removed)
        return redirect("portal:unavailable")
    today = timezone.localdate()
    response = render(
        request,
        "sessions/portal/unavailable.html#unavailable-list",
        _unavailable_context(volunteer, UnavailabilityForm(today=today), today, removed=removed),
    )
    return trigger_client_event(response, "unavailabilityChanged")


@require_http_methods(["GET", "POST"])
@login_required
def report(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The lead volunteer files the visit report: counts and a flag, never details of a child."""
    volunteer = volunteer_of(request.user)
    assignment = get_object_or_404(
        volunteer.assignments.select_related("visit__school", "visit__report").prefetch_related(
            "visit__sessions__session_type", "visit__assignments"
        ),
        visit_id=visit_id,
    )
    visit = assignment.visit
    today = timezone.localdate()
    issue = visit.report_issue(volunteer, today)
    template_name = "sessions/portal/report.html"
    form = VisitReportForm(request.POST or None, visit=visit)
    if request.method == "POST" and not issue and form.is_valid():
        try:
            visit.file_report(
                by=volunteer,
                attendance=form.attendance(),
                notes=form.cleaned_data["notes"],
                follow_up=form.cleaned_data["follow_up"],
                confirmed=form.cleaned_data["confirm_unusual"],
                unusual_reason=form.cleaned_data["unusual_reason"],
                today=today,
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(
                request, f"Thank you: the report for {visit.school.name} is filed and the coordinator told."
            )
            return redirect("portal:home")
    filed = visit.report if hasattr(visit, "report") else None
    status = 403 if issue and not filed else 200
    return render(request, template_name, {"visit": visit, "form": form, "issue": issue, "filed": filed}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def details(request: HtmxHttpRequest) -> HttpResponse:
    """What the app holds about the volunteer, their email choices, and where they travel from (two
    forms on one page: the button pressed says which is saved)."""
    volunteer = volunteer_of(request.user)
    template_name = "sessions/portal/details.html"
    saved = travel_saved = False
    posted = request.POST if request.method == "POST" else None
    travel_posted = posted is not None and "save_travel" in posted
    form = EmailPreferencesForm(None if travel_posted else posted, instance=volunteer)
    travel_form = TravelForm(posted if travel_posted else None, instance=volunteer)
    if posted is not None:
        bound = travel_form if travel_posted else form
        if bound.is_valid():
            bound.save()
            saved, travel_saved = not travel_posted, travel_posted
            if not request.htmx:
                done = "Your travel details are saved." if travel_posted else "Your email choices are saved."
                messages.success(request, done)
                return redirect("portal:details")
        volunteer.refresh_from_db()  # what the page shows is what is held, not what was typed
    if request.htmx:
        template_name += "#travel" if travel_posted else "#email-preferences"
    context = {"volunteer": volunteer, "form": form, "saved": saved, "travel_form": travel_form,
               "travel_saved": travel_saved}
    if not request.htmx:
        data = personal_data(volunteer)
        context |= {
            "data": for_display(data),
            "account_rows": readable(data["account"]),
            "volunteer_rows": readable(data["volunteer"]),
        }
    response = render(request, template_name, context)
    if saved:
        trigger_client_event(response, "preferencesSaved")
    return response


@require_GET
@login_required
@never_cache
def details_json(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    log_access(request, volunteer, "own_record_export")
    data = personal_data(volunteer)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-speak-out-data.json"'
    return response


@require_GET
@login_required
@never_cache
def details_csv(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    log_access(request, volunteer, "own_record_export")
    data = personal_data(volunteer)
    response = HttpResponse(personal_data_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-speak-out-data.csv"'
    return response


# --- Calendar feeds


def _feed_holders(request: HttpRequest) -> dict:
    user = request.user
    holders = {}
    if is_volunteer(user):
        holders["volunteer"] = user.volunteer
    if is_coordinator(user):
        holders["coordinator"] = user.coordinator
    if not holders:
        raise Http404("Calendar feeds are for volunteers and coordinators.")
    return holders


def _feed_urls(request: HttpRequest, holders: dict) -> list[dict]:
    labels = {"volunteer": "The visits you are on", "coordinator": "Every visit in your areas"}
    return [
        {
            "role": role,
            "label": labels[role],
            "url": url,
            # webcal:// opens the phone's or computer's calendar app at its "subscribe" step.
            "webcal": "webcal://" + url.split("://", 1)[1],
        }
        for role, holder in holders.items()
        for url in [request.build_absolute_uri(reverse("portal:feed", args=[holder.calendar_token]))]
    ]


@require_GET
@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    holders = _feed_holders(request)
    return render(request, "sessions/portal/calendar.html", {"feeds": _feed_urls(request, holders)})


@require_POST
@login_required
def calendar_regenerate(request: HtmxHttpRequest) -> HttpResponse:
    """A new secret address for the feed; the old address stops working at once."""
    holders = _feed_holders(request)
    holder: Volunteer | Coordinator | None = holders.get(request.POST.get("role", ""))
    if holder is None:
        raise Http404("No such calendar feed.")
    holder.regenerate_calendar_token()
    done = "Your calendar feed has a new address. Subscribe to it again; the old address no longer works."
    if not request.htmx:
        messages.success(request, done)
        return redirect("portal:calendar")
    response = render(
        request,
        "sessions/portal/calendar.html#feeds",
        {"feeds": _feed_urls(request, holders), "regenerated": done},
    )
    return trigger_client_event(response, "calendarRegenerated")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret calendar feed: no login (calendar apps cannot log in), the token is the key. A calendar
    app that sends back the ETag of an unchanged feed gets 304; no shared cache may keep a copy."""
    found = feed_for_token(token)
    if found is None:
        raise Http404("No calendar feed at this address.")
    response = get_conditional_response(request, etag=found.etag)
    if response is None:
        response = HttpResponse(found.content(), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="speak-out-visits.ics"'
    response["ETag"] = found.etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- Cover links (the emailed token is the only key: no sign-in, as a volunteer may open it on a phone)

COVER_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@require_http_methods(["GET", "POST"])
@never_cache
def cover(request: HttpRequest, cover_token: str) -> HttpResponse:
    """A volunteer asked to cover a visit: what it is, and "I can" (a POST). An unknown token is 404."""
    token = cover_token
    if not COVER_TOKEN.fullmatch(token):
        raise Http404("No such link.")
    ask = get_object_or_404(CoverRequest.objects.select_related("visit__school", "volunteer__user"), token=token)
    answer = None
    if request.method == "POST":
        answer = services.claim_cover(token=token)
        ask.refresh_from_db()
    context = {"ask": ask, "visit": ask.visit, "answer": answer, "started": timezone.now() >= ask.visit.starts}
    return render(request, "sessions/portal/cover.html", context)
