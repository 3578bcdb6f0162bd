"""The site's URLs plus the benchmark's floor: the cheapest view a signed-in user can ask for.

The floor goes through the same middleware (session, user, CSRF, CSP, htmx, axes) as every page, so
"× floor" says how much an endpoint costs beyond what any request costs at all.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config.urls import urlpatterns as site_urlpatterns


@require_GET
@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor", floor, name="bench_floor"), *site_urlpatterns]
