"""A server process is made ready before its first request (config/warm.py): every view imported and every
template of the project compiled, without touching the database."""

from pathlib import Path

from django.conf import settings
from django.template import engines

from config.warm import TEMPLATE_SUFFIXES, warm


def test_warming_compiles_every_template_of_the_project_and_reads_no_database():
    # No django_db mark: any query here would fail the test (it runs before gunicorn forks its workers).
    folder = Path(settings.BASE_DIR) / "templates"
    ours = [p for p in folder.rglob("*") if p.suffix in TEMPLATE_SUFFIXES and p.is_file()]

    compiled = warm()

    assert compiled == len(ours) > 100
    # Compiled now, so the first request finds them in the cached loader.
    loader = engines["django"].engine.template_loaders[0]
    assert {"base.html", "sessions/planning/dashboard.html"} <= set(loader.get_template_cache)
