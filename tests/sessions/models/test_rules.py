from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from schools.factories import SchoolFactory
from schools.models import School
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    SessionTypeFactory,
    UnavailabilityFactory,
    UserFactory,
    VisitFactory,
    VisitReportFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, Visit, VisitSession, year_group_label

pytestmark = pytest.mark.django_db


def codes(visit: Visit) -> set[str]:
    # These schools have no term calendar (its rules are tests/sessions/models/test_terms.py's).
    return {problem.code for problem in visit.problems()} - {"term_unknown"}


def staffed_visit(**kwargs) -> Visit:
    visit = VisitFactory(**{"school_agreed": True, **kwargs})
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit, role=Assignment.Role.LEAD)
    AssignmentFactory(visit=visit)
    return visit


# --- session types and ages

@pytest.mark.parametrize(
    ("slug", "low", "high", "suits"),
    [
        ("assembly-ks1", 4, 7, True),
        ("assembly-ks1", 7, 11, True),  # 7 is the top of KS1 and the bottom of a junior school
        ("assembly-ks1", 8, 11, False),
        ("assembly-ks2", 4, 6, False),
        ("assembly-ks2", 4, 7, True),
        ("workshop-years-5-6", 4, 8, False),
        ("workshop-years-5-6", 3, 9, True),
    ],
)
def test_a_session_type_suits_a_school_when_their_ages_overlap(slug, low, high, suits):
    session_type = SessionType.objects.get(slug=slug)

    assert session_type.suits(SchoolFactory(low_age=low, high_age=high)) is suits


def test_the_programme_ships_four_session_types_with_their_ages():
    assert {(t.slug, t.min_age, t.max_age, t.duration_minutes) for t in SessionType.objects.all()} == {
        ("assembly-ks1", 5, 7, 30),
        ("workshop-year-2", 6, 7, 60),
        ("assembly-ks2", 7, 11, 30),
        ("workshop-years-5-6", 9, 11, 60),
    }


def test_year_groups_are_named_by_the_schools_nation():
    assert year_group_label(5, School.Nation.ENGLAND) == "Year 5"
    assert year_group_label(5, School.Nation.SCOTLAND) == "P6"
    assert year_group_label(0, School.Nation.NORTHERN_IRELAND) == "P1"
    assert year_group_label(0, School.Nation.WALES) == "Reception"


# --- every problem code, both sides of the boundary

def test_saturday_is_a_weekend_and_friday_is_not():
    assert "weekend" in codes(staffed_visit(date=date(2027, 3, 6)))
    assert "weekend" not in codes(staffed_visit(date=date(2027, 3, 5)))


@pytest.mark.parametrize(
    ("nation", "day", "expected"),
    [
        (School.Nation.SCOTLAND, date(2027, 1, 4), "New Year Holiday (observed) is a bank holiday in Scotland."),
        (School.Nation.ENGLAND, date(2027, 1, 4), None),
        (School.Nation.NORTHERN_IRELAND, date(2027, 3, 17), "Saint Patrick's Day is a bank holiday in Northern Ireland."),
        (School.Nation.WALES, date(2027, 3, 17), None),
    ],
)
def test_bank_holidays_are_those_of_the_schools_nation(nation, day, expected):
    visit = staffed_visit(date=day, school__nation=nation)

    messages = [p.message for p in visit.problems() if p.code == "bank_holiday"]

    assert messages == ([expected] if expected else [])


def test_a_volunteer_whose_dbs_check_expires_before_the_visit_is_not_cleared():
    visit = VisitFactory()
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit)
    lapsed = VolunteerFactory(
        user__first_name="Sam", user__last_name="Jones", dbs_checked_on=A_SCHOOL_DAY.replace(year=2024)
    )
    AssignmentFactory(visit=visit, volunteer=lapsed)

    problems = [p for p in visit.problems() if p.code == "not_cleared"]

    assert [(p.level, p.message) for p in problems] == [
        ("error", "Sam Jones has a DBS check that expired on 2 March 2027.")
    ]


def test_a_volunteer_whose_check_expires_the_day_after_the_visit_is_cleared():
    visit = VisitFactory()
    AssignmentFactory(visit=visit, volunteer=VolunteerFactory(dbs_checked_on=date(2024, 3, 3)))

    assert "not_cleared" not in codes(visit)


