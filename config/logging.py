"""Structured logs: one JSON object per line on stdout, for the web processes and the task worker.

`JsonFormatter` writes the time, level, logger and message, and any extra fields a caller passed
(`extra={"user_id": …}`). `RequestLogMiddleware` writes one line per request: method, the route's name and
its parameters, status, duration and the user's id — never a name, an address, a query string or the path.

Why never the path: some paths are credentials. A calendar feed's address is its only key, and a
password-reset link holds a one-time token; a reader of the log could replay either. So a request is
described by its route (`portal:feed token=[redacted]`): parameters that are credentials (named like a
token, uidb64, secret, key, password or signature) are redacted, ids and codes are kept, anything else is
left out, and an address that matches no route is `(no route)`. Django's own lines that quote the path
("Not Found: /…", "Forbidden (CSRF …): /…", "Internal Server Error: /…") are rewritten the same way as
they are made (`_scrubbing_record_factory`), and a request passed in `extra=` is written as its route.
"""

from __future__ import annotations

import json
import logging
import re
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

# Attributes every LogRecord has; anything else on a record came from `extra=` and is written out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}

request_logger = logging.getLogger("speakout.request")

REDACTED = "[redacted]"
OMITTED = "[omitted]"
NO_ROUTE = "(no route)"
# Path parameters that are credentials: their values never reach a log.
CREDENTIAL = re.compile(r"token|uidb64|secret|key|password|signature", re.IGNORECASE)
# Values shaped like an id or a code (a primary key, an ONS code, a slug) are logged; free text is not.
ID_LIKE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _resolved(request: HttpRequest):
    """The request's URL match (Django's, or found here when the line is logged before Django resolved it);
    None for an address that matches no route."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return match


def route_of(request: HttpRequest) -> tuple[str, dict[str, object]]:
    """The request's route name and its loggable parameters: ids and codes as they are, credentials redacted,
    anything else omitted. Cached on the request."""
    cached = getattr(request, "_log_route", None)
    if cached is not None:
        return cached
    match = _resolved(request)
    if match is None:
        described: tuple[str, dict[str, object]] = (NO_ROUTE, {})
    else:
        params = {str(i): value for i, value in enumerate(match.args)} | dict(match.kwargs)
        described = (match.view_name or NO_ROUTE, {name: _loggable(name, value) for name, value in params.items()})
    request._log_route = described
    return described


def route_text(request: HttpRequest) -> str:
    """`planning:visit pk=12`, `portal:feed token=[redacted]`, `(no route)`: a request as logs may show it."""
    name, params = route_of(request)
    return " ".join([name, *(f"{key}={value}" for key, value in sorted(params.items()))])


def _loggable(name: str, value: object) -> object:
    if CREDENTIAL.search(name):
        return REDACTED
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return OMITTED
    if isinstance(value, int) or ID_LIKE.fullmatch(value):
        return value
    return OMITTED


def _secrets_of(request: HttpRequest) -> list[tuple[str, str]]:
    """What to replace in any log message made while this request is handled: its path (with and without the
    query string) by its route, and each credential's value by [redacted]. Cached on the request."""
    cached = getattr(request, "_log_secrets", None)
    if cached is not None:
        return cached
    match = _resolved(request)
    credentials = [str(v) for k, v in (match.kwargs.items() if match else ()) if CREDENTIAL.search(k) and v]
    paths = {request.get_full_path(), request.path, request.path_info} - {"", "/"}
    # Django escapes what it logs ("\x00" for a NUL), so each text is also looked for as Django writes it.
    paths |= {_escaped(path) for path in paths}
    replacements = [(path, route_text(request)) for path in sorted(paths, key=len, reverse=True)]
    replacements += [(value, REDACTED) for value in {*credentials, *map(_escaped, credentials)}]
    request._log_secrets = replacements
    return replacements


def _escaped(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")


def _scrubbed(text: str, replacements: list[tuple[str, str]]) -> str:
    for secret, replacement in replacements:
        text = text.replace(secret, replacement)
    return text


# The request being handled in this thread, so that a line logged anywhere while handling it can be
# rewritten without its path. Set by RequestLogMiddleware, cleared when the response is closed (Django
# logs "Not Found: /calendar/<token>.ics" after the last middleware has returned).
_current_request: ContextVar[HttpRequest | None] = ContextVar("speakout_current_request", default=None)
_make_record = logging.getLogRecordFactory()


@receiver(request_finished, dispatch_uid="speakout_log_request_finished")
def _request_finished(sender, **kwargs) -> None:
    _current_request.set(None)


def _scrubbing_record_factory(*args, **kwargs) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    request = _current_request.get()
    if request is None:
        return record
    replacements = _secrets_of(request)
    if isinstance(record.msg, str):
        record.msg = _scrubbed(record.msg, replacements)
    if isinstance(record.args, tuple):
        record.args = tuple(_scrubbed(a, replacements) if isinstance(a, str) else a for a in record.args)
    return record


logging.setLogRecordFactory(_scrubbing_record_factory)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = _json_value(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _json_value(value: object) -> object:
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, HttpRequest):
        return route_text(value)  # never str(request), which holds the path
    if isinstance(value, dict) and all(isinstance(v, (str, int, float, bool, type(None))) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    return str(value)


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started, cpu_started = time.perf_counter(), time.thread_time()
        _current_request.set(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        # The processor time this request's thread spent (in the app and the database driver, not waiting
        # for the database server): what a request costs the machine, beside how long it took.
        cpu_ms = round((time.thread_time() - cpu_started) * 1000, 1)
        route, params = route_of(request)
        request_logger.info(
            "%s %s %s %sms", request.method, route_text(request), response.status_code, duration_ms,
            extra={"method": request.method, "route": route, "params": params, "status": response.status_code,
                   "duration_ms": duration_ms, "cpu_ms": cpu_ms, "user_id": user_id,
                   "htmx": request.headers.get("HX-Request") == "true"},
        )
        if settings.SERVER_TIMING:
            response["Server-Timing"] = f"app;dur={duration_ms}, cpu;dur={cpu_ms}"
        return response
