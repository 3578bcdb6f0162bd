from datetime import date, time

import pytest
from django.utils import timezone

from schools.factories import SchoolFactory, TermDateFactory
from sessions.factories import (
    AssignmentFactory,
    SessionTypeFactory,
    UnavailabilityFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Visit, Volunteer

pytestmark = pytest.mark.django_db


def codes(visit: Visit) -> list[str]:
    return [problem.code for problem in visit.problems()]


def test_a_fully_staffed_visit_on_a_school_day_has_no_problems():
    term = TermDateFactory()  # in term time in its authority's calendar
    visit = VisitFactory(school=SchoolFactory(local_authority=term.local_authority), school_agreed=True)
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit, role="lead")
    AssignmentFactory(visit=visit)

    assert visit.problems() == []


def test_easter_monday_is_a_bank_holiday_in_england():
    visit = VisitFactory(date=date(2027, 3, 29))

    problem = next(p for p in visit.problems() if p.code == "bank_holiday")

    assert problem.level == "error"
    assert problem.message == "Easter Monday is a bank holiday in England."


def test_a_volunteer_on_an_overlapping_visit_is_double_booked(allow_double_booking):
    volunteer = VolunteerFactory(user__first_name="Priya", user__last_name="Patel")
    other = VisitFactory(school__name="Oak Primary", starts_at=time(9, 0), ends_at=time(10, 30))
    AssignmentFactory(visit=other, volunteer=volunteer)
    visit = VisitFactory(starts_at=time(10, 0), ends_at=time(11, 0))
    allow_double_booking()
    clash = AssignmentFactory(visit=visit, volunteer=volunteer)

    messages = [p.message for p in visit.problems() if p.code == "double_booked"]

    clash.delete()
    assert messages == ["Priya Patel is already at Oak Primary 09:00–10:30 on 2 March 2027."]


def test_back_to_back_visits_are_not_a_double_booking():
    volunteer = VolunteerFactory()
    AssignmentFactory(visit=VisitFactory(starts_at=time(9, 0), ends_at=time(10, 0)), volunteer=volunteer)
    visit = VisitFactory(starts_at=time(10, 0), ends_at=time(11, 0))
    AssignmentFactory(visit=visit, volunteer=volunteer)

    assert "double_booked" not in codes(visit)


def test_a_declared_unavailability_on_the_date_is_a_problem():
    visit = VisitFactory()
    assignment = AssignmentFactory(visit=visit)
    UnavailabilityFactory(volunteer=assignment.volunteer, starts_on=visit.date, ends_on=visit.date)

    assert "unavailable" in codes(visit)


def test_a_key_stage_2_assembly_does_not_suit_an_infant_school():
    visit = VisitFactory(school__low_age=4, school__high_age=6)
    VisitSessionFactory(visit=visit, session_type=SessionTypeFactory(slug="assembly-ks2"))

    assert "age_unsuitable" in codes(visit)


def test_fewer_volunteers_than_the_sessions_need_is_an_error_as_confirming_refuses_it():
    visit = VisitFactory()
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit)

    problem = next(p for p in visit.problems() if p.code == "understaffed")

    assert problem.level == "error"


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1, 12, 31), date(9999, 12, 31), date(9999, 1, 4)])
def test_a_visit_on_a_date_at_either_end_of_the_calendar_gets_its_problems_not_a_server_error(day, thames_valley):
    # Stored before the date window existed (the request form once took 0001-01-01 and 9999-12-31).
    visit = VisitFactory(date=day, school__in_area=thames_valley)
    VisitSessionFactory(visit=visit)
    VolunteerFactory(areas=[thames_valley])

    codes = {problem.code for problem in visit.problems()}
    options = visit.staffing_options(Volunteer.objects.all()).options

    assert "understaffed" in codes
    assert options and not options[0].eligible  # nobody is cleared in year 1 or by 9999


def test_a_visit_the_school_has_not_agreed_to_carries_a_warning_until_it_does():
    visit = VisitFactory()

    [problem] = [p for p in visit.problems() if p.code == "school_not_confirmed"]
    visit.school_agreed_at = timezone.now()
    visit.school_agreed_date, visit.school_agreed_starts_at, visit.school_agreed_ends_at = (
        visit.date, visit.starts_at, visit.ends_at)
    agreed = {p.code for p in visit.problems()}
    visit.starts_at = time(10, 0)
    moved = [p for p in visit.problems() if p.code == "school_not_confirmed"]

    assert problem.level == "warning"
    assert "school_not_confirmed" not in agreed
    assert "agreed to 2 March 2027 09:00–10:30, not to the date and time the visit has now" in moved[0].message
