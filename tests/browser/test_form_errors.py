"""After a failed submit, by keyboard: focus lands on the error summary at the top (GOV.UK's pattern),
each problem links to its field, and each field's own message sits under it, in its column."""

import pytest
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import CoordinatorFactory, VolunteerFactory
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def area(live_server):
    return Area.objects.get(code="E23000029")


@pytest.mark.parametrize("size_name, viewport", [("desktop", None), ("phone", PHONE)])
def test_a_failed_visit_form_focuses_the_error_summary_and_its_links_lead_to_the_fields(
        live_server, chromium, area, size_name, viewport):
    coordinator = CoordinatorFactory(areas=[area])
    context = open_as(chromium, live_server, coordinator.user, *([viewport] if viewport else []))
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/new/")
    expect(page.get_by_label("Number of pupils")).to_have_value("")

    page.get_by_role("button", name="Save the visit").focus()
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the school: search for it by name, URN or postcode.")
    expect(summary).to_contain_text("Add at least one session: its type, year groups and number of pupils.")
    expect(page.get_by_text("Please submit at least 1 form.")).to_have_count(0)
    screenshot(page, ARTIFACTS / f"form-errors-{size_name}-visit-form.png")

    # The session type's message is under its select, in its own column, not a column of its own.
    select = page.get_by_label("Session type").bounding_box()
    message = page.get_by_role("group", name="Session 1").get_by_text("Choose the session type.").bounding_box()
    assert select["x"] <= message["x"] < select["x"] + select["width"]
    assert message["y"] >= select["y"] + select["height"]

    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Choose the school: search for it by name, URN or postcode.")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Find the school by name, URN or postcode")).to_be_focused()
    context.close()


def test_a_failed_request_form_focuses_its_error_summary(live_server, chromium, area):
    school = SchoolFactory(in_area=area, name="Oak Tree Primary School")
    context = open_as(chromium, live_server, None)
    page = context.new_page()
    page.goto(f"{live_server.url}/request-a-visit/?school={school.urn}")
    page.get_by_label("Your name").fill("Jo Head")
    page.get_by_role("button", name="Send the request").click()

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Give the number of pupils in at least one year group.").click()
    expect(page.get_by_label("Pupils in Reception")).to_be_focused()
    context.close()


def test_on_a_phone_dates_refused_in_place_focus_the_error_summary(live_server, chromium, area):
    volunteer = VolunteerFactory(areas=[area])
    context = open_as(chromium, live_server, volunteer.user, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/unavailable/")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Add these dates").click()

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give the first day you cannot do visits.")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, ARTIFACTS / "form-errors-phone-unavailable.png")
    context.close()
