"""The public page where a school asks for a visit (no sign-in), with its rate limit and honeypot."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from config.auth import client_address
from config.htmx import HtmxHttpRequest
from schools.models import School
from sessions import services
from sessions.planning.forms import SchoolSearch, VisitRequestForm

# At most this many requests from one address an hour.
REQUESTS_PER_HOUR = 5


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
def request_visit(request: HtmxHttpRequest) -> HttpResponse:
    """A school asks for a visit (no login). Shows only what the public register shows of a school."""
    q = SchoolSearch.text(request.GET)
    urn = (request.POST.get("school") or request.GET.get("school") or "").strip()
    school = School.objects.open().filter(urn=urn).first() if urn.isdigit() else None
    found = (
        list(School.objects.open().search(q).only("urn", "name", "town", "postcode")[:10]) if q and not school else []
    )
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
