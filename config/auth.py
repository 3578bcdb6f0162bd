"""Signing in: who the client is for login throttling, and how long a staff session lasts.

Login throttling is django-axes (settings: AXES_*); this module holds the two rules it needs from us.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

# Staff can change every school and volunteer record: their sessions end after twelve hours at most,
# whatever SESSION_COOKIE_AGE allows others.
STAFF_SESSION_SECONDS = 12 * 60 * 60


def client_address(request: HttpRequest) -> str | None:
    """The address that sent the request. Behind our proxy, the last X-Forwarded-For entry is the one the
    proxy itself added (the earlier ones come from the client and can be made up); otherwise the socket's."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


@receiver(user_logged_in, dispatch_uid="staff_session_length")
def limit_staff_sessions(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and (user.is_staff or user.is_superuser):
        request.session.set_expiry(min(STAFF_SESSION_SECONDS, settings.SESSION_COOKIE_AGE))
