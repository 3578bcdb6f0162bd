"""What every page carries: an icon the browser finds, htmx swaps that keep to the Content Security
Policy (htmx's own indicator style is off; the site's stylesheet styles the indicator), and wide tables
that a keyboard can reach and scroll on a phone."""

from datetime import date, time

import pytest
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory, CoordinatorFactory, VisitFactory, VolunteerFactory
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def area(live_server):
    return Area.objects.get(code="E23000029")


def test_pages_ask_for_nothing_missing_and_htmx_swaps_keep_to_the_content_security_policy(
        live_server, chromium, area):
    coordinator = CoordinatorFactory(areas=[area])
    SchoolFactory(in_area=area, name="Cherry Tree Primary School")
    context = open_as(chromium, live_server, coordinator.user)
    page = context.new_page()
    missing, refused = [], []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)

    page.goto(f"{live_server.url}/plan/calendar/?week=2027-03-01")
    page.get_by_role("link", name="Next week").click()
    expect(page.get_by_role("heading", name="Week of 8 March 2027")).to_be_visible()
    page.get_by_role("link", name="Schools due a visit").click()
    page.get_by_label("Search by name, URN or postcode").type("cherry")
    expect(page.get_by_text("1 school due a visit")).to_be_visible()
    page.wait_for_load_state("networkidle")

    # htmx's own indicator style is off (the htmx-config meta): nothing injected a <style> element.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert missing == [] and refused == []
    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.headers["content-type"] == "image/x-icon" and icon.body()[:4] == b"\x00\x00\x01\x00"
    context.close()


def test_on_a_phone_the_table_of_visits_in_your_details_is_reached_and_scrolled_by_keyboard(
        live_server, chromium, area):
    volunteer = VolunteerFactory(areas=[area])
    AssignmentFactory(volunteer=volunteer, visit=VisitFactory(
        school=SchoolFactory(in_area=area, name="Ysgol Gynradd Llanfair Pwllgwyngyll Primary School"),
        date=date(2027, 3, 2), starts_at=time(9, 0), ends_at=time(10, 30)))
    context = open_as(chromium, live_server, volunteer.user, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/details/")
    table = page.get_by_role("region", name="Your visits")
    assert table.evaluate("element => element.scrollWidth > element.clientWidth")  # it does scroll

    for _ in range(40):
        page.keyboard.press("Tab")
        if table.evaluate("element => element === document.activeElement"):
            break
    expect(table).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)  # smooth scrolling
    assert table.evaluate("element => element.scrollLeft") > 0
    screenshot(page, ARTIFACTS / "phone-details-table-focused.png")
    context.close()
