"""A busy day in the calendar week, by keyboard: the day lists its first visits, says how many more there
are, and its link lists the whole day in place; axe finds nothing serious. Screenshots go to
test-artifacts/calendar-busy-day-<size>-<state>.png."""

from datetime import date, time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import CoordinatorFactory, VisitFactory
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_a_busy_day_lists_its_first_visits_and_the_link_lists_them_all(live_server, chromium, size_name, viewport):
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(areas=[area])
    for n in range(12):
        VisitFactory(school=SchoolFactory(in_area=area, name=f"Primary {n:02d}"), date=date(2027, 3, 2),
                     starts_at=time(8, n * 4), ends_at=time(10, n * 4))
    context = open_as(chromium, live_server, coordinator.user, viewport)
    page = context.new_page()
    page.goto(live_server.url + "/plan/calendar/?week=2027-03-01")

    tuesday = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Tue 2 Mar"))
    expect(tuesday.get_by_role("link", name="Primary 07")).to_be_visible()
    expect(tuesday.get_by_role("link", name="Primary 08")).to_have_count(0)
    screenshot(page, ARTIFACTS / f"calendar-busy-day-{size_name}-first.png")
    more = tuesday.get_by_role("link", name="Show all 12 visits on Tuesday 2 March")
    expect(tuesday).to_contain_text("(4 more)")

    more.focus()
    page.keyboard.press("Enter")
    expect(tuesday.get_by_role("link", name="Primary 11")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/plan/calendar/?week=2027-03-01&day=2027-03-02")
    assert tuesday.get_by_role("link", name="Show all 12 visits on Tuesday 2 March").count() == 0
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, ARTIFACTS / f"calendar-busy-day-{size_name}-whole.png")
    context.close()

    assert not violations, violations
    assert width <= viewport["width"]
