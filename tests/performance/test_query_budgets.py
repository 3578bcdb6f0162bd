"""Query budgets: every list and fragment makes the same number of queries for 10 rows as for 60.

A list whose query count grows with its rows (one query per row: the N+1 pattern) is fast on a test
database and slow on the national one. Each test builds 10 rows, counts the queries of a request to each
page that lists them, builds 50 more, and counts again; a difference names the page and shows the extra
SQL. Sixty rows are more than two of the planner's pages of 25, so a paged list shows a full page, most of
it rows the first count never saw; the admin's pages hold 100, so its lists are counted at 10 and 110.
Pages that list the same rows share a test, so the rows (the slow part) are built once for them all.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schools.factories import SchoolContactFactory, SchoolFactory
from sessions.factories import (
    AssignmentFactory,
    CoverRequestFactory,
    UnavailabilityFactory,
    UserFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import SessionType, Visit, stored_problems

HTMX = {"HX-Request": "true"}

pytestmark = pytest.mark.django_db

FEW, MANY = 10, 60
ADMIN_PAGE = 100  # rows on a page of the admin's lists
SOON = timezone.localdate() + timedelta(days=14)


def queries_for(client, url: str, headers: dict | None = None) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return len(captured), [q["sql"] for q in captured.captured_queries]


def added_in_bulk(add_rows, n: int) -> None:
    """`add_rows(n)` as a bulk write makes its rows: each visit's stored errors and each school's last visit
    are worked out once, after all of them, rather than on every save (sessions/models/stored_problems.py,
    which tests that the two give the same values). The lists then read what they would have read."""
    with stored_problems.paused():
        add_rows(n)
    stored_problems.refresh(Q())
    stored_problems.refresh_last_visits(Q())


def assert_each_constant(client, pages: list[tuple[str, dict | None]], add_rows, rows: int = MANY) -> None:
    """`add_rows(n)` adds n more rows to the lists at each (url, headers) of `pages`; no page's query count
    may change. Every page is asked in the same order both times, so what one request leaves cached for the
    next is the same for few rows as for many."""
    added_in_bulk(add_rows, FEW)
    few = [queries_for(client, url, headers) for url, headers in pages]
    added_in_bulk(add_rows, rows - FEW)
    many = [queries_for(client, url, headers) for url, headers in pages]
    grown = []
    for (url, headers), (few_count, few_sql), (many_count, many_sql) in zip(pages, few, many, strict=True):
        if few_count != many_count:
            extra = [sql for sql in many_sql if sql not in few_sql][:5]
            grown.append(f"{url}{' (htmx)' if headers else ''}: {few_count} queries for {FEW} rows, {many_count} "
                         f"for {rows}. New queries, e.g.:\n" + "\n".join(extra))
    assert not grown, "\n\n".join(grown)


def assert_constant(client, url: str, add_rows, headers: dict | None = None) -> None:
    """`add_rows(n)` adds n more rows to the list at `url`; the query count must not change."""
    assert_each_constant(client, [(url, headers)], add_rows)


def visits_in(area, *, day=SOON, with_volunteer=True):
    assembly = SessionType.objects.get(slug="assembly-ks2")

    def add(n: int) -> None:
        for i in range(n):
            visit = VisitFactory(school=SchoolFactory(in_area=area), date=day, starts_at=time(9, i % 50),
                                 ends_at=time(10, i % 50))
            VisitSessionFactory(visit=visit, session_type=assembly)
            if with_volunteer:
                AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[area]))
    return add


# --- the coordinators' pages and fragments

def test_the_dashboard_calendar_and_calendar_feed_cost_the_same_for_10_or_60_visits(coordinator_client):
    week = SOON - timedelta(days=SOON.weekday())
    assert_each_constant(coordinator_client, [
        ("/plan/", None),
        (f"/plan/calendar/?week={week}", None),
        (f"/plan/calendar/?week={week}", HTMX),
        (f"/plan/calendar/?month={SOON:%Y-%m}", None),
        (f"/plan/calendar/?month={SOON:%Y-%m}", HTMX),
        (f"/calendar/{coordinator_client.coordinator.calendar_token}.ics", None),
    ], visits_in(coordinator_client.area))


@pytest.mark.parametrize(("url", "headers"), [
    ("/plan/due/", None), ("/plan/due/", HTMX), ("/plan/due/?q=Primary", HTMX), ("/plan/schools/", None),
    ("/plan/schools/?q=Primary", HTMX),
], ids=["due", "due fragment", "due search fragment", "schools", "schools search fragment"])
def test_the_school_lists_cost_the_same_for_10_or_60_schools(coordinator_client, url, headers):
    def add(n):
        for _ in range(n):
            SchoolFactory(in_area=coordinator_client.area)
    assert_constant(coordinator_client, url, add, headers)


def test_a_school_page_costs_the_same_for_10_or_60_visits_and_contacts(coordinator_client):
    school = SchoolFactory(in_area=coordinator_client.area)
    assembly = SessionType.objects.get(slug="assembly-ks2")

    def add(n):
        for i in range(n):
            visit = VisitFactory(school=school, date=date(2015, 1, 6) + timedelta(days=7 * i),
                                 status=Visit.Status.DELIVERED)
            VisitSessionFactory(visit=visit, session_type=assembly)
            SchoolContactFactory(school=school)
    assert_constant(coordinator_client, f"/plan/schools/{school.urn}/", add)


@pytest.mark.parametrize("part", ["", "staffing/?all=1", "problems/", "cover/"],
                         ids=["visit page", "staffing", "problems", "find cover"])
def test_a_visit_costs_the_same_for_10_or_60_volunteers_in_the_area(coordinator_client, part):
    area = coordinator_client.area
    visit = VisitFactory(school=SchoolFactory(in_area=area), date=SOON)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"))
    elsewhere = VisitFactory(school=SchoolFactory(in_area=area), date=SOON)
    cover = CoverRequestFactory if part == "cover/" else None

    def add(n):
        for i in range(n):
            volunteer = VolunteerFactory(areas=[area])
            if cover and i % 2 == 0:
                cover(visit=visit, volunteer=volunteer)  # asked already: the "asked so far" list grows too
            if i % 3 == 0:
                AssignmentFactory(visit=elsewhere, volunteer=volunteer)  # a clash to explain
            if i % 3 == 1:
                UnavailabilityFactory(volunteer=volunteer, starts_on=SOON, ends_on=SOON)
    headers = HTMX if part else None
    assert_constant(coordinator_client, f"/visits/{visit.pk}/{part}", add, headers)


def test_the_visit_page_reads_its_session_lines_once_for_every_part(coordinator_client):
    visit = VisitFactory(school=SchoolFactory(in_area=coordinator_client.area), date=SOON)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"))
    AssignmentFactory(visit=visit)

    with CaptureQueriesContext(connection) as queries:
        assert coordinator_client.get(f"/visits/{visit.pk}/").status_code == 200

    lines = [q["sql"] for q in queries.captured_queries if 'FROM "school_sessions_visitsession"' in q["sql"]]
    assert len(lines) == 1, "\n".join(lines)


def test_the_live_problems_check_costs_the_same_for_one_session_line_or_four(coordinator_client, visit_data):
    """The session types are read once for every line and each line's choices are not looked up again."""
    school = SchoolFactory(in_area=coordinator_client.area)
    types = list(SessionType.objects.filter(active=True))

    def lines(n: int) -> dict:
        data = visit_data(school, date=SOON.isoformat(), starts_at="09:00", ends_at="15:00")
        data["sessions-TOTAL_FORMS"] = str(n)
        for i in range(n):
            data |= {f"sessions-{i}-session_type": str(types[i % len(types)].pk),
                     f"sessions-{i}-starts_at": f"{9 + i}:00", f"sessions-{i}-year_groups": ["5", "6"],
                     f"sessions-{i}-pupils": "30"}
        return data

    counts = []
    for n in (1, 4):
        with CaptureQueriesContext(connection) as captured:
            response = coordinator_client.post("/visits/new/check/", lines(n), headers=HTMX)
        assert response.status_code == 200
        assert "Choose" not in response.content.decode()  # every line valid: the rules ran on all four
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_the_reports_cost_the_same_for_10_or_60_delivered_visits(coordinator_client):
    pages = [(url, None) for url in ("/reach/", "/reach/reach.csv", "/stats/", "/stats/E23000029/")]
    assert_each_constant(coordinator_client, pages, visits_in(coordinator_client.area, day=date(2025, 3, 4)))


