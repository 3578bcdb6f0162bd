from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from sessions.notifications.scheduled import send_scheduled


class Command(BaseCommand):
    help = (
        "Send the emails due today: reminders two days before a visit, the nudge to file the report the "
        "day after, and clearance-expiry warnings to coordinators. Run daily; running it again sends "
        "nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, date: date | None = None, **options) -> None:
        sent = send_scheduled(today=date)
        self.stdout.write(
            f"Sent {sent['reminders']} visit reminder(s), {sent['report_nudges']} report nudge(s) and "
            f"{sent['clearance_warnings']} clearance warning(s)."
        )
