from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from sessions.notifications.scheduled import send_scheduled
from sessions.planning.term import drafts_to_delete
from sessions.services import recheck_confirmed_visits


class Command(BaseCommand):
    help = (
        "The daily run: first unconfirm any confirmed visit with a volunteer whose clearance lapses before "
        "its date (the coordinators are emailed), then send the emails due today: reminders two days before "
        "a visit, the nudge to file the report the day after, clearance-expiry warnings to coordinators, and "
        "a school's one reminder to give feedback on a visit; last, delete the term planner's drafts older than "
        "TERM_DRAFT_KEEP_DAYS. Running it again sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, date: date | None = None, **options) -> None:
        unconfirmed = recheck_confirmed_visits(today=date)
        self.stdout.write(f"Unconfirmed {unconfirmed} visit(s) whose volunteers' clearance lapses before the date.")
        sent = send_scheduled(today=date)
        self.stdout.write(
            f"Sent {sent['reminders']} visit reminder(s), {sent['report_nudges']} report nudge(s) and "
            f"{sent['clearance_warnings']} clearance warning(s) to volunteers and coordinators; "
            f"{sent['school_reminders']} visit reminder(s) and {sent['feedback_reminders']} feedback reminder(s) "
            "to schools."
        )
        deleted = drafts_to_delete().delete()[1].get("school_sessions.TermDraft", 0)
        self.stdout.write(f"Deleted {deleted} term planner draft(s) older than a week.")
