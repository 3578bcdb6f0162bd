"""A coordinator's journey in a real browser (headless Chromium through Playwright, tablet size):
find a school that is due, plan a visit on Easter Monday, see the problem appear and fix it, staff the
visit with two volunteers (one who is booked elsewhere is refused), confirm it, and find it on the
calendar. Screenshots go to test-artifacts/.

The live server's database is emptied between tests, so the reference data is loaded here.
"""

import re
from datetime import date, time

import pytest
from django.utils import timezone

# No skip: `make test` installs Chromium, and a browser test that silently does not run proves nothing.
from playwright.sync_api import expect

from schools.factories import SchoolFactory, TermDateFactory
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Visit
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, screenshot

PASSWORD = "correct horse battery staple"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The live server (tests/browser/conftest.py) serves one request at a time: with SQLite the test database
# lives in memory on one connection, and htmx refreshes two regions at once after a change.


@pytest.fixture
def tablet(chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_coordinator_plans_staffs_and_confirms_a_visit_to_a_school_that_is_due(live_server, tablet):
    thames_valley = Area.objects.get(code="E23000029")
    CoordinatorFactory(user__username="asha", user__first_name="Asha", user__last_name="Khan", areas=[thames_valley])
    oak = SchoolFactory(in_area=thames_valley, name="Oak Tree Primary School", town="Reading")
    TermDateFactory(local_authority=oak.local_authority)  # 2026/27 in term: its calendar is known
    SchoolFactory(in_area=thames_valley, name="Birch Infant School", town="Slough")
    priya = VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[thames_valley])
    VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[thames_valley])
    VolunteerFactory(user__first_name="Sam", user__last_name="Okafor", areas=[thames_valley])
    # Priya is already at another school on the morning the visit will move to.
    elsewhere = VisitFactory(school=SchoolFactory(in_area=thames_valley, name="Cedar Junior School"),
                             date=date(2027, 3, 30), starts_at=time(9, 0), ends_at=time(10, 30))
    VisitSessionFactory(visit=elsewhere)
    AssignmentFactory(visit=elsewhere, volunteer=priya)
    page = tablet

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Planning")).to_be_visible()

    # Find a school that is due, searching as you type.
    page.get_by_role("link", name="Schools due a visit").click()
    page.get_by_label("Search by name, URN or postcode").type("oak tree")
    expect(page.locator("#results")).not_to_contain_text("Birch Infant School")
    expect(page).to_have_url(re.compile(r"q=oak(%20|\+)tree"))
    screenshot(page, ARTIFACTS / "coordinator-1-schools-due.png")
    page.get_by_role("link", name="Plan a visit to Oak Tree Primary School").click()

    # Plan it on Easter Monday: the problem appears before saving.
    expect(page.get_by_label("Oak Tree Primary School")).to_be_checked()
    page.get_by_label("Session type").select_option(label="Assembly for Key Stage 2")
    page.get_by_label("Year 5").check()
    page.get_by_label("Year 6").check()
    page.get_by_label("Number of pupils").fill("58")
    page.get_by_label("Date").fill("2027-03-29")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Easter Monday is a bank holiday in England.")
    assert not Visit.objects.filter(school=oak).exists()
    screenshot(page, ARTIFACTS / "coordinator-2-easter-monday.png")

    # Fix it: the next day.
    page.get_by_label("Date").fill("2027-03-30")
    expect(problems).not_to_contain_text("Easter Monday")
    expect(problems).to_contain_text("The sessions need 2 volunteers; 0 are assigned.")
    page.get_by_role("button", name="Save the visit").click()
    expect(page.get_by_role("heading", name="Visit to Oak Tree Primary School")).to_be_visible()
    visit = Visit.objects.get(school=oak)

    # Staff it: Priya is booked elsewhere, shown with the reason and no way to assign her; Tom and Sam are taken.
    staffing = page.locator("#staffing")
    expect(staffing.locator("tr", has_text="Priya Patel")).to_contain_text("is already at Cedar Junior School 09:00–10:30")
    expect(page.get_by_role("button", name="Assign Priya Patel as lead")).to_have_count(0)
    page.get_by_role("button", name="Assign Tom Jones as lead").click()
    expect(staffing).to_contain_text("Tom Jones is invited as lead.")
    expect(problems).to_contain_text("1 is assigned")
    page.get_by_role("button", name="Assign Sam Okafor as support").click()
    expect(staffing).to_contain_text("Sam Okafor is invited as support.")
    # Invited is not yet accepted: the panel says so, and confirming would refuse it.
    expect(problems).to_contain_text("Tom Jones (lead) has not answered the invitation")
    expect(problems).to_contain_text("Sam Okafor (support) has not answered the invitation")
    page.wait_for_load_state("networkidle")
    visit.assignments.update(status="accepted", responded_at=timezone.now())  # both accept from their portal
    page.reload()
    # Staffed; what is left is the school's word, which comes from its own page (a warning).
    expect(problems).not_to_contain_text("has not answered")
    expect(problems.get_by_role("listitem")).to_have_count(1)
    expect(problems).to_contain_text("has not yet agreed to this date and time on its visit page")
    screenshot(page, ARTIFACTS / "coordinator-3-staffed.png")

    # Confirm it.
    page.get_by_role("button", name="Confirm the visit").click()
    expect(page.locator("#workflow")).to_contain_text("The visit is now confirmed.")
    expect(page.locator("#workflow")).to_contain_text("Proposed → Confirmed by Asha Khan")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CONFIRMED
    assert {a.volunteer.name for a in visit.assignments.all()} == {"Tom Jones", "Sam Okafor"}

    # Find it on the calendar: month view, forward to March 2027, only the calendar swapped.
    page.wait_for_load_state("networkidle")  # the regions that listen for visitChanged have refreshed
    page.get_by_role("link", name="Calendar", exact=True).click()
    expect(page.get_by_role("heading", name="Calendar", exact=True)).to_be_visible()
    page.get_by_role("link", name="Month view").click()
    title = page.locator("#calendar-title")
    expect(title).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{4}$"))
    step = "Next month" if timezone.localdate() < date(2027, 3, 1) else "Previous month"
    for _ in range(36):
        if title.inner_text() == "March 2027":
            break
        shown = title.inner_text()
        page.get_by_role("link", name=step).click()
        expect(title).not_to_have_text(shown)
    expect(title).to_have_text("March 2027")
    expect(page).to_have_url(re.compile(r"month=2027-03"))
    day = page.locator(".day", has_text="Tue 30 Mar")
    expect(day).to_contain_text("Oak Tree Primary School")
    expect(day.locator(".cal-visit", has_text="Oak Tree")).to_contain_text("Confirmed")
    screenshot(page, ARTIFACTS / "coordinator-4-calendar.png")

    # Filtering keeps the month shown and swaps only the calendar.
    page.get_by_label("Status").select_option(label="Confirmed")
    expect(page).to_have_url(re.compile(r"month=2027-03.*status=confirmed"))
    expect(title).to_have_text("March 2027")
    expect(day).to_contain_text("Oak Tree Primary School")
    expect(day).not_to_contain_text("Cedar Junior School")

    # Back returns to what was shown before, as a bookmarkable address.
    page.go_back()
    expect(page).to_have_url(re.compile(r"month=2027-03$"))
    expect(page.locator("#calendar")).to_contain_text("Cedar Junior School")
