"""A fixed-window rate limit in the shared cache: at most `limit` actions an hour for one key (an address,
an address and a page). The cache is shared by every web process (settings.CACHES). Used by every page
anyone may post to without signing in: the request form, the school's own page, the feedback links."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

HOUR = 60 * 60


def _key(scope: str, parts: tuple[str, ...]) -> str:
    # Hashed: a key may hold a credential (a page's token), and cache keys are not secrets' place.
    return f"rate:{scope}:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def limit_reached(scope: str, *parts: str, limit: int) -> bool:
    """Whether `limit` actions were counted for this key in the current hour."""
    return cache.get(_key(scope, parts), 0) >= limit


def count(scope: str, *parts: str) -> int:
    """Count one action for this key; returns the count this hour."""
    key = _key(scope, parts)
    if cache.add(key, 1, timeout=HOUR):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=HOUR)
        return 1
