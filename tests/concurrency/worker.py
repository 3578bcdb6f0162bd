"""One coordinator in their own process, for the concurrency tests: signs in, waits for the start signal,
then posts one request through the whole stack (middleware, view, service, database) and prints what
came back as JSON.

    python tests/concurrency/worker.py <start-file> <ready-file> <user-id> <url> <json-data>

The database is the test's: DATABASE_SETTINGS (JSON) replaces the default connection's settings.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    start, ready, user_id, url, data = sys.argv[1:6]
    from django.conf import settings

    settings.DATABASES["default"].update(json.loads(os.environ["DATABASE_SETTINGS"]))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    Path(ready).touch()
    deadline = time.monotonic() + 120
    while not Path(start).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.002)
    try:
        response = client.post(url, json.loads(data), headers={"HX-Request": "true"})
        result = {"status": response.status_code, "body": response.content.decode()}
    except Exception as error:  # noqa: BLE001  (reported to the test, which fails on it)
        result = {"status": "exception", "body": f"{type(error).__name__}: {error}"}
    finally:
        # Hang up now rather than at exit, so the test database is free to drop at the end of the run.
        from django.db import connections

        connections.close_all()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