def test_unavailability_ending_the_day_before_the_visit_is_no_problem():

    visit = staffed_visit()
    volunteer = visit.assignments.first().volunteer
    UnavailabilityFactory(volunteer=volunteer, starts_on=A_SCHOOL_DAY - timedelta(days=5), ends_on=A_SCHOOL_DAY - timedelta(days=1))

    assert "unavailable" not in codes(visit)


def test_a_declined_volunteer_is_neither_double_booked_nor_counted():
    visit = staffed_visit()
    declined = AssignmentFactory(visit=visit, status=Assignment.Status.DECLINED)
    AssignmentFactory(visit=VisitFactory(), volunteer=declined.volunteer)

    assert codes(visit) == set()


def test_a_cancelled_visit_does_not_book_its_volunteers():
    volunteer = VolunteerFactory()
    AssignmentFactory(visit=VisitFactory(status=Visit.Status.CANCELLED), volunteer=volunteer)
    visit = staffed_visit()
    AssignmentFactory(visit=visit, volunteer=volunteer)

    assert "double_booked" not in codes(visit)


def test_a_delivered_visit_within_the_cycle_is_a_warning_and_one_just_outside_is_not():
    school = SchoolFactory()
    VisitFactory(school=school, date=date(2025, 3, 3), status=Visit.Status.DELIVERED)
    visit = staffed_visit(school=school)

    problem = next(p for p in visit.problems() if p.code == "recently_visited")
    assert problem.level == "warning"

    Visit.objects.filter(date=date(2025, 3, 3)).update(date=date(2025, 3, 2))
    assert "recently_visited" not in codes(visit)


def test_the_latest_delivered_visit_in_the_cycle_is_named_beside_the_schools_other_live_visit(
        django_assert_num_queries):
    school = SchoolFactory()
    VisitFactory(school=school, date=date(2025, 3, 3), status=Visit.Status.DELIVERED)
    VisitFactory(school=school, date=date(2025, 11, 4), status=Visit.Status.DELIVERED)
    VisitFactory(school=school, date=A_SCHOOL_DAY + timedelta(days=400), status=Visit.Status.DELIVERED)  # after it
    VisitFactory(school=school, date=A_SCHOOL_DAY + timedelta(days=7), status=Visit.Status.REQUESTED)
    VisitFactory(school=school, date=A_SCHOOL_DAY + timedelta(days=14), status=Visit.Status.CANCELLED)
    visit = staffed_visit(school=school)
    lines = list(visit.sessions.select_related("session_type"))

    # The team, the school's closures, clashes, absences, and the school's other visits once for both rules (this
    # school has no local authority, so no term dates are read).
    with django_assert_num_queries(5):
        found = {p.code: p.message for p in visit.problems(sessions=lines)}

    assert found["recently_visited"].startswith(f"{school.name} had a visit on 4 November 2025, within the")
    later = A_SCHOOL_DAY + timedelta(days=7)
    assert found["second_visit"] == f"{school.name} already has a visit requested for {later:%-d %B %Y}."


def test_a_live_check_reads_session_lines_that_are_not_saved_yet():
    visit = Visit(school=SchoolFactory(low_age=4, high_age=7), date=A_SCHOOL_DAY, starts_at=time(9), ends_at=time(10))
    line = VisitSession(session_type=SessionTypeFactory(slug="workshop-years-5-6"), starts_at=time(9))

    assert {p.code for p in visit.problems(sessions=[line])} == {"age_unsuitable", "understaffed", "no_lead",
                                                                 "term_unknown", "school_not_confirmed"}
    assert Visit.objects.count() == 0


# --- the workflow

def test_a_visit_with_errors_cannot_be_confirmed():
    visit = staffed_visit(date=date(2027, 3, 29))  # Easter Monday

    with pytest.raises(ValidationError) as raised:
        visit.change_status(Visit.Status.CONFIRMED, by=UserFactory())

    assert "Easter Monday is a bank holiday in England." in raised.value.messages
    assert Visit.objects.get().status == Visit.Status.PROPOSED


def test_a_visit_short_of_volunteers_cannot_be_confirmed():
    visit = VisitFactory()
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit, role=Assignment.Role.LEAD)

    with pytest.raises(ValidationError) as refused:
        visit.change_status(Visit.Status.CONFIRMED, by=UserFactory())

    assert refused.value.messages == ["Fix these before confirming:", "The sessions need 2 volunteers; 1 is assigned."]


