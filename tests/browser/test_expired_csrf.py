"""An htmx action whose security token has expired reloads the page (with a fresh token) instead of
swapping an error page into the fragment; after the reload the same action works."""

import pytest
from playwright.sync_api import expect

from sessions.factories import CoordinatorFactory, VolunteerFactory
from sessions.models import Assignment
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_volunteer_phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expired_token_on_an_htmx_button_reloads_the_page_and_then_the_button_works(live_server, chromium, planned_visit):
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(areas=[area])
    visit = planned_visit(area)
    VolunteerFactory(areas=[area], user__first_name="Tom", user__last_name="Jones")
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    log_in(context, live_server, coordinator.user)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    expect(page.locator("#staffing")).to_contain_text("Tom Jones")

    # The token expires: the browser's CSRF cookie no longer matches the one the page was built with.
    context.add_cookies([{"name": "csrftoken", "value": "A" * 32, "url": live_server.url}])
    page.evaluate("window.pageBeforeReload = true")
    with page.expect_navigation():
        page.get_by_role("button", name="Assign Tom Jones as lead").click()

    assert page.evaluate("window.pageBeforeReload") is None  # a fresh page, not a swapped fragment
    assert "This page had expired" not in page.content()
    assert not Assignment.objects.exists()
    page.get_by_role("button", name="Assign Tom Jones as lead").click()
    expect(page.locator("#staffing")).to_contain_text("Tom Jones is invited as lead.")
    screenshot(page, ARTIFACTS / "expired-token-then-assigned.png")
    assert Assignment.objects.get().volunteer.user.last_name == "Jones"
