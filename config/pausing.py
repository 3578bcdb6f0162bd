"""A switch that turns a group of signal handlers off while a bulk write runs, for this thread only: the
bulk write (an import, the demo) then does once, at its end, what the handlers would have done row by row.
Used by sessions/packs/ahead.py (packs built in the background) and sessions/models/stored_problems.py (each
visit's stored errors)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Pause:
    def __init__(self) -> None:
        self._state = threading.local()

    @property
    def on(self) -> bool:
        """Whether the handlers are paused now, in this thread."""
        return getattr(self._state, "paused", False)

    @contextmanager
    def __call__(self) -> Iterator[None]:
        before = self.on
        self._state.paused = True
        try:
            yield
        finally:
            self._state.paused = before
