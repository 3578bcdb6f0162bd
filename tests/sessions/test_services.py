"""Booking volunteers and saving visits: the all-or-nothing operations and their locks."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from sessions import services
from sessions.factories import AssignmentFactory, UserFactory, VolunteerFactory
from sessions.models import Assignment, Visit, VisitSession

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")


def test_assign_volunteer_invites_them(thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    volunteer = VolunteerFactory(areas=[thames_valley])

    assignment = services.assign_volunteer(visit=visit, volunteer=volunteer, role="lead", by=UserFactory())

    assert (assignment.status, assignment.role) == (Assignment.Status.INVITED, "lead")
    assert (assignment.booked_from, assignment.booked_until) == (visit.starts, visit.ends)


def test_a_second_assignment_to_an_overlapping_visit_is_refused_with_a_message(thames_valley, planned_visit):
    first = planned_visit(thames_valley)
    second = planned_visit(thames_valley, starts_at=time(10, 15), ends_at=time(11, 0))
    volunteer = VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[thames_valley])
    services.assign_volunteer(visit=first, volunteer=volunteer, role="lead", by=None)

    with pytest.raises(ValidationError) as refusal:
        services.assign_volunteer(visit=second, volunteer=volunteer, role="lead", by=None)

    assert refusal.value.messages == [
        f"Priya Patel is already at {first.school.name} 09:00–10:30 on 2 March 2027."
    ]
    assert not second.assignments.exists()


def test_back_to_back_visits_do_not_clash(thames_valley, planned_visit):
    first = planned_visit(thames_valley)
    after = planned_visit(thames_valley, starts_at=time(10, 30), ends_at=time(11, 30))
    volunteer = VolunteerFactory(areas=[thames_valley])
    services.assign_volunteer(visit=first, volunteer=volunteer, role="lead", by=None)

    services.assign_volunteer(visit=after, volunteer=volunteer, role="lead", by=None)

    assert volunteer.assignments.count() == 2


def test_a_declined_or_cancelled_booking_leaves_the_volunteer_free(thames_valley, planned_visit):
    volunteer = VolunteerFactory(areas=[thames_valley])
    AssignmentFactory(visit=planned_visit(thames_valley), volunteer=volunteer, status=Assignment.Status.DECLINED)
    AssignmentFactory(visit=planned_visit(thames_valley, status=Visit.Status.CANCELLED), volunteer=volunteer)

    services.assign_volunteer(visit=planned_visit(thames_valley), volunteer=volunteer, role="lead", by=None)

    assert Assignment.objects.active().filter(volunteer=volunteer).count() == 1


def test_a_cancelled_visit_cannot_be_staffed(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, status=Visit.Status.CANCELLED)

    with pytest.raises(ValidationError, match="A cancelled visit cannot be staffed."):
        services.assign_volunteer(visit=visit, volunteer=VolunteerFactory(), role="support", by=None)


def test_a_volunteer_is_on_a_visit_once(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)
    volunteer = visit.assignments.get().volunteer

    with pytest.raises(ValidationError, match="is already on this visit"):
        services.assign_volunteer(visit=visit, volunteer=volunteer, role="support", by=None)


def test_remove_assignment_is_refused_once_the_visit_is_delivered(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1, status=Visit.Status.DELIVERED)

    with pytest.raises(ValidationError, match="cannot be removed from a delivered visit"):
        services.remove_assignment(assignment=visit.assignments.get(), by=None)
    assert visit.assignments.exists()


def test_save_visit_is_all_or_nothing(thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    line = visit.sessions.get()
    line_pk = line.pk
    visit.date = date(2027, 3, 9)
    broken = VisitSession(session_type=line.session_type, starts_at=None, year_groups=[5], pupils=30)

    with pytest.raises(IntegrityError):
        services.save_visit(visit=visit, sessions=[broken], removed=[line], by=None)

    visit.refresh_from_db()
    assert visit.date == date(2027, 3, 2) and list(visit.sessions.values_list("pk", flat=True)) == [line_pk]


def test_moving_a_visit_keeps_its_volunteers_booked_time_in_step(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)
    visit.starts_at, visit.ends_at = time(13, 0), time(14, 0)

    services.save_visit(visit=visit, sessions=[], by=None)

    assert {a.booked_from for a in visit.assignments.all()} == {visit.starts}


def test_a_declined_assignment_books_nothing(thames_valley, planned_visit):
    assignment = AssignmentFactory(visit=planned_visit(thames_valley), status=Assignment.Status.INVITED)

    assignment.decline(today=date(2027, 1, 1))

    assignment.refresh_from_db()
    assert assignment.booked_from is None and assignment.booked_until is None


@on_postgresql
def test_the_database_refuses_a_double_booking_that_gets_past_the_check(thames_valley, planned_visit):
    volunteer = VolunteerFactory(areas=[thames_valley])
    AssignmentFactory(visit=planned_visit(thames_valley), volunteer=volunteer)

    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(visit=planned_visit(thames_valley, starts_at=time(10, 0), ends_at=time(11, 0)), volunteer=volunteer)


@on_postgresql
def test_the_databases_refusal_becomes_a_message_not_an_error(thames_valley, monkeypatch, planned_visit):
    volunteer = VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[thames_valley])
    AssignmentFactory(visit=planned_visit(thames_valley), volunteer=volunteer)
    second = planned_visit(thames_valley, starts_at=time(10, 0), ends_at=time(11, 0))
    # As if another coordinator's booking landed between the check and the insert.
    monkeypatch.setattr(Assignment.objects.__class__, "clashes_with", lambda self, *a, **k: Assignment.objects.none())

    with pytest.raises(ValidationError, match="Priya Patel was booked for another visit at this time a moment ago"):
        services.assign_volunteer(visit=second, volunteer=volunteer, role="lead", by=None)
