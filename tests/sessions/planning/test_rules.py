"""The set-level twins used by lists agree with the one-visit rules they stand for."""

from datetime import date, time

import pytest

from sessions.factories import AssignmentFactory, UnavailabilityFactory, VolunteerFactory
from sessions.models import SessionType, Visit, Volunteer

pytestmark = pytest.mark.django_db


def listed(visit: Visit) -> Visit:
    return Visit.objects.with_signals().get(pk=visit.pk)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda area, planned_visit: planned_visit(area, volunteers=2), id="fine"),
        pytest.param(lambda area, planned_visit: planned_visit(area, volunteers=2, date=date(2027, 3, 6)), id="weekend"),
        pytest.param(lambda area, planned_visit: planned_visit(area, volunteers=2, date=date(2027, 3, 29)), id="bank holiday"),
        pytest.param(lambda area, planned_visit: planned_visit(area, volunteers=1, date=date(2027, 1, 12)), id="not cleared"),
    ],
)
def test_has_errors_agrees_with_problems(thames_valley, make, planned_visit):
    visit = make(thames_valley, planned_visit)

    assert listed(visit).has_errors == bool(visit.errors())


def test_has_errors_sees_a_double_booking_and_an_unavailable_volunteer(thames_valley, allow_double_booking, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)
    clash = planned_visit(thames_valley, volunteers=2, starts_at=time(10, 0), ends_at=time(11, 0))
    away = planned_visit(thames_valley, volunteers=2, date=date(2027, 3, 10))
    fine = planned_visit(thames_valley, volunteers=2, date=date(2027, 3, 11))
    allow_double_booking()
    double = AssignmentFactory(visit=clash, volunteer=visit.assignments.first().volunteer)
    UnavailabilityFactory(volunteer=away.assignments.first().volunteer, starts_on=date(2027, 3, 9), ends_on=date(2027, 3, 10))

    for each, expected in ((visit, True), (clash, True), (away, True), (fine, False)):
        assert listed(each).has_errors is expected is bool(each.errors())
    double.delete()  # the test's end checks deferred constraints too


def test_has_errors_sees_a_session_unsuitable_for_the_schools_ages(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)
    visit.school.high_age, visit.school.low_age = 6, 4
    visit.school.save()

    assert listed(visit).has_errors is True is bool(visit.errors())


def test_short_of_volunteers_agrees_with_the_understaffed_warning(thames_valley, planned_visit):
    short = planned_visit(thames_valley, volunteers=1)
    full = planned_visit(thames_valley, volunteers=2)

    assert list(Visit.objects.short_of_volunteers()) == [short]
    assert listed(short).is_short_of_volunteers and not listed(full).is_short_of_volunteers
    assert {p.code for p in short.problems()} >= {"understaffed"}


def test_clearance_expiring_agrees_with_the_one_volunteer_rule(thames_valley):
    today = date(2026, 11, 28)
    volunteers = [
        VolunteerFactory(training_on=date(2023, 12, 20)),  # expires 20 December 2026: within 60 days
        VolunteerFactory(training_on=date(2024, 2, 1)),  # 1 February 2027: more than 60 days away
        # On the Update Service, status checked in June: counts until 1 June 2027.
        VolunteerFactory(dbs_checked_on=date(2023, 12, 1), dbs_update_service=True, dbs_status_checked_on=date(2026, 6, 1),
                         training_on=date(2025, 1, 1)),
        VolunteerFactory(dbs_checked_on=date(2023, 12, 1), training_on=date(2025, 1, 1)),  # DBS until 1 Dec 2026
        # On the Update Service, its status check due on 15 December 2026: within 60 days.
        VolunteerFactory(dbs_checked_on=date(2020, 1, 1), dbs_update_service=True, dbs_status_checked_on=date(2025, 12, 15),
                         training_on=date(2025, 1, 1)),
    ]

    found = set(Volunteer.objects.clearance_expiring(within_days=60, today=today))

    assert found == {v for v in volunteers if v.clearance_expires_within(60, today)} == {volunteers[0], volunteers[3], volunteers[4]}


def test_staffing_options_count_only_live_bookings_that_month(thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    volunteer = VolunteerFactory(areas=[thames_valley])
    AssignmentFactory(visit=planned_visit(thames_valley, date=date(2027, 3, 16)), volunteer=volunteer)
    AssignmentFactory(visit=planned_visit(thames_valley, date=date(2027, 4, 6)), volunteer=volunteer)
    AssignmentFactory(visit=planned_visit(thames_valley, date=date(2027, 3, 17), status=Visit.Status.CANCELLED),
                      volunteer=volunteer)

    [option] = visit.staffing_options(Volunteer.objects.filter(pk=volunteer.pk)).options

    assert option.visits_that_month == 1 and option.eligible


def test_a_volunteer_from_another_area_is_ranked_with_the_reason(thames_valley, kent, planned_visit):
    visit = planned_visit(thames_valley)
    outsider = VolunteerFactory(areas=[kent])

    [option] = visit.staffing_options(Volunteer.objects.filter(pk=outsider.pk)).options

    assert option.reasons == ("does not cover Thames Valley",)


def test_the_workshop_session_type_is_used_by_the_dashboard_twin(thames_valley):
    # Guard: the reference session types the twins rely on are loaded.
    assert SessionType.objects.filter(slug="assembly-ks2").exists()
