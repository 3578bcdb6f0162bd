"""The school's own page for its visit (no sign-in: the token in its address, emailed to the school, is the
only key). It shows the visit as the school needs it (volunteers by first name only) and takes four
answers: the school's details, agreeing to the date, other dates, cancelling. Each is CSRF-protected,
rate-limited per address and page, validated by `sessions/schools_side/forms.py`, and carried out by a
service in `sessions/services.py`. Every open and every answer is recorded in SchoolPageAccess, without
the token. A wrong or retired token is a 404 page that says whom to contact where it can.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from config import rate_limit
from config.auth import client_address
from config.htmx import HtmxHttpRequest
from sessions import services
from sessions.models import SchoolPageAccess, Visit, token_digest
from sessions.notifications.emails import coordinator_contact
from sessions.schools_side.forms import AgreeForm, OtherDatesForm, SchoolCancelForm, SchoolDetailsForm

TEMPLATE = "sessions/schools_side/page.html"
# At most this many answers an hour from one address to one page (a school fixing a typo needs a few).
ANSWERS_PER_HOUR = 20
# Four forms on one page, two with a "name" field: each its own ids, so every label finds its field.
AUTO_IDS = {SchoolDetailsForm: "details_%s", AgreeForm: "agree_%s", OtherDatesForm: "dates_%s",
            SchoolCancelForm: "cancel_%s"}


def _visit_for(token: str) -> Visit | None:
    return (
        Visit.objects.select_related("school__local_authority__police_force", "coordinator__coordinator")
        .prefetch_related("sessions__session_type", "assignments__volunteer__user")
        .filter(school_token=token)
        .first()
    )


def not_found(request: HttpRequest, token: str) -> HttpResponse:
    """The 404 page: for the address of a cancelled visit (a retired token), whom in its area to contact."""
    retired = Visit.objects.select_related("school__local_authority__police_force", "coordinator__coordinator").filter(
        retired_school_token=token_digest(token)
    ).first()
    context = {
        "contact": coordinator_contact(retired) if retired else None,
        "area": retired.school.police_force if retired else None,
    }
    return _private(render(request, "sessions/schools_side/not_found.html", context, status=404))


def _private(response: HttpResponse) -> HttpResponse:
    # The address is a key: never sent on to another site in a Referer.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _context(visit: Visit, **forms) -> dict:
    lines = list(visit.sessions.all())
    issue = services.school_page_issue(visit)
    return {
        "visit": visit,
        "school": visit.school,
        "sessions": lines,
        "volunteers": [a.volunteer.user.first_name for a in visit.active_assignments() if a.volunteer.user.first_name],
        "arrive_at": visit.arrival_time(lines),
        "hall_ready": min((line.starts_at for line in lines), default=visit.starts_at),
        "contact": coordinator_contact(visit),
        "closed_because": issue,
        "may_answer_date": not issue and visit.status in (Visit.Status.PROPOSED, Visit.Status.CONFIRMED),
        "seen": services.when_key(visit),
        "details_form": forms.get("details_form")
        or SchoolDetailsForm(instance=visit, auto_id=AUTO_IDS[SchoolDetailsForm]),
        "agree_form": forms.get("agree_form") or AgreeForm(initial={"seen": services.when_key(visit)},
                                                           auto_id=AUTO_IDS[AgreeForm]),
        "dates_form": forms.get("dates_form") or OtherDatesForm(auto_id=AUTO_IDS[OtherDatesForm]),
        "cancel_form": forms.get("cancel_form") or SchoolCancelForm(auto_id=AUTO_IDS[SchoolCancelForm]),
        # What the last answer did, said in the part of the page it was given in (`section`).
        "section": forms.get("section"),
        "done": forms.get("done"),
        "error": forms.get("error"),
        "limited": forms.get("limited"),
    }


@require_GET
@never_cache
def page(request: HttpRequest, school_token: str) -> HttpResponse:
    visit = _visit_for(school_token)
    if visit is None:
        return not_found(request, school_token)
    services.log_school_page(visit, SchoolPageAccess.Action.VIEWED)
    return _private(render(request, TEMPLATE, _context(visit)))


def _answer(request: HtmxHttpRequest, token: str, form_class, form_name: str, act: Callable, done: str,
            fragment: str) -> HttpResponse:
    """One answer from the school: the form checked, the service run, the page (or, to htmx, its part)
    shown again with what happened. Nothing is saved when the form or the service refuses."""
    visit = _visit_for(token)
    if visit is None:
        return not_found(request, token)
    scope = (client_address(request) or "unknown", token)
    if rate_limit.limit_reached("school-page", *scope, limit=ANSWERS_PER_HOUR):
        context = _context(visit, limited=True, section=fragment)
        return _private(render(request, TEMPLATE + (f"#{fragment}" if request.htmx else ""), context, status=429))
    rate_limit.count("school-page", *scope)
    instance = {"instance": Visit.objects.get(pk=visit.pk)} if form_class is SchoolDetailsForm else {}
    form = form_class(request.POST, auto_id=AUTO_IDS[form_class], **instance)
    error = None
    if form.is_valid():
        try:
            updated = act(visit, form)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            if updated.school_token != token:  # cancelled: the page has a new address
                url = _page_url(updated)
                messages.success(request, done)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            if not request.htmx:
                messages.success(request, done)
                return redirect(_page_url(updated))
            context = _context(_visit_for(token), done=done, section=fragment)
            return _private(render(request, f"{TEMPLATE}#{fragment}", context))
    context = _context(visit, error=error, section=fragment, **{form_name: form})
    return _private(render(request, TEMPLATE + (f"#{fragment}" if request.htmx else ""), context))


def _page_url(visit: Visit) -> str:
    return reverse("schools_side:page", args=[visit.school_token])


@require_POST
def details(request: HtmxHttpRequest, school_token: str) -> HttpResponse:
    return _answer(
        request, school_token, SchoolDetailsForm, "details_form",
        lambda visit, form: services.school_confirm_details(visit=visit, details=form.cleaned_data),
        _("Thank you: we have your safeguarding lead and arrival details."), "details",
    )


@require_POST
def agree(request: HtmxHttpRequest, school_token: str) -> HttpResponse:
    return _answer(
        request, school_token, AgreeForm, "agree_form",
        lambda visit, form: services.school_agree(visit=visit, name=form.cleaned_data["name"],
                                                  seen=form.cleaned_data["seen"]),
        _("Thank you: you have agreed to the date and time."), "when",
    )


@require_POST
def other_dates(request: HtmxHttpRequest, school_token: str) -> HttpResponse:
    return _answer(
        request, school_token, OtherDatesForm, "dates_form",
        lambda visit, form: services.school_offer_dates(
            visit=visit, dates=form.dates, note=form.cleaned_data["note"]
        ),
        _("Thank you: we have your dates. The coordinator will propose one of them."), "when",
    )


@require_POST
def cancel(request: HtmxHttpRequest, school_token: str) -> HttpResponse:
    return _answer(
        request, school_token, SchoolCancelForm, "cancel_form",
        lambda visit, form: services.school_cancel(visit=visit, category=form.cleaned_data["reason"],
                                                   text=form.cleaned_data["text"], name=form.cleaned_data["name"]),
        _("The visit is cancelled. We have emailed you to confirm it."), "cancel",
    )
