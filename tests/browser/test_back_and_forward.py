"""Back and Forward across calendar weeks and searches reached through htmx, after visiting another
page, with the back-forward cache off (tests/browser/conftest.py): the browser must get the whole page
again, never the fragment htmx asked for at the same address."""

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import CoordinatorFactory, VisitFactory, VisitSessionFactory
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator_page(live_server, chromium):
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(areas=[area])
    for day, name in [(date(2027, 3, 2), "Alder Primary School"), (date(2027, 3, 9), "Beech Primary School")]:
        visit = VisitFactory(school=SchoolFactory(in_area=area, name=name), date=day,
                             starts_at=time(9, 0), ends_at=time(10, 30))
        VisitSessionFactory(visit=visit)
    SchoolFactory(in_area=area, name="Cherry Tree Primary School")
    context = open_as(chromium, live_server, coordinator.user)
    yield context.new_page()
    context.close()


def expect_whole_page(page, heading: str) -> None:
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("navigation", name="Planning")).to_be_visible()
    expect(page.get_by_role("heading", name=heading, exact=True, level=1)).to_be_visible()


def test_back_to_a_calendar_week_reached_by_next_week_shows_the_whole_page(live_server, coordinator_page):
    page = coordinator_page
    page.goto(f"{live_server.url}/plan/calendar/?week=2027-03-01")
    page.get_by_role("link", name="Next week").click()
    expect(page).to_have_url(re.compile(r"week=2027-03-08"))
    expect(page.get_by_role("heading", name="Week of 8 March 2027")).to_be_visible()
    page.wait_for_load_state("networkidle")

    page.get_by_role("link", name="Beech Primary School").click()
    expect(page.get_by_role("heading", name="Visit to Beech Primary School")).to_be_visible()
    page.go_back()

    expect(page).to_have_url(re.compile(r"week=2027-03-08"))
    expect_whole_page(page, "Calendar")
    expect(page.get_by_role("heading", name="Week of 8 March 2027")).to_be_visible()
    screenshot(page, ARTIFACTS / "back-1-calendar-week.png")

    page.go_forward()
    expect(page.get_by_role("heading", name="Visit to Beech Primary School")).to_be_visible()
    page.go_back()
    expect_whole_page(page, "Calendar")


def test_back_to_a_schools_due_search_after_opening_a_school_shows_the_whole_page(live_server, coordinator_page):
    page = coordinator_page
    page.goto(f"{live_server.url}/plan/due/")
    page.get_by_label("Search by name, URN or postcode").type("cherry")
    expect(page).to_have_url(re.compile(r"q=cherry"))
    expect(page.get_by_role("link", name="Alder Primary School")).to_have_count(0)
    page.wait_for_load_state("networkidle")

    page.get_by_role("link", name="Cherry Tree Primary School", exact=True).click()
    expect(page.get_by_role("heading", name="Cherry Tree Primary School", level=1)).to_be_visible()
    page.go_back()

    expect(page).to_have_url(re.compile(r"q=cherry"))
    expect_whole_page(page, "Schools due a visit")
    expect(page.get_by_label("Search by name, URN or postcode")).to_have_value("cherry")
    screenshot(page, ARTIFACTS / "back-2-schools-due.png")

