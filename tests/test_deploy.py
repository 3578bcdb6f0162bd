"""The production configuration: environment variables only."""

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

ROOT = Path(__file__).resolve().parent.parent


def run(code: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_the_deployment_checks_pass_with_only_debug_secret_key_and_hosts_set():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="planner.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_production_server_refuses_to_start_without_a_secret_key():
    result = run(["-c", "import config.wsgi"], DEBUG="false", ALLOWED_HOSTS="planner.example.org")

    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment" in result.stderr


@pytest.mark.django_db
def test_health_reports_the_database_and_task_queue_without_secrets(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "tasks": {"status": "ok", "queue": "runs tasks in the web process"}}


@pytest.mark.django_db
def test_health_says_stalled_when_queued_tasks_wait_too_long(client, monkeypatch):

    # As in production: the database queue, with no worker taking its tasks.
    monkeypatch.setattr("config.views.task_backends", {"default": DatabaseBackend("default", {})})
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="sessions.tasks.example",
        backend_name="default",
        run_after=timezone.now() - timedelta(minutes=20),
        queue_name="default",
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=20))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["tasks"]["status"] == "stalled"
    assert response.json()["tasks"]["waiting"] == 1
