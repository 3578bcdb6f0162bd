"""The rules about a session's year groups, a session's times within its visit, a visit whose day has
passed, and two visits at one school on one day: each said once (sessions/models/problems.py), read
alike by the problems panel, the confirmation gate and the dashboard's set-level twin."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory, VisitFactory, VisitReportFactory, VisitSessionFactory
from sessions.models import SessionType, Visit, year_group_ages

pytestmark = pytest.mark.django_db


def problems(visit: Visit, code: str) -> list:
    return [p for p in visit.problems() if p.code == code]


def listed(visit: Visit) -> Visit:
    return Visit.objects.with_signals().get(pk=visit.pk)


def staffed_visit(*, slug: str = "assembly-ks2", years=(3, 4, 5, 6), starts_at=time(9, 0), **visit) -> Visit:
    visit = VisitFactory(**visit)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug=slug), year_groups=list(years),
                        starts_at=starts_at)
    AssignmentFactory(visit=visit, role="lead")
    AssignmentFactory(visit=visit)
    return visit


# --- Year groups and the session's ages


def test_a_year_group_is_four_turning_five_in_reception_and_n_plus_four_turning_n_plus_five_in_year_n():
    assert year_group_ages(0) == (4, 5)
    assert year_group_ages(2) == (6, 7)
    assert year_group_ages(6) == (10, 11)


@pytest.mark.parametrize(
    "slug, suited",
    [
        ("assembly-ks1", {1, 2}),  # ages 5–7
        ("workshop-year-2", {2}),  # ages 6–7
        ("assembly-ks2", {3, 4, 5, 6}),  # ages 7–11
        ("workshop-years-5-6", {5, 6}),  # ages 9–11
    ],
)
def test_each_session_type_suits_exactly_the_year_groups_it_is_written_for(slug, suited):
    session_type = SessionType.objects.get(slug=slug)

    assert {n for n in range(7) if session_type.suits_year_group(n)} == suited


def test_a_year_2_workshop_booked_for_years_5_and_6_is_an_error_naming_the_session_and_the_years():
    visit = staffed_visit(slug="workshop-year-2", years=[5, 6])

    found = problems(visit, "year_groups_outside_ages")

    assert [(p.level, p.message) for p in found] == [(
        "error",
        "Workshop for Year 2 at 09:00 is for ages 6–7, but it is booked for Year 5 (ages 9–10) and Year 6 (ages 10–11).",
    )]
    with pytest.raises(ValidationError, match="Workshop for Year 2 at 09:00 is for ages 6–7"):
        visit.change_status(Visit.Status.CONFIRMED, by=None)
    assert listed(visit).has_other_errors is True


def test_only_the_year_groups_outside_the_ages_are_named_in_the_schools_own_words():
    visit = staffed_visit(slug="workshop-years-5-6", years=[3, 5, 6], school=SchoolFactory(nation="scotland"))

    assert [p.message for p in problems(visit, "year_groups_outside_ages")] == [
        "Workshop for Years 5 and 6 at 09:00 is for ages 9–11, but it is booked for P4 (ages 7–8)."
    ]


def test_year_groups_the_session_is_written_for_are_no_problem_and_the_list_agrees():
    visit = staffed_visit(slug="assembly-ks2", years=[3, 4, 5, 6])

    assert problems(visit, "year_groups_outside_ages") == []
    assert listed(visit).has_errors is bool(visit.errors()) is False


def test_the_live_check_of_the_visit_form_sees_year_groups_not_saved_yet():
    visit = staffed_visit()
    typed = VisitSessionFactory.build(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks1"),
                                      year_groups=[0, 1], starts_at=time(9, 0))

    assert [p.code for p in visit.problems(sessions=[typed]) if p.code == "year_groups_outside_ages"] == [
        "year_groups_outside_ages"
    ]


# --- A session's times within its visit


def test_a_session_that_starts_before_the_visit_after_the_visit_moved_is_an_error():
    visit = staffed_visit(starts_at=time(9, 0), ends_at=time(10, 30))  # a 30-minute assembly at 09:00
    assert problems(visit, "session_outside_visit") == []

    visit.starts_at = time(9, 30)
    visit.save()

    assert [(p.level, p.message) for p in problems(visit, "session_outside_visit")] == [(
        "error",
        "Assembly for Key Stage 2 (09:00–09:30) starts before the visit, which runs 09:30–10:30: change the "
        "session's start or the visit's times.",
    )]
    assert listed(visit).has_other_errors is True
    with pytest.raises(ValidationError, match="starts before the visit"):
        visit.change_status(Visit.Status.CONFIRMED, by=None)


def test_a_session_that_runs_past_the_visits_end_is_an_error_and_one_that_ends_with_it_is_not():
    late = staffed_visit(slug="workshop-years-5-6", years=[5, 6], starts_at=time(10, 0),
                         ends_at=time(10, 30))  # a 60-minute workshop
    exact = staffed_visit(slug="workshop-years-5-6", years=[5, 6], starts_at=time(9, 30), ends_at=time(10, 30))

    assert [p.message for p in problems(late, "session_outside_visit")] == [
        "Workshop for Years 5 and 6 (10:00–11:00) ends after the visit, which runs 09:00–10:30: change the "
        "session's start or the visit's times."
    ]
    assert problems(exact, "session_outside_visit") == []
    assert (listed(late).has_errors, listed(exact).has_errors) == (True, False)


# --- A visit whose day has passed


def a_past_school_day() -> date:
    day = timezone.localdate() - timedelta(days=7)
    return day - timedelta(days=max(day.weekday() - 4, 0))


@pytest.mark.parametrize("status", ["requested", "proposed", "confirmed"])
def test_a_visit_whose_day_has_passed_and_is_still_open_is_a_warning(status):
    visit = staffed_visit(date=a_past_school_day(), status=status)

    found = problems(visit, "date_past")

    assert [p.level for p in found] == ["warning"]
    assert found[0].message.startswith(f"{visit.date:%A %-d %B %Y} has passed and the visit is still {status}: ")


@pytest.mark.parametrize("status", ["delivered", "cancelled"])
def test_a_delivered_or_cancelled_past_visit_is_no_problem(status):
    assert problems(staffed_visit(date=a_past_school_day(), status=status), "date_past") == []


def test_a_visit_today_has_not_passed():
    assert problems(staffed_visit(date=timezone.localdate()), "date_past") == []


def test_a_visit_given_while_still_proposed_can_be_confirmed_and_delivered_late():
    day = a_past_school_day()
    visit = staffed_visit(date=day, status=Visit.Status.PROPOSED)
    for assignment in visit.assignments.select_related("volunteer"):
        volunteer = assignment.volunteer
        volunteer.dbs_checked_on = volunteer.training_on = day - timedelta(days=30)
        volunteer.save()
    assert not visit.errors(), visit.errors()

    visit.change_status(Visit.Status.CONFIRMED, by=None)
    VisitReportFactory(visit=visit)
    visit.change_status(Visit.Status.DELIVERED, by=None)

    visit.refresh_from_db()
    assert visit.status == Visit.Status.DELIVERED
    assert problems(visit, "date_past") == []


# --- Two visits at one school on one day


def test_two_visits_at_one_school_on_one_day_are_each_warned_of_the_other():
    school = SchoolFactory(name="Oak Tree Primary School")
    morning = staffed_visit(school=school, date=date(2027, 3, 2), starts_at=time(9, 0))
    afternoon = staffed_visit(school=school, date=date(2027, 3, 2), starts_at=time(13, 15),
                              ends_at=time(14, 30))
    afternoon.starts_at = time(13, 15)
    afternoon.save()

    assert [(p.level, p.message) for p in problems(morning, "second_visit")] == [
        ("warning", "Oak Tree Primary School already has a visit proposed for 2 March 2027.")
    ]
    assert [p.message for p in problems(afternoon, "second_visit")] == [
        "Oak Tree Primary School already has a visit proposed for 2 March 2027."
    ]
