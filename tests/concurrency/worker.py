"""Coordinators (or volunteers), each in their own process, for the concurrency tests: each signs in, waits
for the start signal, then posts one request through the whole stack (middleware, view, service,
database); what came back is printed as JSON, one result per request, in the order asked.

    python tests/concurrency/worker.py <start-file> <folder> <json: [[user-id, url, data], ...]>

This process sets Django up once and then forks one process per request, so each has its own database
connection and runs at the same time as the others without paying for its own start-up (twenty fresh
interpreters cost more than the requests they make). A process touches `<folder>/ready-<n>` when it has
signed in; the test then creates the start file. The database is the test's: DATABASE_SETTINGS (JSON)
replaces the default connection's settings.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def one_request(start: Path, ready: Path, answer: Path, user_id: int, url: str, data: dict) -> None:
    """In a forked process: sign in, say so, wait for the start, post, and write what came back."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415 — after django.setup() in main()
    from django.db import connections  # noqa: PLC0415 — after django.setup() in main()
    from django.test import Client  # noqa: PLC0415 — after django.setup() in main()

    try:
        client = Client()
        client.force_login(get_user_model().objects.get(pk=user_id))
        ready.touch()
        deadline = time.monotonic() + 120
        while not start.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("no start signal")
            time.sleep(0.002)
        response = client.post(url, data, headers={"HX-Request": "true"})
        result = {"status": response.status_code, "body": response.content.decode()}
    except Exception as error:  # noqa: BLE001  (reported to the test, which fails on it)
        result = {"status": "exception", "body": f"{type(error).__name__}: {error}"}
        ready.touch()
    finally:
        # Hang up now, so the test database is free to drop at the end of the run.
        connections.close_all()
    answer.write_text(json.dumps(result))


def main() -> None:
    start, folder, requests = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    from django.conf import settings  # noqa: PLC0415 — the settings module is named above

    settings.DATABASES["default"].update(json.loads(os.environ["DATABASE_SETTINGS"]))
    import django  # noqa: PLC0415 — set up only once the database is the test's

    django.setup()
    from django.db import connections  # noqa: PLC0415 — after django.setup()
    from django.urls import get_resolver  # noqa: PLC0415 — after django.setup()

    get_resolver().url_patterns  # import every view once, here, rather than in each process
    connections.close_all()  # no connection is shared across the fork: each process opens its own

    children = []
    for n, (user_id, url, data) in enumerate(requests):
        pid = os.fork()
        if pid == 0:
            try:
                one_request(start, folder / f"ready-{n}", folder / f"answer-{n}", user_id, url, data)
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    answers = []
    for n in range(len(requests)):
        answer = folder / f"answer-{n}"
        answers.append(json.loads(answer.read_text()) if answer.exists()
                       else {"status": "exception", "body": "the process wrote no answer"})
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
