"""htmx and the request: the request type of views that answer htmx (`request.htmx` is set by
django-htmx's middleware), and the middleware that keeps pages and fragments apart in every cache."""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class VaryOnHtmxMiddleware:
    """Many views answer one URL with a whole page or, to htmx, a fragment of it. Say so to every cache:
    `Vary: HX-Request` on every response, and a fragment is never stored at all (no-store), so Back and
    Forward, or a shared cache, can never show a bare fragment where the page belongs. Once here, not
    per view, so a new view cannot forget it. (Static files are answered before this, by WhiteNoise.)

    htmx restoring history (Back, with no snapshot of the page) wants the whole page: before django-htmx's
    middleware reads the request, such a request stops counting as an htmx request for a fragment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # request.META, not request.headers: the headers are read once and kept, and django-htmx reads them.
        from_htmx = request.META.get("HTTP_HX_REQUEST") == "true"
        if request.META.get("HTTP_HX_HISTORY_RESTORE_REQUEST") == "true":
            request.META.pop("HTTP_HX_REQUEST", None)
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        if from_htmx:
            add_never_cache_headers(response)
        return response
