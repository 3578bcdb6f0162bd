"""A volunteer on a phone (390×844): accepts an invitation and adds unavailable dates, in place.

Runs a real browser (headless Chromium through Playwright) against the live test server. The live
server's database is emptied between tests, so the reference data is loaded here.
"""

from datetime import date, time
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, Unavailability, Visit
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, CHROMIUM, screenshot

playwright = pytest.importorskip("playwright.sync_api")



pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def phone(chromium):
    return chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB")


def log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_volunteer_on_a_phone_accepts_an_invitation_and_adds_unavailable_dates(live_server, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(user__email="asha@example.org", areas=[area])
    volunteer = VolunteerFactory(
        user__first_name="Priya", user__last_name="Patel", areas=[area],
        dbs_checked_on=date(2025, 6, 1), training_on=date(2025, 6, 8),
    )
    visit = VisitFactory(
        school__name="Oakfield Primary School", school__town="Reading", school__in_area=area,
        coordinator=coordinator.user, status=Visit.Status.PROPOSED, starts_at=time(9, 0), ends_at=time(10, 30),
    )
    VisitSessionFactory(visit=visit, year_groups=[5, 6])
    invitation = AssignmentFactory(visit=visit, volunteer=volunteer, role=Assignment.Role.LEAD,
                                   status=Assignment.Status.INVITED)
    AssignmentFactory(visit=visit, volunteer__user__first_name="Sam", volunteer__user__last_name="Jones")
    mail.outbox.clear()

    log_in(phone, live_server, volunteer.user)
    page = phone.new_page()
    page.goto(f"{live_server.url}/me/")
    assert page.get_by_text("1 invitation waiting for your answer.").is_visible()
    screenshot(page, ARTIFACTS / "phone-1-invitation.png")

    # The Accept button is large enough to tap and answers in place, without a page load.
    accept = page.get_by_role("button", name="Accept the visit to Oakfield Primary School")
    box = accept.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 390
    page.evaluate("window.notReloaded = true")
    accept.click()
    page.get_by_role("main").get_by_text("Thank you: you are booked. The coordinator has been told.").wait_for()
    page.get_by_role("main").get_by_text("No invitations waiting for your answer.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_text("You: lead, accepted").is_visible()
    screenshot(page, ARTIFACTS / "phone-2-accepted.png")
    invitation.refresh_from_db()
    assert invitation.status == Assignment.Status.ACCEPTED

    # Unavailable dates over the visit: the volunteer is warned and decides to add them anyway.
    page.get_by_role("link", name="Unavailable dates").click()
    page.get_by_label("First day").fill("2027-03-01")
    page.get_by_label("Last day").fill("2027-03-03")
    page.get_by_label("Reason (optional)").fill("Family wedding")
    page.get_by_role("button", name="Add these dates").click()
    page.get_by_text("Warning: these dates cover a visit you are on:").wait_for()
    assert not Unavailability.objects.exists()
    screenshot(page, ARTIFACTS / "phone-3-clash-warning.png")

    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Add anyway and tell the coordinator").click()
    page.get_by_role("main").get_by_text("The coordinator has been told about the visits these dates cover.").wait_for()
    # The list refreshes itself on the event the form's response carried.
    page.locator("#unavailable-list").get_by_text("Mon 1 March 2027 to Wed 3 March 2027").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen
    screenshot(page, ARTIFACTS / "phone-4-range-added.png")

    absence = volunteer.unavailabilities.get()
    assert (absence.starts_on.isoformat(), absence.reason) == ("2027-03-01", "Family wedding")
    told = [m for m in mail.outbox if m.to == ["asha@example.org"]]
    assert len(told) == 1 and "Priya Patel is unavailable" in told[0].subject
