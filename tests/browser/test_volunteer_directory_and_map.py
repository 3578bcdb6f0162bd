"""A coordinator finds a volunteer in the directory by keyboard, on a desktop and at phone width, and reads
the coverage map on the reach and statistics pages; axe finds nothing serious or critical on any of them.

Screenshots go to test-artifacts/directory-<size>-<page>.png."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from schools.factories import SchoolFactory
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    UnavailabilityFactory,
    VisitFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, Visit
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
SIZES = [("desktop", DESKTOP), ("phone", PHONE)]


def build_world() -> dict:
    area = Area.objects.get(code="E23000029")
    today = timezone.localdate()
    month_ago = today - timedelta(days=30)
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    priya = VolunteerFactory(user__first_name="Priya", user__last_name="Patel", user__email="priya@example.org",
                             areas=[area], dbs_checked_on=month_ago, training_on=month_ago, speaks_welsh=True,
                             postcode="RG1 4QA")
    VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[area], postcode="OX4 1AA",
                     dbs_checked_on=today - timedelta(days=3 * 365 - 20), training_on=month_ago, may_lead=False)
    VolunteerFactory(user__first_name="Sam", user__last_name="Okafor", areas=[area], dbs_checked_on=None,
                     send_experience=True, postcode="SL1 1AA")
    UnavailabilityFactory(volunteer=priya, starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=14))
    # Schools across the area at their register coordinates, in each state.
    for i in range(60):
        school = SchoolFactory(in_area=area, name=f"Primary {i}", easting=440_000 + (i * 7919) % 80_000,
                               northing=160_000 + (i * 104_729) % 70_000)
        if i % 3 == 0:
            visit = VisitFactory(school=school, date=today - timedelta(days=40 + i), status=Visit.Status.DELIVERED)
            AssignmentFactory(visit=visit, volunteer=priya, status=Assignment.Status.ACCEPTED)
        elif i % 3 == 1 and i % 2:
            VisitFactory(school=school, date=today - timedelta(days=3 * 365), status=Visit.Status.DELIVERED)
        if i % 10 == 4:
            VisitFactory(school=school, date=today + timedelta(days=20), status=Visit.Status.REQUESTED)
    SchoolFactory(in_area=area, name="No Grid Reference Primary")
    coming = VisitFactory(school=SchoolFactory(in_area=area, name="Hazel Primary School", easting=470_000,
                                               northing=175_000), date=today + timedelta(days=7),
                          status=Visit.Status.CONFIRMED)
    AssignmentFactory(visit=coming, volunteer=priya, status=Assignment.Status.ACCEPTED, role=Assignment.Role.LEAD)
    return {"area": area, "coordinator": coordinator, "priya": priya}


def axe_blocking(page, name: str) -> list[str]:
    results = Axe().run(page)
    return [f"{name}: {v['id']} ({v['impact']}) {v['help']}: "
            + "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"])
            for v in results.response["violations"] if v["impact"] in BLOCKING]


def find_a_volunteer(live_server, chromium, world, size_name, viewport):
    context = open_as(chromium, live_server, world["coordinator"].user, viewport)
    page = context.new_page()
    page.goto(live_server.url + "/plan/")
    page.get_by_role("navigation", name="Planning").get_by_role("link", name="Volunteers").click()

    # The click starts a navigation: wait for the new page rather than read the old one.
    page.get_by_role("heading", level=1, name="Volunteers").wait_for()
    page.wait_for_url("**/plan/volunteers/")
    assert page.get_by_role("row").filter(has_text="Okafor").get_by_text("Not cleared").is_visible()
    found = axe_blocking(page, f"{size_name} directory")
    list_width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, ARTIFACTS / f"directory-{size_name}-list.png")

    # By keyboard: type in the search box, the list narrows (htmx), Tab on to the volunteer and open them.
    page.get_by_label("Name or postcode district").focus()
    page.keyboard.type("rg1")
    rows = page.locator("tr.volunteer-row")
    rows.filter(has_text="Okafor").wait_for(state="detached")
    assert rows.count() == 1
    assert "q=rg1" in page.url
    page.get_by_label("Clearance").focus()
    page.keyboard.press("Tab")  # on through the filters to the search button and the results
    for _ in range(6):
        if page.evaluate("document.activeElement.textContent") == "Priya Patel":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Priya Patel"
    page.keyboard.press("Enter")

    page.get_by_role("heading", level=1, name="Priya Patel").wait_for()
    assert page.get_by_role("link", name="priya@example.org").is_visible()
    assert page.get_by_role("link", name="Hazel Primary School").is_visible()
    assert page.get_by_text("Postcode district RG1").is_visible()
    assert not re.search(r"\b4QA\b|RG14QA", page.content())  # not inside a random token's letters
    found += axe_blocking(page, f"{size_name} volunteer page")
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, ARTIFACTS / f"directory-{size_name}-volunteer.png")
    context.close()

    assert list_width <= viewport["width"], f"{size_name}: the list scrolls sideways"
    assert width <= viewport["width"], f"{size_name}: the volunteer's page scrolls sideways"
    assert not found, "\n".join(found)


def read_the_coverage_map(live_server, chromium, world, size_name, viewport):
    context = open_as(chromium, live_server, world["coordinator"].user, viewport)
    page = context.new_page()
    found = []
    for name, address in [("reach", "/reach/"), ("stats-area", f"/stats/{world['area'].code}/")]:
        page.goto(live_server.url + address)
        coverage = page.get_by_role("img", name="Coverage map of")
        assert coverage.is_visible()
        key = page.get_by_role("table", name="Open primary schools in")
        assert key.get_by_role("row", name="Never visited").is_visible()
        assert page.get_by_text("1 school has no map position").is_visible()
        box = coverage.bounding_box()
        assert box["width"] <= viewport["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        found += axe_blocking(page, f"{size_name} {name}")
        screenshot(page, ARTIFACTS / f"directory-{size_name}-{name}.png")
    context.close()

    assert not found, "\n".join(found)


def sort_the_statistics(live_server, chromium, world, size_name, viewport):
    context = open_as(chromium, live_server, world["coordinator"].user, viewport)
    page = context.new_page()
    page.goto(live_server.url + "/stats/")
    table = page.get_by_role("table", name="Latest figure, change and share")
    first_area = table.get_by_role("row").nth(1).get_by_role("rowheader").inner_text()
    page.evaluate("window.notReloaded = true")  # gone if the click loads a whole new page

    heading = table.get_by_role("link", name="Police force area")
    heading.focus()
    page.keyboard.press("Enter")  # ascending by name is already the order: a second press reverses it
    page.wait_for_url("**/stats/?sort=-area")
    table.get_by_role("columnheader", name="Police force area (highest first)").wait_for()

    names = [row.inner_text() for row in table.get_by_role("rowheader").all()]
    assert names == sorted(names, reverse=True) and names[-1] == first_area
    assert page.evaluate("window.notReloaded") is True
    assert table.get_by_role("columnheader", name="Police force area").get_attribute("aria-sort") == "descending"
    found = axe_blocking(page, f"{size_name} statistics sorted")
    screenshot(page, ARTIFACTS / f"statistics-{size_name}-sorted.png")
    context.close()

    assert not found, "\n".join(found)


def at_both_sizes(journey, live_server, chromium) -> None:
    """One world (the journeys read it and change nothing), the journey walked at desktop then phone size."""
    world = build_world()
    for size_name, viewport in SIZES:
        journey(live_server, chromium, world, size_name, viewport)


def test_a_coordinator_finds_a_volunteer_by_keyboard_and_opens_their_page(live_server, chromium):
    at_both_sizes(find_a_volunteer, live_server, chromium)


def test_the_coverage_map_on_the_reach_and_statistics_pages(live_server, chromium):
    at_both_sizes(read_the_coverage_map, live_server, chromium)


def test_the_statistics_table_sorts_by_a_column_heading_by_keyboard_in_place(live_server, chromium):
    at_both_sizes(sort_the_statistics, live_server, chromium)
