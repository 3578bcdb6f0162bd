from django.core.management.base import BaseCommand, CommandError, CommandParser

from schools.models import School
from sessions.demo import DEMO_LOGINS, DemoError, seed_demo
from sessions.packs import ahead


class Command(BaseCommand):
    help = (
        "Build a believable demo programme (schools, contacts, volunteers, coordinators, visits in every "
        "status, some with problems) and the demo logins. The same seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument("--schools", type=int, default=300, help="Number of schools (default 300).")
        parser.add_argument("--volunteers", type=int, default=80, help="Number of volunteers (default 80).")
        parser.add_argument("--visits", type=int, default=300, help="Number of visits (default 300).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database already has schools (for make run)."
        )

    def handle(self, *args, **options) -> None:
        with ahead.paused():  # the demo's packs are built on first download: no worker need be running
            self._seed(**options)

    def _seed(self, **options) -> None:
        if options["if_empty"]:
            existing = School.objects.count()
            if existing:
                self.stdout.write(f"The database already has {existing:,} schools: no demo data added.")
                return
        try:
            builder = seed_demo(
                seed=options["seed"],
                schools=options["schools"],
                volunteers=options["volunteers"],
                visits=options["visits"],
                log=self.stdout.write if options["verbosity"] > 1 else (lambda line: None),
            )
        except DemoError as error:
            raise CommandError(str(error)) from error

        counts = builder.counts
        self.stdout.write(self.style.SUCCESS(f"Demo programme built (seed {options['seed']}):"))
        for what in (
            "schools", "closed schools", "Welsh-medium schools", "school contacts", "coordinators", "volunteers",
            "volunteers cleared today", "volunteers whose clearance expires within 60 days",
            "volunteers on the DBS Update Service", "unavailable periods", "visits", "session lines",
            "assignments", "visit reports", "requests with the form's answers", "schools' own INSET days",
            "requests added to a visit as a note",
            "visits the school agreed to", "visits cancelled and rebooked",
        ):
            self.stdout.write(f"  {counts[what]:>9,} {what}")
        statuses = ", ".join(
            f"{counts['visits ' + status]:,} {status}"
            for status in ("requested", "proposed", "confirmed", "delivered", "cancelled")
        )
        self.stdout.write(f"  visits by status: {statuses}")
        self.stdout.write("Visits in Thames Valley built with problems for a coordinator to see:")
        for featured in builder.featured:
            visit = featured.visit
            codes = ", ".join(sorted({problem.code for problem in visit.problems()})) or "none"
            self.stdout.write(f"  {visit.date:%a %-d %b %Y} {visit.school.name}: {featured.label} ({codes})")
        names = ", ".join(login.username for login in DEMO_LOGINS)
        self.stdout.write(f"Demo logins ({names}): run `python manage.py demo_logins` for the password.")
