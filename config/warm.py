"""Make a new server process ready before its first request.

Django imports the URL configuration, and with it every view, on the first request a process answers, and
compiles each template the first time it is rendered. In the load test (docs/benchmarks.md) each gunicorn
worker's first pages cost 0.5–0.75 s of processor time, and the requests queued behind them made most of
the slowest 5%. `warm()` does that work when the process starts (in gunicorn's master, before the workers
fork: `preload_app` in config/gunicorn.py). It reads no database.
"""

from __future__ import annotations

from pathlib import Path

from django.template import engines
from django.urls import get_resolver

TEMPLATE_SUFFIXES = (".html", ".txt", ".ics", ".xml")


def warm() -> int:
    """Import every view and compile every template of the project; returns how many templates."""
    get_resolver().url_patterns  # noqa: B018 — reading it imports every URL configuration and view
    engine = engines["django"].engine
    compiled = 0
    for folder in map(Path, engine.dirs):
        for path in sorted(folder.rglob("*")):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                engine.get_template(path.relative_to(folder).as_posix())
                compiled += 1
    return compiled