def test_a_visit_without_a_lead_cannot_be_confirmed():
    visit = VisitFactory()
    VisitSessionFactory(visit=visit)
    AssignmentFactory.create_batch(2, visit=visit)

    with pytest.raises(ValidationError) as refused:
        visit.change_status(Visit.Status.CONFIRMED, by=UserFactory())

    assert refused.value.messages == ["Fix these before confirming:", "The visit has no lead volunteer."]


def test_a_visit_whose_volunteers_have_not_all_answered_cannot_be_confirmed_and_says_who_since_when():
    visit = staffed_visit()
    waiting = visit.assignments.get(role=Assignment.Role.SUPPORT)
    Assignment.objects.filter(pk=waiting.pk).update(status=Assignment.Status.INVITED)

    with pytest.raises(ValidationError) as refused:
        visit.change_status(Visit.Status.CONFIRMED, by=UserFactory())

    sent = timezone.localtime(waiting.created_at)
    assert refused.value.messages == [
        "Fix these before confirming:",
        f"{waiting.volunteer.name} (support) has not answered the invitation sent on {sent:%-d %B}.",
    ]
    assert Visit.objects.get().status == Visit.Status.PROPOSED


def test_delivered_is_not_offered_before_the_visit_date_and_refused_if_asked():
    visit = staffed_visit()
    visit.change_status(Visit.Status.CONFIRMED, by=UserFactory())

    assert Visit.Status.DELIVERED not in visit.allowed_transitions(today=A_SCHOOL_DAY - timedelta(days=1))
    assert Visit.Status.DELIVERED in visit.allowed_transitions(today=A_SCHOOL_DAY)
    with pytest.raises(ValidationError, match="on or after its date"):
        visit.change_status(Visit.Status.DELIVERED, by=UserFactory(), today=A_SCHOOL_DAY - timedelta(days=1))


def test_confirming_records_who_and_when():
    visit = staffed_visit()
    coordinator = UserFactory()

    visit.change_status(Visit.Status.CONFIRMED, by=coordinator)

    change = visit.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("proposed", "confirmed", coordinator)
    assert Visit.objects.get().status == Visit.Status.CONFIRMED


def test_delivery_waits_for_the_date_and_the_report():
    visit = staffed_visit(status=Visit.Status.CONFIRMED)
    user = UserFactory()

    with pytest.raises(ValidationError, match="on or after its date"):
        visit.change_status(Visit.Status.DELIVERED, by=user, today=A_SCHOOL_DAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="visit report"):
        visit.change_status(Visit.Status.DELIVERED, by=user, today=A_SCHOOL_DAY)

    VisitReportFactory(visit=visit)
    visit.change_status(Visit.Status.DELIVERED, by=user, today=A_SCHOOL_DAY)
    assert Visit.objects.get().status == Visit.Status.DELIVERED


def test_cancelling_needs_a_reason_and_frees_the_volunteers():
    visit = staffed_visit()
    volunteer = visit.assignments.first().volunteer

    with pytest.raises(ValidationError, match="why"):
        visit.change_status(Visit.Status.CANCELLED, by=UserFactory())
    visit.change_status(Visit.Status.CANCELLED, by=UserFactory(), reason="School closed for snow")

    other = VisitFactory()
    AssignmentFactory(visit=other, volunteer=volunteer)
    assert "double_booked" not in codes(other)
    assert Visit.objects.get(pk=visit.pk).cancel_reason == "School closed for snow"


def test_a_delivered_visit_cannot_change_status():
    visit = VisitFactory(status=Visit.Status.DELIVERED)

    with pytest.raises(ValidationError, match="delivered visit cannot be marked proposed"):
        visit.change_status(Visit.Status.PROPOSED, by=UserFactory())


def test_a_change_based_on_a_stale_copy_is_refused():
    visit = staffed_visit()
    stale = Visit.objects.get(pk=visit.pk)
    visit.change_status(Visit.Status.CONFIRMED, by=UserFactory())

    with pytest.raises(ValidationError, match="Someone else changed this visit"):
        stale.change_status(Visit.Status.CANCELLED, by=UserFactory(), reason="Clash")
