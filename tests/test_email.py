"""Email through Django's real SMTP backend: the sender the settings give is one it will send from
(`manage.py check` refuses one it would not), and the programme's emails reach a mail server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from sessions.factories import AssignmentFactory, VisitFactory, VolunteerFactory

ROOT = Path(__file__).resolve().parent.parent
UNQUOTED = "Speak Out. Stay Safe. <speakout@localhost>"


def manage_py_check(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEFAULT_FROM_EMAIL", "SERVER_EMAIL"}}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_the_default_sender_is_one_djangos_smtp_backend_sends_from():
    result = manage_py_check()

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_manage_py_check_fails_with_the_reason_when_the_sender_cannot_be_sent_from():
    result = manage_py_check(DEFAULT_FROM_EMAIL=UNQUOTED)

    assert result.returncode == 1
    assert "DEFAULT_FROM_EMAIL" in result.stderr and "period in 'phrase'" in result.stderr
    assert '"Speak Out. Stay Safe." <speakout@example.org>' in result.stderr  # the hint shows the quoting


@pytest.mark.parametrize("name", ["DEFAULT_FROM_EMAIL", "SERVER_EMAIL"])
@pytest.mark.parametrize(("address", "reason"), [
    (UNQUOTED, "period in 'phrase'"),
    ("planner@example.org, other@example.org", "must be a single address"),
    ("sïan@example.org", "non-ASCII"),
    ("planner@example.org\nBcc: everyone@example.org", "non-printables"),
])
def test_each_sender_setting_is_checked_and_the_refusal_names_it(settings, name, address, reason):
    setattr(settings, name, address)

    with pytest.raises(SystemCheckError) as refused:
        call_command("check")

    assert f"{name} {address!r} cannot be sent from by Django's SMTP backend" in str(refused.value)
    assert reason in str(refused.value)


@pytest.mark.django_db
def test_an_invitation_from_the_default_sender_reaches_a_real_mail_server(
        smtp_server, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory(user__email="priya@example.org")
    visit = VisitFactory()

    with django_capture_on_commit_callbacks(execute=True):
        AssignmentFactory(visit=visit, volunteer=volunteer)

    [received] = smtp_server.messages
    assert received.rcpt_tos == ["priya@example.org"]
    assert received.mail_from == "speakout@localhost"
    assert received.message["From"] == '"Speak Out. Stay Safe." <speakout@localhost>'
    assert visit.school.name in received.message["Subject"]
    assert visit.school.name in received.text()
