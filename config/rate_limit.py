"""A fixed-window rate limit in the shared cache: at most `limit` actions an hour for one key (an address,
an address and a page). The cache is shared by every web process (settings.CACHES)."""

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


def count(scope: str, *parts: str) -> None:
    key = _key(scope, parts)
    if not cache.add(key, 1, timeout=HOUR):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=HOUR)
