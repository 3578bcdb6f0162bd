"""No stored copies of pages with personal data.

Every response to a signed-in person — pages, htmx fragments, exports, redirects — carries
`Cache-Control: no-store, private`, so neither the browser's disk cache (a shared or lost computer) nor a
proxy keeps a copy of a volunteer's details, a school's contacts or a visit. So does the public request form,
which shows back what a school typed when a post is refused. A view that chose its own caching keeps it:
the session pack and the calendar feed revalidate with their ETags (`private, no-cache`), the admin is never
cached (`never_cache`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from config.logging import route_of

# Pages anyone may open that show back personal data typed into them.
PUBLIC_ROUTES_WITH_PERSONAL_DATA = {"planning:request", "password_reset"}


class NoStoreMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or route_of(request)[0] in PUBLIC_ROUTES_WITH_PERSONAL_DATA:
            patch_cache_control(response, no_store=True, private=True)
        return response
