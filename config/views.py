from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.tasks import task_backends
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from config.password_reset import MAIL_SERVER_DOWN, ResetForm, mail_server_answers
from config.tasks import send_password_reset
from sessions import access


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their place: coordinators to planning, volunteers to their visits."""
    user = request.user
    destinations = []
    if access.is_coordinator(user):
        destinations.append(
            ("Plan visits", "Schools due a visit, the calendar and staffing.", reverse("planning:dashboard"))
        )
    if access.is_volunteer(user):
        destinations.append(("My visits", "Your invitations, visits and session packs.", reverse("portal:home")))
    if access.is_staff(user):
        destinations.append(("Data entry", "Schools, volunteers and statistics in the admin.", reverse("admin:index")))
    if len(destinations) == 1:
        return redirect(destinations[0][2])
    return render(request, "home.html", {"destinations": destinations})


@require_GET
def about_data(request: HttpRequest) -> HttpResponse:
    """Where the app's public data comes from, with the attributions its licences ask for. Public."""
    return render(request, "about_data.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: can we reach the database, and is the task queue moving? No secrets."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "unavailable"
        healthy = False
    if healthy:
        checks["tasks"] = task_queue_health()
        healthy = checks["tasks"]["status"] == "ok"
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def task_queue_health() -> dict[str, object]:
    """Tasks waiting longer than TASK_QUEUE_STALE_SECONDS mean no worker is taking them."""
    backend = task_backends["default"]
    if not isinstance(backend, DatabaseBackend):
        return {"status": "ok", "queue": "runs tasks in the web process"}
    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {
        "status": "ok" if age <= settings.TASK_QUEUE_STALE_SECONDS else "stalled",
        "waiting": waiting.count(),
        "oldest_waiting_seconds": round(age),
    }


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose security token has expired (or never had one).

    An htmx request is told to reload the page (HX-Refresh), which gives the form a fresh token, instead of
    swapping an error page into a fragment. A plain post gets a page that says what happened and what to do.
    """
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse("This page had expired; reloading.", status=403, content_type="text/plain")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "403_csrf.html", status=403)



@require_http_methods(["GET", "POST"])
@csrf_protect
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time link by email: the same page, after the same work, for known and unknown addresses
    (config/password_reset.py says how and why)."""
    template_name = "registration/password_reset_form.html"
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not mail_server_answers():
            form.add_error(None, MAIL_SERVER_DOWN)
            return render(request, template_name, {"form": form}, status=503)
        accounts = [user.pk for user in form.get_users(form.cleaned_data["email"])]
        # Queued for every address, an empty list for an unknown one, so both cost the same. Enqueued at once
        # rather than on commit: this request writes nothing the task needs to wait for.
        send_password_reset.enqueue(accounts)
        return redirect("password_reset_done")
    return render(request, template_name, {"form": form})


@cache
def favicon_bytes() -> bytes:
    return Path(finders.find("favicon.ico")).read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links to (feed readers, bookmarks): the same icon
    as static/favicon.svg, rather than a 404 in every log."""
    response = HttpResponse(favicon_bytes(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
