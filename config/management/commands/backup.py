from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from config.backups import backup


class Command(BaseCommand):
    help = "Write a consistent copy of the live database (SQLite online backup, or pg_dump)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="Where to write it (default: backups/<time>.<ext>).")

    def handle(self, *args, path: str | None = None, **options) -> None:
        suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
        target = Path(path) if path else settings.BASE_DIR / "backups" / f"{datetime.now():%Y%m%d-%H%M%S}.{suffix}"
        backup(to=target)
        self.stdout.write(f"Backed up the database to {target}")
