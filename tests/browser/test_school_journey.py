"""A school's side of a visit, in Chromium: the coordinator proposes a date for a requested visit, the school
opens its own page from the link in the email it received (read from a real SMTP server), agrees to the
date and names its safeguarding lead; the warning that the school has not agreed leaves the coordinator's
visit page. The school's page passes axe at desktop and phone width (screenshots in test-artifacts/)."""

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from schools.factories import SchoolFactory
from sessions import services
from sessions.factories import CoordinatorFactory, VolunteerFactory
from sessions.models import SessionType, Visit, VisitSession
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_AGREED = "has not yet agreed to this date and time on its visit page"


def requested_visit() -> tuple[Visit, object]:
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", user__email="asha@example.org",
                                     areas=[area])
    VolunteerFactory(areas=[area])
    school = SchoolFactory(in_area=area, name="Oak Tree Primary School", town="Reading")
    visit = services.request_visit(asked=services.VisitRequest(
        school=school, first_date=date(2027, 3, 2), preferred_dates="Any Tuesday in March",
        requester_name="Jo Bloggs", requester_role="teacher", requester_email="jo@oaktree.sch.uk",
        requester_phone="01632 960 111", pupils_by_year={"5": 30, "6": 28}, needs_send=False,
    )).visit
    VisitSession.objects.create(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"),
                                starts_at=visit.starts_at, year_groups=[5, 6], pupils=58)
    return visit, coordinator


def blocking(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}]


def test_the_school_agrees_from_the_emailed_link_and_the_warning_goes(live_server, chromium, smtp_server):
    visit, coordinator = requested_visit()
    planner = open_as(chromium, live_server, coordinator.user).new_page()
    planner.goto(f"{live_server.url}/visits/{visit.pk}/")
    assert NOT_AGREED in planner.locator("#problems").inner_text()

    planner.get_by_role("button", name="Mark as proposed").click()
    planner.get_by_role("main").get_by_text("The visit is now proposed.").wait_for()

    [proposal] = [m for m in smtp_server.messages if m.message["Subject"].startswith("Does Tuesday 2 March suit you?")]
    assert proposal.rcpt_tos == ["jo@oaktree.sch.uk"]
    link = re.search(r"http://\S+/school-visit/[A-Za-z0-9_-]+/", proposal.text()).group(0)

    school = open_as(chromium, live_server, None, PHONE).new_page()
    school.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    assert school.get_by_role("heading", name="Your Speak Out. Stay Safe. visit").is_visible()
    screenshot(school, ARTIFACTS / "school-page-phone-proposed.png")
    assert blocking(school) == []

    when = school.locator("#when")
    when.get_by_label("Your name").fill("Jo Bloggs")
    when.get_by_role("button", name="Yes, Tuesday 2 March suits us").click()
    school.get_by_role("main").get_by_text("Thank you: you have agreed to the date and time.").wait_for()
    assert "Jo Bloggs agreed to this date and time" in school.locator("#when").inner_text()

    details = school.locator("#details")
    details.get_by_label("Name").fill("Helen Ward")
    details.get_by_label("Role").fill("Designated safeguarding lead")
    details.get_by_label("Phone on the day").fill("01632 960 222")
    details.get_by_label("Email").fill("h.ward@oaktree.sch.uk")
    details.get_by_label("Parking and arrival").fill("Staff car park; main entrance.")
    # From the keyboard: to the button and Enter.
    details.get_by_role("button", name="Confirm these details").focus()
    school.keyboard.press("Enter")
    school.get_by_role("main").get_by_text("Thank you: we have your safeguarding lead and arrival details.").wait_for()
    screenshot(school, ARTIFACTS / "school-page-phone-agreed.png")
    assert blocking(school) == []

    visit.refresh_from_db()
    assert visit.school_has_agreed and visit.safeguarding_lead_name == "Helen Ward"
    planner.reload()
    assert NOT_AGREED not in planner.locator("#problems").inner_text()
    said = planner.get_by_role("region", name="What the school said on its page").inner_text()
    assert "Agreed by Jo Bloggs" in said and "Helen Ward, Designated safeguarding lead" in said
    screenshot(planner, ARTIFACTS / "school-agreed-coordinator-visit.png")


@pytest.mark.parametrize("size_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_school_page_its_errors_and_its_404_pass_axe(live_server, chromium, size_name, viewport):
    visit, _ = requested_visit()
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.PROPOSED)
    page = open_as(chromium, live_server, None, viewport).new_page()
    found = []

    page.goto(f"{live_server.url}/school-visit/{visit.school_token}/")
    screenshot(page, ARTIFACTS / f"school-page-{size_name}.png")
    found += blocking(page)
    page.get_by_role("button", name="Confirm these details").click()
    page.get_by_role("main").get_by_text("Give the safeguarding lead's name.").wait_for()
    page.get_by_text("This date does not work for us").click()
    page.locator("#when").get_by_label("A date that works").fill("2027-03-06")
    page.get_by_role("button", name="Send these dates").click()
    page.get_by_text("is a weekend").wait_for()
    page.get_by_text("Cancel this visit").click()
    screenshot(page, ARTIFACTS / f"school-page-{size_name}-errors.png")
    found += blocking(page)
    page.goto(f"{live_server.url}/school-visit/{'x' * 43}/")
    screenshot(page, ARTIFACTS / f"school-page-{size_name}-not-found.png")
    found += blocking(page)

    assert found == []
