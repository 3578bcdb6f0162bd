from datetime import date

import pytest

from schools.factories import SchoolFactory
from schools.models import School
from sessions.factories import VisitFactory
from sessions.models import Visit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


def delivered(school: School, on: date) -> Visit:
    return VisitFactory(school=school, date=on, status=Visit.Status.DELIVERED)


def test_a_school_visited_exactly_one_cycle_ago_is_due_again():
    school = SchoolFactory()
    delivered(school, date(2024, 11, 27))

    assert list(School.objects.due(on=TODAY)) == [school]
    assert school.is_due(on=TODAY)


def test_a_school_visited_the_day_after_that_is_not_due():
    school = SchoolFactory()
    delivered(school, date(2024, 11, 28))

    assert list(School.objects.due(on=TODAY)) == []
    assert not school.is_due(on=TODAY)


def test_never_visited_schools_come_first_then_the_longest_since():
    recent_enough = SchoolFactory(name="Ash Primary")
    delivered(recent_enough, date(2023, 6, 1))
    long_ago = SchoolFactory(name="Beech Primary")
    delivered(long_ago, date(2020, 6, 1))
    never = SchoolFactory(name="Cedar Primary")

    due = list(School.objects.due(on=TODAY))

    assert due == [never, long_ago, recent_enough]
    assert [s.last_visit_on for s in due] == [None, date(2020, 6, 1), date(2023, 6, 1)]


def test_only_delivered_visits_count():
    school = SchoolFactory()
    VisitFactory(school=school, date=date(2026, 1, 10), status=Visit.Status.CANCELLED)
    VisitFactory(school=school, date=date(2026, 12, 1), status=Visit.Status.CONFIRMED)

    assert list(School.objects.due(on=TODAY)) == [school]


def test_closed_schools_are_never_due_but_those_proposed_to_close_are():
    SchoolFactory(status=School.Status.CLOSED)
    closing = SchoolFactory(status=School.Status.PROPOSED_TO_CLOSE)

    assert list(School.objects.due(on=TODAY)) == [closing]


def test_the_cycle_comes_from_settings(settings):
    settings.PROGRAMME_CYCLE_YEARS = 3
    school = SchoolFactory()
    delivered(school, date(2024, 1, 1))

    assert list(School.objects.due(on=TODAY)) == []


def test_search_finds_a_school_by_name_urn_town_or_postcode():
    school = SchoolFactory(name="St Mary's Primary", urn=123456, town="Reading", postcode="RG1 2AB")
    SchoolFactory(name="Other", town="Oxford", postcode="OX1 1AA")

    for text in ("mary", "123456", "reading", "RG1"):
        assert list(School.objects.search(text)) == [school]


def test_a_school_lies_in_the_police_force_area_of_its_local_authority(thames_valley):
    school = SchoolFactory(in_area=thames_valley)

    assert school.police_force == thames_valley
    assert list(School.objects.in_areas([thames_valley])) == [school]
