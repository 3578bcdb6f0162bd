"""Logs (config/logging.py): one JSON line per request naming the route and its ids instead of the path,
and no log line anywhere — ours, Django's, at any level — carrying a calendar-feed or password-reset token."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.env import env_log_level
from config.logging import JsonFormatter
from sessions.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PLAIN = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")  # LOG_FORMAT=plain


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_log_record():
    """Every record any logger makes during the test, whatever its level (every logger is turned up to DEBUG)."""
    keep = Keep()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(keep)
    yield keep.records
    for logger in loggers:
        logger.setLevel(levels[logger])
        logger.removeHandler(keep)


def written(records: list[logging.LogRecord]) -> str:
    """The records as production writes them: JSON lines (with every extra field) and plain lines."""
    json_formatter = JsonFormatter()
    return "\n".join(f"{json_formatter.format(r)}\n{PLAIN.format(r)}" for r in records)


def request_lines(records: list[logging.LogRecord]) -> list[dict]:
    return [json.loads(JsonFormatter().format(r)) for r in records if r.name == "speakout.request"]


# --- the request line


def test_the_request_line_names_the_route_and_its_ids_not_the_path(coordinator_client, every_log_record, planned_visit):
    visit = planned_visit(coordinator_client.area)

    coordinator_client.get(f"/visits/{visit.pk}/?note=private")

    [line] = request_lines(every_log_record)
    assert (line["method"], line["route"], line["params"], line["status"]) == (
        "GET", "planning:visit", {"pk": visit.pk}, 200)
    assert line["user_id"] == coordinator_client.coordinator.user.pk
    assert line["message"].startswith(f"GET planning:visit pk={visit.pk} 200 ")
    assert "path" not in line and "/visits/" not in line["message"]


def test_the_request_line_gives_the_processor_time_and_server_timing_only_when_asked(
        coordinator_client, every_log_record, settings):
    coordinator_client.get("/plan/")
    [line] = request_lines(every_log_record)
    assert 0 <= line["cpu_ms"] <= line["duration_ms"] + 1
    assert "Server-Timing" not in coordinator_client.get("/plan/")  # off by default: it tells anyone the cost

    settings.SERVER_TIMING = True
    timing = coordinator_client.get("/plan/")["Server-Timing"]
    assert re.fullmatch(r"app;dur=[0-9.]+, cpu;dur=[0-9.]+", timing)
    from bench.loadtest import server_cpu_ms  # noqa: PLC0415 — the load test's reader of the same header

    assert server_cpu_ms(timing) == float(timing.rsplit("=", 1)[1]) and server_cpu_ms("app;dur=3") is None


def test_a_calendar_feeds_token_is_redacted_from_the_request_line(client, every_log_record):
    volunteer = VolunteerFactory()

    client.get(f"/calendar/{volunteer.calendar_token}.ics")

    [line] = request_lines(every_log_record)
    assert (line["route"], line["params"], line["status"]) == ("portal:feed", {"token": "[redacted]"}, 200)


def test_an_address_that_matches_no_route_is_logged_with_a_placeholder(client, every_log_record):
    client.get("/no-such-page/a-secret-typed-here/")

    [line] = request_lines(every_log_record)
    assert (line["route"], line["params"], line["status"]) == ("(no route)", {}, 404)
    assert "secret" not in written(every_log_record)


# --- no secret in any log line


def reset_link(user) -> tuple[str, str, str]:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"/accounts/reset/{uid}/{token}/", uid, token


def test_no_log_line_holds_a_calendar_feeds_token_whatever_the_answer(every_log_record, monkeypatch, settings):
    volunteer = VolunteerFactory()
    token = volunteer.calendar_token
    feed = f"/calendar/{token}.ics"
    client = Client(raise_request_exception=False)

    assert client.get(feed).status_code == 200
    assert client.get(f"/calendar/{token[:-1]}x.ics").status_code == 404  # an old or mistyped address
    assert client.get(feed, HTTP_HOST="attacker.example").status_code == 400  # logged by django.security
    monkeypatch.setattr("sessions.portal.views.feed_for_token", lambda token: 1 / 0)
    assert client.get(feed).status_code == 500  # logged by django.request, with the traceback

    assert len(request_lines(every_log_record)) == 4
    assert token not in written(every_log_record)
    assert token[:-1] not in written(every_log_record)


def test_no_log_line_holds_a_password_reset_token_or_the_accounts_id(every_log_record):
    volunteer = VolunteerFactory()
    link, uid, token = reset_link(volunteer.user)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    set_password = client.get(link)
    assert set_password.url == f"/accounts/reset/{uid}/set-password/"
    assert "Set a new password" in client.get(set_password.url).content.decode()
    assert client.post(link, {"new_password1": "x", "new_password2": "x"}).status_code == 403  # django.security.csrf
    assert client.get(link.rstrip("/")).status_code in (301, 404)  # the link without its last slash

    lines = written(every_log_record)
    assert len(request_lines(every_log_record)) == 4
    assert token not in lines
    assert re.search(rf"\b{re.escape(uid)}\b", lines) is None
    assert "password_reset_confirm token=[redacted] uidb64=[redacted]" in lines


def test_a_path_django_escapes_as_it_logs_it_is_rewritten_too(client, every_log_record):
    client.get("/calendar/s%C3%A9cret-%00-token.ics")  # Django writes "Not Found: /calendar/s\\xe9cret-\\x00-token.ics"

    lines = written(every_log_record)
    assert "cret-" not in lines
    assert "Not Found: " in lines


# --- LOG_LEVEL


def manage_py_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("level", "read"), [("info", "INFO"), ("Warning", "WARNING"), (" DEBUG ", "DEBUG"),
                                           ("error", "ERROR"), ("", "INFO")])
def test_a_log_level_in_any_case_is_read_as_logging_wants_it(monkeypatch, level, read):
    monkeypatch.setenv("LOG_LEVEL", level)

    assert env_log_level("LOG_LEVEL", "INFO") == read


def test_the_app_starts_with_both_log_levels_in_any_case():
    """The settings read both levels by that rule (one start of the app: each costs seconds)."""
    result = manage_py_check(LOG_LEVEL=" debug ", REQUEST_LOG_LEVEL="Warning")

    assert result.returncode == 0, result.stderr


def test_an_unknown_log_level_stops_the_app_with_the_levels_it_could_be():
    result = manage_py_check(LOG_LEVEL="loud")

    assert result.returncode != 0
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL (in any case), not 'loud'" in result.stderr


def test_gunicorn_reads_the_log_level_by_the_same_rule():
    code = "import runpy; print(runpy.run_path('config/gunicorn.py')['loglevel'])"
    result = subprocess.run([sys.executable, "-c", code],
                            cwd=ROOT, env={**os.environ, "LOG_LEVEL": "Warning"}, capture_output=True, text=True)

    assert result.stdout.strip() == "warning", result.stderr


def test_gunicorn_refuses_an_unknown_log_level_with_the_same_message():
    result = subprocess.run([sys.executable, "-c", "import runpy; runpy.run_path('config/gunicorn.py')"],
                            cwd=ROOT, env={**os.environ, "LOG_LEVEL": "loud"}, capture_output=True, text=True)

    assert result.returncode != 0
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL (in any case), not 'loud'" in result.stderr
