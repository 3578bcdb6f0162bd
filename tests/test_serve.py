"""`make serve`'s processes as a person would run them: gunicorn and the task worker from bin/serve, on a
real port, serving /healthz and hashed, compressed static files with long cache headers, logging one
JSON object per line, sending email through a real SMTP server (a local one here), and stopping both
processes on SIGTERM."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="bin/serve is a bash script for Linux servers"),
    # These servers use a SQLite file of their own whatever database the suite runs on: the SQLite suite runs
    # them, and the PostgreSQL suite would only run the same again.
    pytest.mark.skipif(connection.vendor != "sqlite",
                       reason="the same servers on the same SQLite file run in the SQLite suite"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def production_env(database: Path, static: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "a-test-key-" + "x" * 50,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_ROOT": str(static),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL", "TRUSTED_PROXIES", "LOG_LEVEL"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> tuple[Path, Path]:
    """A migrated database and collected static files, as a deploy leaves them: made once for this module's
    servers (about twenty seconds of work), each of which starts from its own copy of the database."""
    folder = tmp_path_factory.mktemp("deployed")
    database, static = folder / "serve.sqlite3", folder / "static"
    env = production_env(database, static)
    for command in (["migrate", "--no-input"], ["createcachetable"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return database, static


@pytest.fixture
def served(tmp_path, smtp_sink, deployed):
    database, static = deployed
    shutil.copyfile(database, tmp_path / "serve.sqlite3")
    port = free_port()
    env = {
        **production_env(tmp_path / "serve.sqlite3", static),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PY": sys.executable,
        # A mail server on this machine, speaking plain SMTP; links in emails point at this server.
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_sink.port),
        "EMAIL_USE_TLS": "false",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get(base + "/healthz")
            break
        except OSError:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.2)
    yield base, process, env
    if process.poll() is None:  # the test stopped early: stop the pair as a person would, then make sure
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_production_server_serves_health_and_hashed_compressed_static_files_and_stops_cleanly(served):
    base, process, _ = served

    status, _, body = get(base + "/healthz")
    assert status == 200 and json.loads(body)["database"] == "ok"

    _, _, page = get(base + "/accounts/login/")
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.decode()).group(1)
    status, headers, _ = get(base + css, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]

    os.killpg(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=40)
    assert process.returncode == 0
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    requests = [r for r in records if r["logger"] == "speakout.request"]
    assert {"method": "GET", "route": "healthz", "status": 200} in [
        {k: r[k] for k in ("method", "route", "status")} for r in requests]
    assert all("duration_ms" in r and "user_id" in r for r in requests)
    assert any(r["logger"].startswith("gunicorn") for r in records)
    # The signal to the whole group reaches the worker once (through bin/serve): a second one would tell it
    # to abandon the task it is running, and, arriving while it exits, printed a traceback that is not JSON.
    assert not any("terminating current task" in r["message"] for r in records)


# --- Email in production: the worker sends through a real SMTP server


class Browser:
    """Cookies kept between requests, redirects not followed (to see where each one points)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect)

    def request(self, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as answer:  # a redirect or an error status: still an answer
            return answer.code, dict(answer.headers), answer.read().decode()

    def post_form(self, path: str, form: dict) -> tuple[int, dict, str]:
        _, _, page = self.request(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(path, {"csrfmiddlewaretoken": token, **form})


def wait_for(messages: list, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(messages) < count:
        assert time.monotonic() < deadline, f"{len(messages)} of {count} emails arrived within {seconds} s"
        time.sleep(0.2)


CREATE_VOLUNTEER_AND_INVITE = """
from sessions.factories import AssignmentFactory, VisitFactory, VolunteerFactory
volunteer = VolunteerFactory(user__username="priya", user__email="priya@example.org")
visit = VisitFactory(school__name="Hawthorn Primary")
AssignmentFactory(visit=visit, volunteer=volunteer)  # invites the volunteer: the worker sends the email
"""


def test_in_production_the_worker_sends_an_invitation_and_a_password_reset_that_arrive_and_work(served, smtp_sink):
    base, process, env = served
    subprocess.run([sys.executable, "manage.py", "load_reference_data"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", CREATE_VOLUNTEER_AND_INVITE], cwd=ROOT, env=env,
                   check=True, capture_output=True)

    wait_for(smtp_sink.messages, 1)
    [invitation] = smtp_sink.messages
    assert invitation.rcpt_tos == ["priya@example.org"]
    assert invitation.message["From"] == '"Speak Out. Stay Safe." <speakout@localhost>'
    assert "Hawthorn Primary" in invitation.message["Subject"]

    browser = Browser(base)
    status, headers, _ = browser.post_form("/accounts/password_reset/", {"email": "priya@example.org"})
    assert (status, headers["Location"]) == (302, "/accounts/password_reset/done/")
    wait_for(smtp_sink.messages, 2)
    reset = smtp_sink.messages[1]
    assert reset.rcpt_tos == ["priya@example.org"] and "Set a new password" in reset.message["Subject"]
    link = re.search(rf"{re.escape(base)}(/accounts/reset/\S+/)", reset.text()).group(1)

    status, headers, _ = browser.request(link)
    assert status == 302 and headers["Location"].endswith("/set-password/")
    new = "mill lane ferry kettle 2027"
    status, headers, _ = browser.post_form(headers["Location"], {"new_password1": new, "new_password2": new})
    assert (status, headers["Location"]) == (302, "/accounts/reset/done/")
    status, headers, _ = browser.post_form("/accounts/login/", {"username": "priya", "password": new})
    assert (status, headers["Location"]) == (302, "/")

    os.killpg(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=40)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in output  # item 3: the reset link never reaches the log
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert {"route": "password_reset_confirm", "params": {"uidb64": "[redacted]", "token": "[redacted]"},
            "status": 302} in [{k: r.get(k) for k in ("route", "params", "status")} for r in records]
