"""Each visit's stored errors (`error_codes`, `staffing_errors`, `other_errors`) always equal what the rules
say from scratch, whatever happens and in whatever order: Hypothesis drives random sequences of changes to
visits, their lines and teams, volunteers' clearance and unavailable dates, term dates, closures, schools'
ages and session types, through the models as any path (a form, the admin, a service) would, and after
every step compares every visit's stored values with `signal_codes` and `errors()` worked out again, and
every school's stored last visit with its delivered visits."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from schools.factories import SchoolFactory
from schools.models import School, SchoolClosure, TermDate
from schools.term_import import apply_terms, plan_terms
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    UnavailabilityFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, Unavailability, Visit, Volunteer, stored_problems
from sessions.models.problems import STAFFING_CODES
from stats.models import Area

pytestmark = pytest.mark.django_db

# A Tuesday, the next day and a Saturday; three times of day, two of which overlap. Few choices, so that
# volunteers meet on one day and changes cross each other often.
DAYS = [A_SCHOOL_DAY, A_SCHOOL_DAY + timedelta(days=1), date(2027, 3, 6)]
SLOTS = [(time(9, 0), time(10, 30)), (time(10, 0), time(11, 30)), (time(13, 0), time(14, 0))]
AGES = [(4, 11), (4, 7), (7, 11), (None, None)]
DBS_DATES = [A_SCHOOL_DAY - timedelta(days=30), None, date(2023, 1, 1), A_SCHOOL_DAY + timedelta(days=1)]

pick = st.integers(min_value=0, max_value=99)


def stored_equals_worked_out() -> None:
    for visit in Visit.objects.with_signals():
        worked_out = visit.signal_codes
        assert visit.error_codes is not None, f"{visit.pk}: never worked out"
        assert visit.stored_error_codes == worked_out, f"visit {visit.pk} on {visit.date}"
        assert visit.staffing_errors == bool(worked_out & STAFFING_CODES)
        assert visit.other_errors == bool(worked_out - STAFFING_CODES)
        assert visit.stored_error_codes == {problem.code for problem in visit.errors()}
    for school in School.objects.all():
        delivered = [v.date for v in Visit.objects.filter(school=school, status=Visit.Status.DELIVERED)]
        assert school.last_visit_on == max(delivered, default=None), f"school {school.pk}"


class Changes(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each run starts from the same world and leaves nothing behind.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        area = Area.objects.get(code="E23000029")
        self.schools = [SchoolFactory(in_area=area, low_age=4, high_age=11), SchoolFactory(in_area=area, low_age=4,
                                                                                             high_age=7)]
        self.volunteers = [VolunteerFactory(areas=[area]) for _ in range(3)]
        self.types = list(SessionType.objects.filter(slug__in=["assembly-ks1", "assembly-ks2", "workshop-years-5-6"]))
        # Three visits on one morning, two overlapping, each with a line and the same two volunteers.
        self.visits: list[Visit] = []
        for school, (starts, ends) in zip([0, 1, 0], SLOTS, strict=True):
            visit = VisitFactory(school=self.schools[school], date=DAYS[0], starts_at=starts, ends_at=ends)
            VisitSessionFactory(visit=visit, session_type=self.types[school], starts_at=starts, year_groups=[])
            for volunteer, role in zip(self.volunteers, Assignment.Role, strict=False):
                AssignmentFactory(visit=visit, volunteer=volunteer, role=role)
            self.visits.append(visit)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _refused(self, write) -> None:
        """A change the database refuses (a volunteer twice on one visit) changes nothing."""
        try:
            with transaction.atomic():
                write()
        except IntegrityError:
            pass

    def _visit(self, i: int) -> Visit:
        return Visit.objects.get(pk=self.visits[i % len(self.visits)].pk)

    has_visits = precondition(lambda self: bool(self.visits))

    @rule(school=pick, day=st.sampled_from(DAYS), slot=st.sampled_from(SLOTS))
    def add_visit(self, school, day, slot):
        self.visits.append(VisitFactory(school=self.schools[school % 2], date=day, starts_at=slot[0],
                                        ends_at=slot[1]))

    @has_visits
    @rule(visit=pick, kind=pick, years=st.lists(st.integers(0, 6), max_size=3))
    def add_line(self, visit, kind, years):
        visit = self._visit(visit)
        VisitSessionFactory(visit=visit, session_type=self.types[kind % len(self.types)], starts_at=visit.starts_at,
                            year_groups=years)

    @has_visits
    @rule(visit=pick)
    def remove_a_line(self, visit):
        line = self._visit(visit).sessions.first()
        if line:
            line.delete()

    @has_visits
    @rule(visit=pick, volunteer=pick, lead=st.booleans(),
          status=st.sampled_from([Assignment.Status.INVITED, Assignment.Status.ACCEPTED, Assignment.Status.DECLINED]))
    def assign(self, visit, volunteer, lead, status):
        visit, volunteer = self._visit(visit), self.volunteers[volunteer % 3]
        role = Assignment.Role.LEAD if lead else Assignment.Role.SUPPORT
        self._refused(lambda: AssignmentFactory(visit=visit, volunteer=volunteer, role=role, status=status))

    @has_visits
    @rule(visit=pick, answer=st.sampled_from([Assignment.Status.ACCEPTED, Assignment.Status.DECLINED]),
          lead=st.booleans())
    def answer_or_change_role(self, visit, answer, lead):
        assignment = self._visit(visit).assignments.first()
        if assignment:
            assignment.status = answer
            assignment.role = Assignment.Role.LEAD if lead else Assignment.Role.SUPPORT
            assignment.save()

    @has_visits
    @rule(visit=pick)
    def remove_someone(self, visit):
        assignment = self._visit(visit).assignments.last()
        if assignment:
            assignment.delete()

    @has_visits
    @rule(visit=pick, day=st.sampled_from(DAYS), slot=st.sampled_from(SLOTS))
    def move(self, visit, day, slot):
        visit = self._visit(visit)
        visit.date, (visit.starts_at, visit.ends_at) = day, slot
        visit.save()

    @has_visits
    @rule(visit=pick, school=pick)
    def move_to_the_other_school(self, visit, school):
        visit = self._visit(visit)
        visit.school = self.schools[school % 2]
        visit.save()

    @has_visits
    @rule(visit=pick, status=st.sampled_from([Visit.Status.CANCELLED, Visit.Status.PROPOSED, Visit.Status.CONFIRMED,
                                              Visit.Status.DELIVERED]))
    def set_status(self, visit, status):
        visit = self._visit(visit)
        visit.status = status
        visit.save()

    @has_visits
    @rule(visit=pick)
    def delete_visit(self, visit):
        self._visit(visit).delete()
        self.visits.pop(visit % len(self.visits))

    @rule(volunteer=pick, checked=st.sampled_from(DBS_DATES), active=st.booleans(),
          level=st.sampled_from([Volunteer.DbsLevel.ENHANCED_BARRED, Volunteer.DbsLevel.BASIC]))
    def clearance(self, volunteer, checked, active, level):
        volunteer = Volunteer.objects.get(pk=self.volunteers[volunteer % 3].pk)
        volunteer.dbs_checked_on, volunteer.active, volunteer.dbs_level = checked, active, level
        volunteer.save()

    @rule(volunteer=pick, first=st.sampled_from(DAYS), days=st.integers(0, 2))
    def away(self, volunteer, first, days):
        UnavailabilityFactory(volunteer=self.volunteers[volunteer % 3], starts_on=first,
                              ends_on=first + timedelta(days=days))

    @rule(volunteer=pick, later=st.sampled_from([0, 0, 1, -1]))
    def back_or_moved(self, volunteer, later):
        away = Unavailability.objects.filter(volunteer=self.volunteers[volunteer % 3]).first()
        if away and later:
            away.starts_on, away.ends_on = away.starts_on + timedelta(days=later), away.ends_on + timedelta(days=later)
            away.save()
        elif away:
            away.delete()

    @rule(school=pick, first=st.sampled_from(DAYS), kind=st.sampled_from(list(TermDate.Kind)))
    def term_date(self, school, first, kind):
        TermDate.objects.create(local_authority=self.schools[school % 2].local_authority, academic_year=2026,
                                kind=kind, starts_on=first, ends_on=first + timedelta(days=1))

    @rule()
    def term_date_removed(self):
        found = TermDate.objects.filter(local_authority__schools__in=self.schools).first()
        if found:
            found.delete()

    @rule(school=pick, first=st.sampled_from(DAYS), kind=st.sampled_from(list(SchoolClosure.Kind)))
    def closure(self, school, first, kind):
        SchoolClosure.objects.create(school=self.schools[school % 2], kind=kind, starts_on=first, ends_on=first)

    @rule(later=st.sampled_from([0, 0, 1, -1]))
    def closure_moved_or_removed(self, later):
        found = SchoolClosure.objects.filter(school__in=self.schools).first()
        if found and later:
            found.starts_on = found.ends_on = found.starts_on + timedelta(days=later)
            found.save()
        elif found:
            found.delete()

    @rule(school=pick, ages=st.sampled_from(AGES))
    def school_ages(self, school, ages):
        school = self.schools[school % 2]
        school.refresh_from_db()
        school.low_age, school.high_age = ages
        school.save()

    @rule(kind=pick, needed=st.integers(1, 3), oldest=st.sampled_from([7, 9, 11]))
    def session_type_changed(self, kind, needed, oldest):
        session_type = SessionType.objects.get(pk=self.types[kind % len(self.types)].pk)
        session_type.volunteers_needed, session_type.max_age = needed, max(oldest, session_type.min_age + 1)
        session_type.save()

    @invariant()
    def stored_errors_are_the_rules_answer(self):
        stored_equals_worked_out()


def test_stored_errors_always_equal_the_rules_on_random_changes(allow_double_booking):
    allow_double_booking()
    # Fifteen sequences of twenty changes (the same ones every run: the suite's Hypothesis profile derandomizes);
    # each step checks every visit against the rules worked out from scratch, so a sequence costs seconds.
    run_state_machine_as_test(Changes, settings=settings(max_examples=15, stateful_step_count=20))


# Each kind of change at least once, in the order that shows a stale value if its refresh were missing
# (the random sequences above find these too, but not on every run).
EVERY_KIND_OF_CHANGE = {
    "unavailable, then not": [("away", {"volunteer": 0, "first": DAYS[0], "days": 0}),
                              ("back_or_moved", {"volunteer": 0, "later": 0})],
    "unavailable dates moved": [("away", {"volunteer": 1, "first": DAYS[0], "days": 0}),
                                ("back_or_moved", {"volunteer": 1, "later": 1})],
    "a visit moves off a double booking": [("move", {"visit": 0, "day": DAYS[1], "slot": SLOTS[0]})],
    "a visit moves onto one": [("move", {"visit": 2, "day": DAYS[0], "slot": SLOTS[0]})],
    "a visit moves to the other school": [("move_to_the_other_school", {"visit": 1, "school": 0})],
    "cancelled": [("set_status", {"visit": 1, "status": Visit.Status.CANCELLED})],
    "delivered, moved, moved to the other school and deleted": [
        ("set_status", {"visit": 0, "status": Visit.Status.DELIVERED}),
        ("move", {"visit": 0, "day": DAYS[2], "slot": SLOTS[2]}),
        ("move_to_the_other_school", {"visit": 0, "school": 1}),
        ("delete_visit", {"visit": 0})],
    "a delivered visit cancelled": [("set_status", {"visit": 2, "status": Visit.Status.DELIVERED}),
                                    ("set_status", {"visit": 2, "status": Visit.Status.CANCELLED})],
    "deleted": [("delete_visit", {"visit": 0})],
    "someone removed": [("remove_someone", {"visit": 0})],
    "someone declines": [("answer_or_change_role", {"visit": 1, "answer": Assignment.Status.DECLINED,
                                                    "lead": False})],
    "someone added": [("assign", {"visit": 2, "volunteer": 2, "lead": True, "status": Assignment.Status.INVITED})],
    "a line added and removed": [("add_line", {"visit": 0, "kind": 2, "years": [1]}),
                                 ("remove_a_line", {"visit": 0}), ("remove_a_line", {"visit": 0})],
    "clearance lapses and returns": [("clearance", {"volunteer": 0, "checked": None, "active": True,
                                                    "level": Volunteer.DbsLevel.ENHANCED_BARRED}),
                                     ("clearance", {"volunteer": 0, "checked": DBS_DATES[0], "active": True,
                                                    "level": Volunteer.DbsLevel.ENHANCED_BARRED})],
    "half-term added and removed": [("term_date", {"school": 0, "first": DAYS[0], "kind": TermDate.Kind.HALF_TERM}),
                                    ("term_date_removed", {})],
    "a closure added, moved and removed": [("closure", {"school": 1, "first": DAYS[0],
                                                        "kind": SchoolClosure.Kind.CLOSURE}),
                                           ("closure_moved_or_removed", {"later": 1}),
                                           ("closure_moved_or_removed", {"later": 0})],
    "a school's ages": [("add_line", {"visit": 0, "kind": 2, "years": []}),
                        ("school_ages", {"school": 0, "ages": (4, 7)}), ("school_ages", {"school": 0, "ages": (4, 11)})],
    "a session type's ages and team": [("session_type_changed", {"kind": 0, "needed": 3, "oldest": 7})],
}


@pytest.mark.parametrize("steps", EVERY_KIND_OF_CHANGE.values(), ids=EVERY_KIND_OF_CHANGE.keys())
def test_every_kind_of_change_refreshes_what_it_touches(allow_double_booking, steps):
    allow_double_booking()
    machine = Changes()
    try:
        stored_equals_worked_out()
        for name, arguments in steps:
            getattr(machine, name)(**arguments)
            stored_equals_worked_out()
    finally:
        machine.teardown()


def test_bulk_imports_and_the_demo_leave_every_visit_worked_out(thames_valley, planned_visit):
    """The writes that skip model signals: the term-dates import (through its signal), the demo, and
    visits added in bulk before the columns existed (worked out after `migrate`)."""
    visit = planned_visit(thames_valley, volunteers=2)
    assert Visit.objects.get(pk=visit.pk).error_codes == ""
    la = visit.school.local_authority
    plan = plan_terms(
        f"la_code,academic_year,kind,starts_on,ends_on\n{la.code},2026,half_term,{visit.date},{visit.date}\n"
        .encode()
    )
    apply_terms(plan)
    assert Visit.objects.get(pk=visit.pk).stored_error_codes == {"school_holiday"}

    Visit.objects.filter(pk=visit.pk).update(error_codes=None, other_errors=False)
    call_command("migrate", verbosity=0)
    assert Visit.objects.get(pk=visit.pk).stored_error_codes == {"school_holiday"}

    Visit.objects.filter(pk=visit.pk).update(error_codes="", other_errors=False)
    School.objects.filter(pk=visit.school_id).update(last_visit_on=date(2001, 1, 1))  # as a bulk write may leave it
    out = io.StringIO()
    call_command("refresh_problems", stdout=out)
    assert "Worked out the errors of" in out.getvalue()
    assert Visit.objects.get(pk=visit.pk).other_errors
    assert School.objects.get(pk=visit.school_id).last_visit_on is None
    assert stored_problems.refresh([visit.pk]) == 1
