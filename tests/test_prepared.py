"""Prepared queries (config/prepared.py): SQL built once a process, the same rows as the queryset written with
the values. Run on both databases (make test, make test-postgres)."""

import threading
from datetime import date, time
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.models import DateField, IntegerField, TimeField
from django.db.models.sql.compiler import SQLCompiler

from config.prepared import ByKeys, Key, Param, Prepared
from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory, VisitFactory
from sessions.models import Assignment, Visit

pytestmark = pytest.mark.django_db

DAY = Param("day", DateField())


def _on_day() -> Prepared:
    return Prepared(
        lambda: Assignment.objects.filter(visit__date=DAY, visit__starts_at__lt=Param("before", TimeField()))
        .select_related("visit__school", "volunteer__user")
        .order_by("visit__starts_at", "pk")
    )


def _written(day: date, before: time) -> list[Assignment]:
    return list(
        Assignment.objects.filter(visit__date=day, visit__starts_at__lt=before)
        .select_related("visit__school", "volunteer__user")
        .order_by("visit__starts_at", "pk")
    )


def _read(assignments: list[Assignment]) -> list[tuple]:
    return [(a.pk, a.visit.date, a.visit.starts_at, a.visit.school.name, a.volunteer.user.username)
            for a in assignments]


def test_a_prepared_query_gives_the_rows_the_queryset_written_with_its_values_gives(django_assert_num_queries):
    days = [date(2027, 3, 2), date(2027, 3, 3)]
    for day in days:
        for hour in (9, 11, 13):
            AssignmentFactory(visit=VisitFactory(date=day, starts_at=time(hour), ends_at=time(hour + 1)))
    on_day = _on_day()

    for day in [*days, date(2027, 3, 4)]:
        for before in (time(9), time(12), time(15)):
            with django_assert_num_queries(1):  # the related rows come in the same query
                got = _read(on_day(day=day, before=before))
            assert got == _read(_written(day, before))
    assert len(on_day(day=days[0], before=time(12))) == 2


def test_values_lists_and_subqueries_read_back_as_the_queryset_would():
    school = SchoolFactory()
    visits = [VisitFactory(school=school, date=date(2027, 3, d)) for d in (2, 3, 4)]
    AssignmentFactory(visit=visits[1])
    dated = Prepared(lambda: Visit.objects.filter(school_id=Key("school"), date__gte=DAY).order_by("date")
                     .values_list("date", "status"))
    staffed = Prepared(lambda: Visit.objects.filter(
        pk__in=Assignment.objects.filter(visit__school_id=Key("school")).values("visit_id")
    ).values_list("pk", flat=True))

    assert dated(school=school.pk, day=date(2027, 3, 3)) == [(date(2027, 3, 3), "proposed"), (date(2027, 3, 4), "proposed")]
    assert staffed(school=school.pk) == [visits[1].pk]
    assert staffed(school=SchoolFactory().pk) == []


def test_the_sql_is_built_once_and_then_only_bound():
    visit = VisitFactory()
    by_key = Prepared(lambda: Visit.objects.filter(pk=Key("visit")).select_related("school"))
    assert by_key(visit=visit.pk) == [visit]

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as building:
        assert by_key(visit=visit.pk)[0].school == visit.school
        assert by_key(visit=visit.pk + 1) == []
        assert building.call_count == 0
        list(Visit.objects.filter(pk=visit.pk).select_related("school"))  # the queryset builds its SQL every time
        assert building.call_count == 1


def test_a_key_no_row_can_have_is_no_row_not_a_database_error():
    visit = VisitFactory()
    by_key = Prepared(lambda: Visit.objects.filter(pk=Key("visit")))

    assert by_key(visit=2**63) == [] and by_key(visit=-(2**63) - 1) == []
    assert by_key(visit=visit.pk) == [visit]
    versioned = Prepared(lambda: Visit.objects.filter(pk=Key("visit"), version=Param("n", IntegerField())))
    assert versioned(visit=visit.pk, n=2**40) == [] and versioned(visit=visit.pk, n=visit.version) == [visit]


def test_an_address_with_a_visit_key_beyond_any_column_is_not_found(coordinator_client):
    assert coordinator_client.get("/visits/99999999999999999999/").status_code == 404
    assert coordinator_client.post("/visits/99999999999999999999/check/", {}).status_code == 404


def test_a_call_names_exactly_the_values_the_query_takes_and_none_is_refused():
    by_day = Prepared(lambda: Visit.objects.filter(date=DAY))

    with pytest.raises(TypeError, match=r"takes \['day'\], not \['date'\]"):
        by_day(date=date(2027, 3, 2))
    with pytest.raises(TypeError, match=r"takes \['day'\], not \['day', 'more'\]"):
        by_day(day=date(2027, 3, 2), more=1)
    with pytest.raises(ValueError, match="'day' is None"):
        by_day(day=None)


@pytest.mark.django_db(transaction=True)
def test_another_thread_runs_the_built_sql_on_its_own_connection():
    visit = VisitFactory(date=date(2027, 3, 2))
    on_day = Prepared(lambda: Visit.objects.filter(date=DAY).values_list("pk", flat=True))
    assert on_day(day=visit.date) == [visit.pk]  # built here, on this thread's connection
    seen = {}

    def other():
        seen["rows"] = on_day(day=visit.date)
        seen["same connection"] = connections["default"] is connection
        connections["default"].close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()

    assert seen == {"rows": [visit.pk], "same connection": False}


def test_rows_by_a_few_keys_are_prepared_for_each_number_of_keys_and_more_are_asked_plainly():
    visits = [VisitFactory(date=date(2027, 3, 2)) for _ in range(5)]
    keys = [visit.pk for visit in visits]
    by_keys = ByKeys(lambda keys: Visit.objects.filter(pk__in=keys).select_related("school").order_by("pk"), most=3)

    for count in range(6):  # with a key no row has: one to three keys prepared, four to six asked plainly
        got = by_keys([*keys[:count], 10**9])
        assert [(v.pk, v.school.name) for v in got] == [(v.pk, v.school.name) for v in visits[:count]]
    assert by_keys([]) == []
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as building:
        assert by_keys(keys[:3]) == visits[:3] and by_keys(keys[1:2]) == visits[1:2]
        assert building.call_count == 0
        assert by_keys(keys) == visits  # more than three: built as any query
        assert building.call_count == 1
