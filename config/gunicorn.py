"""gunicorn settings for `make serve` and the sample Procfile/systemd units: `gunicorn -c config/gunicorn.py`.

Workers: WEB_CONCURRENCY if set, else two per core plus one (capped at 12): the app's requests wait on
the database, so a core can keep two busy. Logs go to stdout as JSON lines like the app's own; the
request line comes from the app (config/logging.py: it knows the user), so gunicorn's access log is off.
"""

import os

from config.env import env_log_level
from config.logging import JsonFormatter  # noqa: F401  (checked importable before workers start)

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 12))
# Several requests of one page (htmx fragments) in flight per worker without threads' overhead elsewhere.
threads = int(os.environ.get("WEB_THREADS", "2"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))  # a session pack renders in about a second
graceful_timeout = 20
# The app is loaded, its views imported and its templates compiled once, in the master, before the workers
# fork (config/warm.py): a new or recycled worker answers its first request as fast as its thousandth.
preload_app = True
max_requests = 2000  # recycle workers now and then, with jitter so they do not all restart together
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = env_log_level("LOG_LEVEL", "INFO").lower()  # the app's rule: any case, a known level
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}


def pre_fork(server, worker) -> None:
    """No database connection crosses a fork: a worker opens its own (the master should hold none)."""
    from django.db import connections  # noqa: PLC0415 — Django is set up by the preloaded app

    connections.close_all()
