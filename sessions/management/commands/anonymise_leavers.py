from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from sessions.retention import anonymise_leavers, retention_cut_off


class Command(BaseCommand):
    help = (
        "Anonymise volunteers who left more than VOLUNTEER_RETENTION_YEARS ago: their personal values go from "
        "the live and history tables, their visits and assignments stay. All or nothing; run daily; running it "
        "again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Say how many would be anonymised; change nothing.")
        parser.add_argument("--date", type=date.fromisoformat, help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run: bool = False, date: date | None = None, **options) -> None:
        count = anonymise_leavers(date, dry_run=dry_run)
        cut_off = retention_cut_off(date or timezone.localdate())
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{count} volunteer(s) who left before {cut_off:%-d %B %Y} "
            f"({settings.VOLUNTEER_RETENTION_YEARS}-year retention) {verb} anonymised."
        )
