from django.core.management.base import BaseCommand
from django.db.models import Q

from sessions.models import stored_problems


class Command(BaseCommand):
    help = (
        "Work out every visit's stored errors (the dashboard's and calendar's marks) and every school's last "
        "visit again: after changing "
        "the DBS settings, or after writing to the database outside the app. Safe to run at any time."
    )

    def handle(self, *args, **options) -> None:
        count = stored_problems.refresh(Q())
        schools = stored_problems.refresh_last_visits(Q())
        self.stdout.write(f"Worked out the errors of {count:,} visits and the last visit of {schools:,} schools.")
