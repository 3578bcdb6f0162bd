"""A drop-out in a real browser: the lead of a confirmed visit declines from their portal, the visit goes
back to proposed by itself and needs cover; the coordinator finds cover; a volunteer claims the visit from
the link in their email (sent through a real SMTP server on this machine); the coordinator confirms it
again. Screenshots go to test-artifacts/.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from schools.factories import SchoolFactory, TermDateFactory
from schools.models import academic_year_of
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, Visit, Volunteer
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_volunteer_phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(chromium):
    return chromium


def new_page(browser, live_server, user=None, **size):
    context = browser.new_context(viewport=size or {"width": 1024, "height": 800}, locale="en-GB")
    context.set_default_timeout(10_000)
    if user is not None:
        log_in(context, live_server, user)
    return context.new_page()


def test_a_lead_drops_out_a_volunteer_covers_from_the_emailed_link_and_the_visit_is_confirmed_again(
    live_server, browser, smtp_server
):
    area = Area.objects.get(code="E23000029")
    cleared = {"dbs_checked_on": date(2026, 1, 5), "training_on": date(2026, 1, 5)}
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    day = date.today() + timedelta(days=4)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    visit = VisitFactory(school=SchoolFactory(in_area=area, name="St Mark's Primary School"), date=day,
                         coordinator=coordinator.user, school_agreed=True)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"))
    TermDateFactory(local_authority=visit.school.local_authority, academic_year=academic_year_of(day),
                    starts_on=day - timedelta(days=3), ends_on=day + timedelta(days=3))  # in term time
    sam = VolunteerFactory(user__first_name="Sam", user__last_name="Okafor", areas=[area], **cleared)
    tom = VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[area], **cleared)
    AssignmentFactory(visit=visit, volunteer=sam, role="lead")
    AssignmentFactory(visit=visit, volunteer=tom, role="support")
    ffion = VolunteerFactory(user__first_name="Ffion", user__last_name="Hughes", areas=[area], **cleared)
    visit.change_status(Visit.Status.CONFIRMED, by=coordinator.user)

    # Sam, the lead, falls ill and declines from their visits page, giving the reason.
    page = new_page(browser, live_server, sam.user)
    page.goto(f"{live_server.url}/me/")
    page.get_by_text("I can no longer go").click()
    page.get_by_label("Ill or unwell").check()
    page.get_by_role("button", name=re.compile("Decline the visit")).click()
    expect(page.get_by_role("main").get_by_text("You have declined. The coordinator has been told.")).to_be_focused()
    screenshot(page, ARTIFACTS / "drop-out-1-declined.png")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED and visit.cover_needed_since is not None

    # The coordinator sees it at the top of the dashboard, and finds cover.
    page = new_page(browser, live_server, coordinator.user)
    page.goto(f"{live_server.url}/plan/")
    cover = page.locator("section", has=page.get_by_role("heading", name=re.compile("Needs cover")))
    expect(cover).to_contain_text("St Mark's Primary School")
    expect(page.get_by_role("heading", name=re.compile("Was confirmed, now needs attention"))).to_be_visible()
    screenshot(page, ARTIFACTS / "drop-out-2-dashboard.png")
    cover.get_by_role("link", name=re.compile("Find cover")).click()
    expect(page.get_by_role("heading", name="Find cover for St Mark's Primary School")).to_be_visible()
    expect(page.get_by_text("Missing: no lead; 1 of 2 volunteers accepted.")).to_be_visible()
    page.get_by_label("Ffion Hughes").check()
    sent_before = len(smtp_server.messages)
    page.get_by_role("button", name="Ask them to cover").click()
    expect(page.get_by_role("main").get_by_text("Asked 1 volunteer to cover: Ffion Hughes.")).to_be_visible()

    # Ffion follows the link in her email, on her phone, and is booked as the lead.
    [ask] = [m for m in smtp_server.messages[sent_before:] if m.rcpt_tos == [ffion.user.email]]
    link = re.search(r"http\S+/cover/\S+/", ask.text()).group(0).replace("http://127.0.0.1:8000", live_server.url)
    phone = new_page(browser, live_server, width=390, height=844)
    phone.goto(link)
    phone.get_by_role("button", name="I can cover this visit").click()
    expect(phone.get_by_text(re.compile("You are booked as the lead for St Mark's Primary School"))).to_be_visible()
    screenshot(phone, ARTIFACTS / "drop-out-3-covered-on-a-phone.png")
    assert Assignment.objects.get(visit=visit, volunteer=ffion).role == "lead"

    # The coordinator confirms the visit again.
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    expect(page.locator("#problems")).to_contain_text("No problems found.")
    page.get_by_role("button", name="Confirm the visit").click()
    expect(page.locator("#workflow")).to_contain_text("The visit is now confirmed.")
    screenshot(page, ARTIFACTS / "drop-out-4-confirmed-again.png")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CONFIRMED and visit.unconfirmed_at is None and not visit.cover_needed_since
    assert Volunteer.objects.count() == 3
