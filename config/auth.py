"""Signing in: who the client is for login throttling, how long a staff session lasts, and the user of each
request read with their roles.

Login throttling is django-axes (settings: AXES_*); this module holds the two rules it needs from us.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from config.prepared import Key, Prepared

# The user of every signed-in request, built once a process (config/prepared.py).
_USER_WITH_ROLES = Prepared(
    lambda: get_user_model()._default_manager.select_related("coordinator", "volunteer").filter(pk=Key("user"))
)


class RolesBackend(ModelBackend):
    """Django's password sign-in, whose user of each request comes with their coordinator and volunteer records
    (or the knowledge that there are none) in the same query: every page asks which the user is
    (`sessions.access`), one query each otherwise."""

    def get_user(self, user_id):
        found = _USER_WITH_ROLES(user=user_id)
        return found[0] if found and self.user_can_authenticate(found[0]) else None


# Staff can change every school and volunteer record: their sessions end after twelve hours at most,
# whatever SESSION_COOKIE_AGE allows others.
STAFF_SESSION_SECONDS = 12 * 60 * 60


def client_address(request: HttpRequest) -> str | None:
    """The address that sent the request: an IP address, or None when the socket gives none.

    The socket's peer (REMOTE_ADDR), unless that is one of TRUSTED_PROXIES (and BEHIND_PROXY is on). Then
    X-Forwarded-For is read from the right — each proxy appends the address it saw — past any further
    trusted proxies, and the first address that is not one of them is the client's; the entries left of it
    came from the client and may be made up. A malformed entry on the way (not an IP address) means the
    header cannot be believed, and the socket's address counts.

    Never anything but an IP address: django-axes keeps it in an address column, which PostgreSQL refuses
    anything else for (a forwarded "not-an-ip" made every login a server error). Login throttling and the
    request form's rate limit both ask this one function."""
    peer = _ip(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    if not settings.BEHIND_PROXY or not _trusted(peer):
        return str(peer)
    address = peer
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not _trusted(address):
            break
        forwarded = _ip(entry)
        if forwarded is None:
            return str(peer)
        address = forwarded
    return str(address)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address written alone (no port), normalised: IPv4 for an IPv4-mapped IPv6 address, no zone."""
    text = text.strip()
    if not text.isascii():  # ipaddress reads other scripts' digits as digits
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id:
            return ipaddress.IPv6Address(int(address))
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in values]


@receiver(user_logged_in, dispatch_uid="staff_session_length")
def limit_staff_sessions(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and (user.is_staff or user.is_superuser):
        request.session.set_expiry(min(STAFF_SESSION_SECONDS, settings.SESSION_COOKIE_AGE))
