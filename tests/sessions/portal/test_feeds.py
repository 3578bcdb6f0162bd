"""Calendar feeds: parsed back with icalendar, as a calendar app would read them."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    CoordinatorFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, Visit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def feed(client, token: str) -> Calendar:
    response = client.get(f"/calendar/{token}.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def booked_visit(volunteer, coordinator, thames_valley):
    visit = VisitFactory(
        school__name="Oak Primary",
        school__street="1 High Street",
        school__town="Reading",
        school__postcode="RG1 1AA",
        school__in_area=thames_valley,
        coordinator=coordinator.user,
        status=Visit.Status.CONFIRMED,
        starts_at=time(9, 15),
        ends_at=time(11, 0),
    )
    VisitSessionFactory(visit=visit, year_groups=[5, 6], pupils=58)
    AssignmentFactory(visit=visit, volunteer=volunteer, role=Assignment.Role.LEAD)
    return visit


def test_a_volunteers_feed_is_valid_icalendar_with_one_event_per_visit(client, volunteer, booked_visit):
    calendar = feed(client, volunteer.calendar_token)

    assert str(calendar["VERSION"]) == "2.0" and "Speak Out" in str(calendar["PRODID"])
    [event] = events(calendar)
    assert str(event["UID"]) == f"visit-{booked_visit.pk}@speakout-planner"
    assert event.get("DTSTAMP") is not None
    assert str(event["STATUS"]) == "CONFIRMED"


def test_event_times_are_in_london_with_the_timezone_block(client, volunteer, booked_visit):
    calendar = feed(client, volunteer.calendar_token)

    [event] = events(calendar)
    assert event.decoded("DTSTART") == datetime.combine(A_SCHOOL_DAY, time(9, 15), tzinfo=LONDON)
    assert event.decoded("DTEND") == datetime.combine(A_SCHOOL_DAY, time(11, 0), tzinfo=LONDON)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_an_event_names_the_school_its_address_the_sessions_and_the_coordinator(
    client, volunteer, coordinator, booked_visit
):
    coordinator.user.email = "asha@example.org"
    coordinator.user.save()

    [event] = events(feed(client, volunteer.calendar_token))

    assert str(event["SUMMARY"]) == "Speak Out. Stay Safe.: Oak Primary"
    assert str(event["LOCATION"]) == "Oak Primary, 1 High Street, Reading, RG1 1AA"
    description = str(event["DESCRIPTION"])
    assert "09:15 Assembly for Key Stage 2 (Year 5, Year 6)" in description
    assert "Coordinator: Asha Khan, asha@example.org, 01632 960000" in description
    assert "Priya Patel (lead)" in description
    assert "58" not in description  # no pupil data in a calendar


def test_the_uid_is_stable_across_downloads_so_calendars_update_rather_than_duplicate(client, volunteer, booked_visit):
    first = events(feed(client, volunteer.calendar_token))[0]
    booked_visit.notes = "Park at the back"
    booked_visit.save()
    second = events(feed(client, volunteer.calendar_token))[0]

    assert first["UID"] == second["UID"]


def test_a_cancelled_visit_stays_in_the_feed_as_cancelled_with_a_higher_sequence(
    client, volunteer, coordinator, booked_visit
):
    before = events(feed(client, volunteer.calendar_token))[0]

    booked_visit.change_status(Visit.Status.CANCELLED, by=coordinator.user, reason="School closed for snow")

    [after] = events(feed(client, volunteer.calendar_token))
    assert str(after["STATUS"]) == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert "School closed for snow" in str(after["DESCRIPTION"])


def test_moving_a_visit_raises_its_sequence(client, volunteer, booked_visit):
    before = events(feed(client, volunteer.calendar_token))[0]

    visit = Visit.objects.get(pk=booked_visit.pk)
    visit.date = A_SCHOOL_DAY + timedelta(days=1)
    visit.save()

    [after] = events(feed(client, volunteer.calendar_token))
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART").date() == A_SCHOOL_DAY + timedelta(days=1)


def test_a_declined_visit_and_other_volunteers_visits_are_not_in_the_feed(client, volunteer):
    AssignmentFactory(volunteer=volunteer, status=Assignment.Status.DECLINED, visit__school__name="Declined Primary")
    AssignmentFactory(visit__school__name="Someone Else Primary")

    assert events(feed(client, volunteer.calendar_token)) == []


def test_a_coordinators_feed_holds_the_visits_in_their_areas(client, coordinator, thames_valley, kent):
    VisitFactory(school__in_area=thames_valley, school__name="Thames Primary")
    VisitFactory(school__in_area=kent, school__name="Kent Primary")

    summaries = [str(e["SUMMARY"]) for e in events(feed(client, coordinator.calendar_token))]

    assert summaries == ["Speak Out. Stay Safe.: Thames Primary"]


def test_an_unknown_token_is_not_found(client, db):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_new_token_kills_the_old_address(volunteer_client):
    volunteer = volunteer_client.volunteer
    old = volunteer.calendar_token

    response = volunteer_client.post("/calendar/regenerate/", {"role": "volunteer"}, headers={"HX-Request": "true"})

    volunteer.refresh_from_db()
    assert volunteer.calendar_token != old
    assert volunteer_client.get(f"/calendar/{old}.ics").status_code == 404
    assert volunteer_client.get(f"/calendar/{volunteer.calendar_token}.ics").status_code == 200
    html = response.content.decode()
    assert f"/calendar/{volunteer.calendar_token}.ics" in html and "<html" not in html
    assert "the old address no longer works" in html
    assert json.loads(response.headers["HX-Trigger"]) == {"calendarRegenerated": {}}


def test_a_coordinator_regenerates_their_feed_without_htmx(coordinator_client):
    coordinator = coordinator_client.coordinator
    old = coordinator.calendar_token

    response = coordinator_client.post("/calendar/regenerate/", {"role": "coordinator"}, follow=True)

    coordinator.refresh_from_db()
    assert coordinator.calendar_token != old
    assert response.redirect_chain == [("/calendar/", 302)]
    assert f"/calendar/{coordinator.calendar_token}.ics" in response.content.decode()


def test_a_coordinator_cannot_regenerate_a_volunteer_feed_they_do_not_have(coordinator_client):
    assert coordinator_client.post("/calendar/regenerate/", {"role": "volunteer"}).status_code == 404


def test_the_feed_page_shows_the_secret_address_to_its_holder_only(volunteer_client):
    html = volunteer_client.get("/calendar/").content.decode()

    assert f"http://testserver/calendar/{volunteer_client.volunteer.calendar_token}.ics" in html
    assert '<label for="feed-url-volunteer">Feed address</label>' in html


def test_the_feed_page_needs_a_login(client):
    assert client.get("/calendar/").url == "/accounts/login/?next=/calendar/"


@pytest.mark.parametrize("n", [1, 3])
def test_a_feed_costs_the_same_queries_for_any_number_of_visits(client, volunteer, django_assert_num_queries, n):
    coordinator = CoordinatorFactory()
    for i in range(n):
        visit = VisitFactory(date=A_SCHOOL_DAY + timedelta(days=i), coordinator=coordinator.user)
        VisitSessionFactory(visit=visit)
        AssignmentFactory(visit=visit, volunteer=volunteer)
        AssignmentFactory(visit=visit, volunteer=VolunteerFactory())

    # volunteer by token, visits (+school, coordinator), sessions, session types, assignments (+people)
    with django_assert_num_queries(5):
        calendar = feed(client, volunteer.calendar_token)

    assert len(events(calendar)) == n
