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
    school.refresh_from_db()
    assert school.is_due(on=TODAY)


def test_a_school_visited_the_day_after_that_is_not_due():
    school = SchoolFactory()
    delivered(school, date(2024, 11, 28))

    assert list(School.objects.due(on=TODAY)) == []
    school.refresh_from_db()
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


def test_asked_about_a_past_day_a_later_visit_does_not_count_but_one_within_that_days_cycle_does():
    visited_later_only = SchoolFactory(name="Ash Primary")
    delivered(visited_later_only, date(2021, 3, 1))
    delivered(visited_later_only, date(2026, 1, 10))  # after the day asked about
    visited_within_and_later = SchoolFactory(name="Beech Primary")
    delivered(visited_within_and_later, date(2024, 2, 1))
    delivered(visited_within_and_later, date(2026, 1, 10))
    past_day = date(2025, 1, 1)

    assert list(School.objects.due(on=past_day)) == [visited_later_only]
    assert list(School.objects.due(on=TODAY)) == []


def test_the_stored_last_visit_follows_each_kind_of_change_to_a_schools_visits():
    school, other = SchoolFactory(), SchoolFactory()
    last = lambda s: School.objects.get(pk=s.pk).last_visit_on  # noqa: E731
    older = delivered(school, date(2022, 5, 4))
    newer = delivered(school, date(2025, 3, 2))
    assert last(school) == date(2025, 3, 2)
    newer.date = date(2025, 6, 1)
    newer.save()
    assert last(school) == date(2025, 6, 1)
    newer.status = Visit.Status.CANCELLED  # only delivered visits count
    newer.save(update_fields=["status"])
    assert last(school) == date(2022, 5, 4)
    older.school = other  # moved to another school: both schools change
    older.save()
    assert (last(school), last(other)) == (None, date(2022, 5, 4))
    older.delete()
    assert last(other) is None


def test_saving_a_school_read_before_a_visit_was_delivered_keeps_its_last_visit():
    school = SchoolFactory()
    stale = School.objects.get(pk=school.pk)
    delivered(school, date(2025, 3, 2))
    stale.notes = "Car park at the back."
    stale.save()
    assert School.objects.get(pk=school.pk).last_visit_on == date(2025, 3, 2)


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
