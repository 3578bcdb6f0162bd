"""`make serve`'s processes as a person would run them: gunicorn and the task worker from bin/serve, on a
real port, serving /healthz and hashed, compressed static files with long cache headers, logging one
JSON object per line, and stopping both processes on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="bin/serve is a bash script for Linux servers")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SECRET_KEY": "a-test-key-" + "x" * 50,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PY": sys.executable,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (["migrate", "--no-input"], ["createcachetable"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
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
    yield base, process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


def test_the_production_server_serves_health_and_hashed_compressed_static_files_and_stops_cleanly(served):
    base, process = served

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