def test_the_coverage_map_costs_the_same_for_10_or_60_schools(coordinator_client):
    area = coordinator_client.area
    made = []

    def add(n):
        for _ in range(n):
            i = len(made)
            made.append(i)
            school = SchoolFactory(in_area=area, easting=440_000 + i * 97, northing=160_000 + i * 53)
            if i % 3 == 0:
                VisitFactory(school=school, date=date(2025, 3, 4), status=Visit.Status.DELIVERED)
            elif i % 3 == 1:
                VisitFactory(school=school, date=SOON, status=Visit.Status.REQUESTED)
    assert_constant(coordinator_client, "/reach/", add, HTMX)


def test_the_volunteer_directory_costs_the_same_for_10_or_60_volunteers(coordinator_client):
    area = coordinator_client.area

    def add(n):
        for i in range(n):
            volunteer = VolunteerFactory(areas=[area], dbs_checked_on=SOON - timedelta(days=400),
                                         training_on=SOON - timedelta(days=400))
            UnavailabilityFactory(volunteer=volunteer, starts_on=SOON + timedelta(days=i % 30),
                                  ends_on=SOON + timedelta(days=i % 30))
            if i % 2:
                AssignmentFactory(visit=VisitFactory(school=SchoolFactory(in_area=area), date=SOON),
                                  volunteer=volunteer, status="accepted")
    pages = [("/plan/volunteers/?page=1", HTMX), ("/plan/volunteers/?clearance=cleared&skill=lead", HTMX)]
    assert_each_constant(coordinator_client, pages, add)


