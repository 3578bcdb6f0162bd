"""When schools are open: holidays and INSET days in the authority's calendar or the school's own, and a
warning where no calendar is held. The list's twin (`signal_codes`) agrees with `problems()`."""

from datetime import date

import pytest

from schools.factories import SchoolClosureFactory, SchoolFactory, TermDateFactory
from schools.models import TermDate, academic_year_of
from sessions.factories import AssignmentFactory, VisitFactory, VisitSessionFactory
from sessions.models import Visit
from stats.models import LocalAuthority

pytestmark = pytest.mark.django_db


@pytest.fixture
def west_berkshire():
    la = LocalAuthority.objects.get(code="E06000037")
    TermDateFactory(local_authority=la)  # 2026/27 is term time …
    TermDateFactory(local_authority=la, kind="holiday", starts_on=date(2026, 12, 19), ends_on=date(2027, 1, 3))
    TermDateFactory(local_authority=la, kind="half_term", starts_on=date(2027, 2, 13), ends_on=date(2027, 2, 21))
    TermDateFactory(local_authority=la, kind="inset", starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 4))
    return la


def staffed(school, day) -> Visit:
    visit = VisitFactory(school=school, date=day, school_agreed=True)
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit, role="lead")
    AssignmentFactory(visit=visit)
    return visit


def problems(visit, code):
    return [p for p in visit.problems() if p.code == code]


def test_a_visit_in_the_christmas_holiday_is_an_error_naming_the_holiday(west_berkshire):
    visit = staffed(SchoolFactory(local_authority=west_berkshire), date(2026, 12, 23))

    [problem] = problems(visit, "school_holiday")

    assert problem.is_error
    assert problem.message == "23 December is in West Berkshire's Christmas holiday, 19 December – 3 January."


def test_half_term_and_an_inset_day_are_errors(west_berkshire):
    school = SchoolFactory(local_authority=west_berkshire)

    [half_term] = problems(staffed(school, date(2027, 2, 16)), "school_holiday")
    [inset] = problems(staffed(school, date(2027, 1, 4)), "inset")

    assert half_term.message == "16 February is in West Berkshire's February half-term, 13 February – 21 February."
    assert inset.is_error and inset.message == "4 January is an INSET day for West Berkshire's schools."


def test_a_school_day_in_a_held_calendar_has_no_calendar_problem(west_berkshire):
    visit = staffed(SchoolFactory(local_authority=west_berkshire), date(2027, 3, 2))

    assert visit.problems() == []


def test_a_schools_own_closure_and_inset_day_are_errors(west_berkshire):
    school = SchoolFactory(local_authority=west_berkshire, name="Riverside Primary School")
    SchoolClosureFactory(school=school, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 3), reason="polling station")
    SchoolClosureFactory(school=school, kind="inset", starts_on=date(2027, 3, 9), ends_on=date(2027, 3, 9))

    [closed] = problems(staffed(school, date(2027, 3, 2)), "school_holiday")
    [inset] = problems(staffed(school, date(2027, 3, 9)), "inset")

    assert closed.message == "Riverside Primary School is closed 1 March – 3 March: polling station."
    assert inset.message == "9 March is an INSET day at Riverside Primary School."


def test_no_calendar_for_the_authority_and_year_is_a_warning(west_berkshire):
    visit = staffed(SchoolFactory(local_authority=west_berkshire, name="Riverside Primary School"), date(2027, 9, 14))

    [problem] = problems(visit, "term_unknown")

    assert problem.level == "warning"
    assert problem.message == ("No term dates are held for West Berkshire in 2027/28: check that Riverside Primary "
                               "School is open that day.")


def test_a_school_without_an_authority_has_unknown_terms():
    visit = staffed(SchoolFactory(local_authority=None, name="Riverside Primary School"), date(2027, 3, 2))

    assert [p.message for p in problems(visit, "term_unknown")] == [
        "Riverside Primary School has no local authority, so its term dates are not known."]


@pytest.mark.parametrize("day", [date(2026, 12, 23), date(2027, 2, 16), date(2027, 1, 4), date(2027, 3, 2),
                                 date(2027, 3, 9), date(2027, 9, 14)])
def test_the_lists_twin_agrees_with_the_rules(west_berkshire, day):
    school = SchoolFactory(local_authority=west_berkshire)
    SchoolClosureFactory(school=school, kind="inset", starts_on=date(2027, 3, 9), ends_on=date(2027, 3, 9))
    visit = staffed(school, day)

    listed = Visit.objects.with_signals().get(pk=visit.pk)

    assert listed.signal_codes == {p.code for p in visit.problems() if p.is_error}


@pytest.mark.parametrize(("day", "year"), [(date(2026, 9, 1), 2026), (date(2027, 8, 31), 2026),
                                           (date(2027, 9, 1), 2027)])
def test_the_academic_year_runs_from_september_to_august(day, year):
    assert academic_year_of(day) == year


def test_names_come_from_the_dates():
    def name(kind, first):
        return TermDate(kind=kind, starts_on=first, ends_on=first).name

    assert name("holiday", date(2027, 4, 1)) == "Easter holiday"
    assert name("holiday", date(2027, 7, 24)) == "summer holiday"
    assert name("half_term", date(2026, 10, 24)) == "October half-term"
    assert name("term", date(2027, 1, 4)) == "spring term"
