"""Builds the demo programme: believable schools, volunteers, coordinators and visits.

Used by `manage.py seed_demo`. Everything is built with the factories the tests use (`.build()`,
then `bulk_create` in batches), so a national-scale data set (20,000 schools, 3,000 volunteers,
100,000 visits) takes minutes, not hours: no per-object saves or queries in the big loops, and
passwords are hashed only for the fixed demo logins.

The same seed gives the same data (all choices come from one seeded random generator, and Faker
shares factory-boy's seeded one: see context.py), as long as the parts below run in this order.
Dates are relative to today, so the demo always looks current. Secrets (calendar tokens, unusable
password markers) are fresh on every run, as they must be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config import planner_statistics
from sessions.models import stored_problems

from .context import Demo, DemoError
from .featured import FEATURED_VISITS, Featured, build_featured_visits, reserve_schools
from .logins import make_demo_logins
from .people import build_coordinators, build_volunteers, leads_may_lead
from .reference import NATIONAL_FROM, load_reference
from .requests import build_request_answers
from .school_side import build_school_answers
from .schools import build_schools, build_term_dates, open_schools_by_force
from .term_draft import build_term_draft
from .visits import VisitPlanner

MIN_SCHOOLS, MIN_VOLUNTEERS = 20, 15


class DemoBuilder:
    def __init__(self, *, seed: int, schools: int, volunteers: int, visits: int, today: date | None = None,
                 log: Callable[[str], None] = lambda line: None) -> None:
        if schools < MIN_SCHOOLS:
            raise DemoError(f"The demo needs at least {MIN_SCHOOLS} schools (asked for {schools}).")
        if volunteers < MIN_VOLUNTEERS:
            raise DemoError(f"The demo needs at least {MIN_VOLUNTEERS} volunteers (asked for {volunteers}).")
        if visits < 0:
            raise DemoError("The number of visits cannot be negative.")
        self.seed, self.n_schools, self.n_volunteers, self.n_visits = seed, schools, volunteers, visits
        self.today = today or timezone.localdate()
        self.demo = Demo(seed=seed, today=self.today, log=log)
        self.counts: Counter[str] = self.demo.counts
        self.featured: list[Featured] = []

    def build(self) -> Counter[str]:
        demo = self.demo
        # The visits' stored errors and the schools' last visits are worked out once, at the end, rather than
        # on every save.
        with transaction.atomic(), stored_problems.paused():
            reference = load_reference(national=self.n_schools >= NATIONAL_FROM)
            demo.log(f"Building the demo programme (seed {self.seed}) for {self.today:%-d %B %Y}…")
            people = make_demo_logins(demo, reference)
            schools = build_schools(demo, reference, self.n_schools)
            build_term_dates(demo, reference)
            demo.log(f"  {self.counts['schools']:,} schools")
            coordinator_for = build_coordinators(demo, reference, people.coordinator)
            volunteers = build_volunteers(demo, reference, self.n_volunteers, people.volunteer)
            demo.log(f"  {self.counts['volunteers']:,} volunteers")
            schools_by_force = open_schools_by_force(schools)
            reserved = reserve_schools(schools_by_force)
            planner = VisitPlanner(demo, reference, schools_by_force=schools_by_force,
                                   coordinator_for=coordinator_for, volunteers=volunteers)
            planner.build_visits(max(0, self.n_visits - FEATURED_VISITS), {s.nation for s in schools},
                                 people.volunteer)
            self.featured = build_featured_visits(planner, reserved, people.volunteer)
            build_request_answers(demo)
            self.featured += build_school_answers(demo, self.featured)
            self.counts["volunteers who may lead"] = leads_may_lead()
            build_term_draft(demo, people.coordinator)
            stored_problems.refresh(Q())
            stored_problems.refresh_last_visits(Q())
        return self.counts


def seed_demo(*, seed: int = 2026, schools: int = 300, volunteers: int = 80, visits: int = 300,
              today: date | None = None, log: Callable[[str], None] = lambda line: None) -> DemoBuilder:
    """Build the demo programme in one transaction and return the builder (counts, featured visits); then
    refresh the database's planner statistics (config/planner_statistics.py).

    Side effects: creates or resets the fixed demo logins (with DEMO_PASSWORD) and the "Data entry",
    "Coordinators" and "Volunteers" groups; adds schools, contacts, coordinators, volunteers,
    unavailability and visits with their lines, assignments, reports and status history.
    """
    builder = DemoBuilder(seed=seed, schools=schools, volunteers=volunteers, visits=visits, today=today, log=log)
    builder.build()
    planner_statistics.refresh()
    return builder
