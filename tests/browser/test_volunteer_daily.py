"""A volunteer on a phone: copies the feed address in one tap (or subscribes through webcal://), sees
where each school is, and a visit they decline leaves a line saying so instead of vanishing."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions.factories import AssignmentFactory, VisitFactory, VisitSessionFactory, VolunteerFactory
from sessions.models import Assignment
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def volunteer(live_server):
    area = Area.objects.get(code="E23000029")
    volunteer = VolunteerFactory(areas=[area], user__first_name="Priya", user__last_name="Patel")
    visit = VisitFactory(school__in_area=area, school__name="Oakfield Primary School", school__street="12 Acacia Avenue",
                         school__town="Reading", school__postcode="RG1 2AB", starts_at=time(9, 0), ends_at=time(10, 30),
                         date=timezone.localdate() + timedelta(days=30))
    VisitSessionFactory(visit=visit, year_groups=[5, 6])
    AssignmentFactory(visit=visit, volunteer=volunteer, status=Assignment.Status.INVITED)
    return volunteer


def test_on_a_phone_the_feed_address_is_copied_with_one_tap_or_opened_by_webcal(live_server, chromium, volunteer):
    context = open_as(chromium, live_server, volunteer.user, PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/calendar/")

    address = page.get_by_label("Feed address").input_value()
    subscribe = page.get_by_role("link", name="Subscribe in your calendar app")
    assert subscribe.get_attribute("href") == "webcal://" + address.split("://", 1)[1]
    page.get_by_role("button", name="Copy the address").click()

    expect(page.get_by_role("status")).to_have_text("Copied: paste it into your calendar app.")
    assert page.evaluate("navigator.clipboard.readText()") == address
    screenshot(page, ARTIFACTS / "phone-feed-page.png")
    context.close()


def test_on_a_phone_each_card_shows_the_address_and_a_declined_visit_leaves_a_line_saying_so(
        live_server, chromium, volunteer):
    context = open_as(chromium, live_server, volunteer.user, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/")
    expect(page.get_by_text("12 Acacia Avenue, Reading, RG1 2AB")).to_be_visible()
    screenshot(page, ARTIFACTS / "phone-portal-card-with-address.png")

    # Declined (here, or on another device): the next time the page is opened it says so.
    volunteer.assignments.update(status=Assignment.Status.DECLINED)
    page.reload()

    expect(page.get_by_text("You declined the visit to Oakfield Primary School on")).to_be_visible()
    expect(page.get_by_role("button", name="Accept the visit to Oakfield Primary School")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, ARTIFACTS / "phone-portal-declined.png")
    context.close()
