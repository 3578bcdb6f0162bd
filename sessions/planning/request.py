"""The public page where a school asks for a visit (no sign-in), with its rate limit and honeypot."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from config import rate_limit
from config.auth import client_address
from config.htmx import HtmxHttpRequest
from schools.models import School
from sessions import services
from sessions.models import Visit
from sessions.planning.forms import SchoolSearch, VisitRequestForm

# At most this many requests from one address an hour.
REQUESTS_PER_HOUR = 5
# Where the request view tells the thanks page that a request was added to one already held.
ADDED_TO_KEY = "visit-request-added-to"


def request_limit_reached(request: HttpRequest) -> bool:
    return rate_limit.limit_reached("visit-request", client_address(request) or "unknown", limit=REQUESTS_PER_HOUR)


def count_request(request: HttpRequest) -> None:
    rate_limit.count("visit-request", client_address(request) or "unknown")


@require_http_methods(["GET", "POST"])
def request_visit(request: HtmxHttpRequest) -> HttpResponse:
    """A school asks for a visit (no login). Shows only what the public register shows of a school."""
    q = SchoolSearch.text(request.GET)
    urn = (request.POST.get("school") or request.GET.get("school") or "").strip()
    # A URN is at most eight digits: a longer number is no school (and would overflow the column's type).
    school = School.objects.open().filter(urn=urn).first() if urn.isdigit() and len(urn) <= 9 else None
    found = (
        list(School.objects.open().search(q).only("urn", "name", "town", "postcode")[:10]) if q and not school else []
    )
    form = VisitRequestForm(request.POST if request.method == "POST" else None, school=school,
                            initial={"school": school})
    limited = False
    if request.method == "POST":
        if request_limit_reached(request):
            limited = True
        elif form.is_spam:
            # Robots are thanked and forgotten: nothing is saved, and nothing tells them why.
            return redirect("planning:request_thanks")
        elif form.is_valid():
            count_request(request)
            outcome = services.request_visit(asked=form.asked())
            if not outcome.is_new:
                # The thanks page says the request was added to the one already held (the date it was
                # made, never the visit's planned date: the page is public).
                request.session[ADDED_TO_KEY] = {
                    "school": outcome.visit.school.name,
                    "asked_on": timezone.localtime(outcome.visit.created_at).date().isoformat(),
                    "requested": outcome.visit.status == Visit.Status.REQUESTED,
                }
            return redirect("planning:request_thanks")
    context = {"form": form, "school": school, "found": found, "q": q, "limited": limited}
    template_name = "sessions/planning/request.html"
    if request.htmx and request.method == "GET" and not school:
        template_name += "#found"
    response = render(request, template_name, context, status=429 if limited else 200)
    return response


@require_GET
def request_thanks(request: HttpRequest) -> HttpResponse:
    added = request.session.pop(ADDED_TO_KEY, None) if ADDED_TO_KEY in request.session else None
    added_to = None
    if isinstance(added, dict):
        try:
            added_to = {"school": str(added["school"]), "asked_on": date.fromisoformat(added["asked_on"]),
                        "requested": bool(added.get("requested"))}
        except (KeyError, TypeError, ValueError):
            added_to = None
    return render(request, "sessions/planning/request_thanks.html", {"added_to": added_to})
