"""Staffing a Welsh-medium visit in a real browser: the panel puts the Welsh speakers first with their
distance and skills, warns while nobody on the visit speaks Welsh, offers "as lead" only to those who
may lead, and the warning goes once a Welsh speaker is booked. Screenshots go to test-artifacts/.
"""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from schools.models import School
from sessions.factories import CoordinatorFactory, VisitFactory, VisitSessionFactory, VolunteerFactory
from sessions.models import Assignment, SessionType
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_drop_out_journey import browser, new_page  # noqa: F401 — the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_staffs_a_welsh_medium_visit_with_welsh_speakers(live_server, browser):  # noqa: F811
    area = Area.objects.get(code="W15000003")  # South Wales
    today = date.today()
    cleared = {"dbs_checked_on": today - timedelta(days=60), "training_on": today - timedelta(days=60)}
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    day = today + timedelta(days=14)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    school = SchoolFactory(in_area=area, name="Ysgol Gymraeg Treganna", nation=School.Nation.WALES, welsh_medium=True,
                           postcode="CF11 9AA", easting=317300, northing=175500)
    visit = VisitFactory(school=school, date=day, coordinator=coordinator.user)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"), welsh_language=True)
    VolunteerFactory(user__first_name="John", user__last_name="Smith", areas=[area], postcode="CF11 1AA", **cleared)
    VolunteerFactory(user__first_name="Gareth", user__last_name="Evans", areas=[area], postcode="CF11 2AA",
                     speaks_welsh=True, **cleared)
    VolunteerFactory(user__first_name="Megan", user__last_name="Jones", areas=[area], postcode="SA12 6AA",
                             speaks_welsh=True, may_lead=False, max_travel_km=60, **cleared)

    page = new_page(browser, live_server, coordinator.user)
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("no volunteer on the visit speaks Welsh")
    table = page.get_by_role("table")
    rows = table.get_by_role("row")
    # The header, then the Welsh speakers nearest first, then John.
    expect(rows.nth(1)).to_contain_text("Gareth Evans")
    expect(rows.nth(1)).to_contain_text("Welsh, may lead")
    expect(rows.nth(2)).to_contain_text("Megan Jones")
    expect(rows.nth(2)).to_contain_text("45 km")
    expect(rows.nth(3)).to_contain_text("John Smith")
    expect(page.get_by_role("button", name="Assign Megan Jones as lead")).to_have_count(0)
    screenshot(page, ARTIFACTS / "welsh-visit-1-suggestions.png")

    page.get_by_role("button", name="Assign Gareth Evans as lead").click()
    expect(page.locator("#staffing")).to_contain_text("Gareth Evans is invited as lead.")
    expect(problems).not_to_contain_text("speaks Welsh")
    page.get_by_role("button", name="Assign Megan Jones as support").click()
    expect(page.locator("#staffing")).to_contain_text("Megan Jones is invited as support.")
    screenshot(page, ARTIFACTS / "welsh-visit-2-staffed.png")

    assert {(a.volunteer.user.first_name, a.role) for a in Assignment.objects.filter(visit=visit)} == {
        ("Gareth", "lead"), ("Megan", "support")}
    assert not [p for p in visit.problems() if p.code == "no_welsh_speaker"]