def test_a_volunteers_page_in_the_directory_costs_the_same_for_10_or_60_bookings(coordinator_client):
    area = coordinator_client.area
    volunteer = VolunteerFactory(areas=[area])
    made = []

    def add(n):
        for _ in range(n):
            i = len(made)
            made.append(i)
            day = SOON + timedelta(days=i) if i % 2 else timezone.localdate() - timedelta(days=i + 1)
            AssignmentFactory(visit=VisitFactory(school=SchoolFactory(in_area=area), date=day), volunteer=volunteer)
            UnavailabilityFactory(volunteer=volunteer, starts_on=SOON + timedelta(days=400 + 2 * i),
                                  ends_on=SOON + timedelta(days=400 + 2 * i))
    assert_constant(coordinator_client, f"/plan/volunteers/{volunteer.pk}/", add)


# --- the volunteers' pages

@pytest.fixture
def busy_volunteer(volunteer_client, thames_valley):
    assembly = SessionType.objects.get(slug="assembly-ks2")
    made = []  # a day each, across calls: one volunteer is never booked twice at once

    def add(n):
        for _ in range(n):
            i = len(made)
            made.append(i)
            visit = VisitFactory(school=SchoolFactory(in_area=thames_valley), date=SOON + timedelta(days=i))
            VisitSessionFactory(visit=visit, session_type=assembly)
            AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer,
                              status="invited" if i % 2 else "accepted")
            UnavailabilityFactory(volunteer=volunteer_client.volunteer, starts_on=SOON + timedelta(days=400 + 2 * i),
                                  ends_on=SOON + timedelta(days=400 + 2 * i))
    return add


def test_the_volunteers_pages_and_calendar_feed_cost_the_same_for_10_or_60_visits(volunteer_client, busy_volunteer):
    urls = ["/me/", "/me/unavailable/", "/me/details/", "/me/details.json", "/me/details.csv",
            f"/calendar/{volunteer_client.volunteer.calendar_token}.ics"]
    assert_each_constant(volunteer_client, [(url, None) for url in urls], busy_volunteer)


# --- the admin's lists

def test_the_admin_lists_cost_the_same_for_10_or_110_rows(client, thames_valley):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    def add(n):
        for _ in range(n):
            school = SchoolFactory(in_area=thames_valley)
            SchoolContactFactory(school=school)
            visit = VisitFactory(school=school, date=SOON)
            VisitSessionFactory(visit=visit)
            volunteer = VolunteerFactory(areas=[thames_valley])
            AssignmentFactory(visit=visit, volunteer=volunteer)
            UnavailabilityFactory(volunteer=volunteer)
    # The admin shows 100 rows a page: 110 rows fill it, most of them rows the first count never saw.
    models = ["schools/school", "schools/schoolcontact", "school_sessions/volunteer", "school_sessions/visit",
              "school_sessions/assignment", "school_sessions/unavailability", "school_sessions/visitsession"]
    assert_each_constant(client, [(f"/admin/{model}/", None) for model in models], add, rows=FEW + ADMIN_PAGE)
