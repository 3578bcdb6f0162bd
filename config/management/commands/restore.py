from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backups import NotABackup, check_backup, restore


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by `manage.py backup`."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The backup file.")
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path: str, no_input: bool, **options) -> None:
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No backup file at {source}")
        try:
            check_backup(source)  # before asking: a file that cannot be restored is said so at once
            if not no_input and input(f"Replace ALL data with {source}? Type 'yes': ").strip() != "yes":
                raise CommandError("Restore cancelled; nothing changed.")
            restore(source=source)
        except NotABackup as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(f"Restored the database from {source}")
