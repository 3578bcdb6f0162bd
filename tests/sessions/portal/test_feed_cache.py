"""The coordinator's calendar feed is built once and cached under its areas' change counts
(sessions/portal/feed_changes.py): after every kind of change to what it shows, the feed served is the
one built from scratch, and a change elsewhere leaves it (and its ETag) alone."""

from datetime import time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.factories import SchoolFactory
from schools.importers import import_gias
from sessions import services
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    SessionTypeFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, Visit, VisitSession
from sessions.portal.feeds import coordinator_calendar

pytestmark = pytest.mark.django_db

GIAS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "gias" / "edubasealldata_format.csv"


@pytest.fixture
def visit(coordinator, volunteer, thames_valley):
    visit = VisitFactory(school__name="Oak Primary", school__in_area=thames_valley, coordinator=coordinator.user,
                         starts_at=time(9, 0), ends_at=time(11, 0))
    VisitSessionFactory(visit=visit, year_groups=[5, 6], pupils=58, starts_at=time(9, 15))
    AssignmentFactory(visit=visit, volunteer=volunteer, role=Assignment.Role.LEAD)
    return visit


def get(client, coordinator, etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/calendar/{coordinator.calendar_token}.ics", headers=headers)


def move(visit, **fields):
    visit = Visit.objects.get(pk=visit.pk)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.save()


CHANGES = {
    "the visit moves to another day": lambda v, c, k: move(v, date=A_SCHOOL_DAY + timedelta(days=1)),
    "the visit is cancelled": lambda v, c, k: Visit.objects.get(pk=v.pk).change_status(
        Visit.Status.CANCELLED, by=c.user, reason="School closed for snow"),
    "the visit is deleted": lambda v, c, k: Visit.objects.filter(pk=v.pk).delete(),
    "a visit is added": lambda v, c, k: VisitFactory(school=v.school, date=A_SCHOOL_DAY + timedelta(days=7)),
    "the visit moves to a school in another area": lambda v, c, k: move(v, school=SchoolFactory(in_area=k)),
    "a session is added": lambda v, c, k: VisitSessionFactory(visit=v, year_groups=[3], starts_at=time(10, 0)),
    "a session's year groups change": lambda v, c, k: [
        setattr(line, "year_groups", [6]) or line.save() for line in VisitSession.objects.filter(visit=v)],
    "a session is removed": lambda v, c, k: VisitSession.objects.filter(visit=v).delete(),
    "a session type is renamed": lambda v, c, k: [
        setattr(t, "name", "Speak out (Years 5 and 6)") or t.save()
        for t in SessionType.objects.filter(visit_sessions__visit=v)],
    "a volunteer is booked": lambda v, c, k: AssignmentFactory(visit=v, volunteer=VolunteerFactory(areas=[c.areas.get()])),
    "a volunteer declines": lambda v, c, k: Assignment.objects.get(visit=v).decline(reason="ill"),
    "a volunteer is removed": lambda v, c, k: services.remove_assignment(
        assignment=Assignment.objects.get(visit=v), by=c.user),
    "the school is renamed": lambda v, c, k: setattr(v.school, "name", "Oak Tree Primary") or v.school.save(),
    "the volunteer changes their name": lambda v, c, k: _rename(
        get_user_model().objects.get(volunteer__assignments__visit=v)),
    "the coordinator changes their phone": lambda v, c, k: setattr(c, "phone", "01632 960999") or c.save(),
}


def _rename(user):
    user.last_name = "Patel-Jones"
    user.save()


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_after_each_kind_of_change_the_served_feed_is_the_one_built_from_scratch(
    client, coordinator, visit, kent, change
):
    before = get(client, coordinator)

    CHANGES[change](visit, coordinator, kent)

    after = get(client, coordinator, etag=before["ETag"])
    assert after.status_code == 200, "the changed feed was answered 304 (not modified)"
    assert after["ETag"] != before["ETag"]
    assert after.content == coordinator_calendar(coordinator).to_ical()
    assert after.content != before.content


def test_an_unchanged_feed_is_answered_304_from_its_etag_without_building_it(
    client, coordinator, visit, django_assert_num_queries
):
    first = get(client, coordinator)

    # volunteer by token (none), coordinator by token, the areas' change counts: no visit is read
    with django_assert_num_queries(3):
        again = get(client, coordinator, etag=first["ETag"])

    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_a_second_fetch_is_served_from_the_cache_and_is_the_same(client, coordinator, visit):
    first = get(client, coordinator)

    with CaptureQueriesContext(connection) as queries:
        second = get(client, coordinator)

    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert not [q for q in queries.captured_queries if "school_sessions_visit" in q["sql"]], "the feed was rebuilt"


def test_a_change_in_another_area_leaves_the_feed_and_its_etag_alone(client, coordinator, visit, kent):
    first = get(client, coordinator)

    elsewhere = VisitFactory(school__in_area=kent)
    VisitSessionFactory(visit=elsewhere)
    AssignmentFactory(visit=elsewhere)
    SessionTypeFactory()  # a new type is on no visit yet

    assert get(client, coordinator, etag=first["ETag"]).status_code == 304


def test_a_new_day_moves_the_year_back_and_rebuilds_the_feed(client, coordinator, visit, settings, monkeypatch):
    first = get(client, coordinator)
    tomorrow = A_SCHOOL_DAY + timedelta(days=400)
    monkeypatch.setattr("sessions.portal.feeds.timezone.localdate", lambda: tomorrow)

    again = get(client, coordinator, etag=first["ETag"])

    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "Oak Primary" not in again.content.decode()  # more than a year ago now


def test_a_schools_import_writes_in_bulk_so_it_counts_a_change_in_every_area(client, coordinator, visit):
    first = get(client, coordinator)

    import_gias(GIAS_FILE, dry_run=True)
    assert get(client, coordinator, etag=first["ETag"]).status_code == 304  # a dry run writes nothing
    import_gias(GIAS_FILE)

    assert get(client, coordinator, etag=first["ETag"]).status_code == 200
