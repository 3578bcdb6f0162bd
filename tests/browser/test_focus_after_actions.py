"""Where focus goes after each action on the coordinator's visit page and the volunteer's portal, and
what a screen reader hears: the result of the action is focused (the message, tabindex="-1") and read
out through the page's polite live region, present before the swap; from there the next volunteer's
button is a few Tab presses away, not back at the top of the page. Once the visit is confirmed and
staffed the suggestions close. At 390 px the visit page does not scroll sideways and its status
buttons work. axe-core finds nothing serious on the pages as the actions leave them.

Screenshots go to test-artifacts/focus-*.png.
"""

import re
from datetime import date, time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from schools.factories import SchoolFactory, TermDateFactory
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, Visit
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2027, 3, 2)
# Tab presses from an action's result to the next volunteer's button: past the volunteers already on the
# visit and the "Find cover" link, into the suggestions. Focus lost to the page's top took 15 to 21.
FEW_TABS = 5


def build_world() -> dict:
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    school = SchoolFactory(in_area=area, name="Oak Tree Primary School", town="Reading", postcode="RG1 2AB")
    TermDateFactory(local_authority=school.local_authority)  # in term: its calendar is known
    tom = VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[area])
    sam = VolunteerFactory(user__first_name="Sam", user__last_name="Okafor", areas=[area])
    # Priya is at another school that morning: listed with the reason and without buttons.
    priya = VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[area])
    elsewhere = VisitFactory(school=SchoolFactory(in_area=area, name="Cedar Junior School"), date=DAY)
    VisitSessionFactory(visit=elsewhere)
    AssignmentFactory(visit=elsewhere, volunteer=priya, role="lead")
    visit = VisitFactory(school=school, date=DAY, starts_at=time(9, 0), ends_at=time(10, 30),
                         coordinator=coordinator.user)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"), year_groups=[5, 6],
                        pupils=58)
    return {"coordinator": coordinator, "tom": tom, "sam": sam, "visit": visit, "area": area}


def result(page, text: str):
    """The result of the last action, which must hold the focus and be what the live region says."""
    message = page.get_by_role("main").get_by_text(text, exact=True)  # not the live region, outside main
    expect(message).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(text)
    page.wait_for_load_state("networkidle")  # the other regions have refreshed, as a person would see
    expect(message).to_be_focused()
    return message


def tabs_to(page, button) -> int:
    """Press Tab until `button` has the focus; how many presses it took (at most FEW_TABS + 1)."""
    for presses in range(1, FEW_TABS + 2):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            return presses
    return presses


def serious_axe_violations(page, name: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    screenshot(page, ARTIFACTS / f"focus-{name}.png")
    violations = Axe().run(page).response["violations"]
    return [f"{name}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']]}" for v in violations
            if v["impact"] in {"serious", "critical"}]


def test_after_each_action_on_the_visit_page_the_result_has_the_focus_and_is_announced(live_server, chromium):
    world = build_world()
    visit = world["visit"]
    found = []
    context = open_as(chromium, live_server, world["coordinator"].user, DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    expect(page.locator("#announcer")).to_have_attribute("aria-live", "polite")

    # Assign a lead: the message has the focus, and Sam's button is a few Tab presses on.
    page.get_by_role("button", name="Assign Tom Jones as lead").click()
    result(page, "Tom Jones is invited as lead.")
    assign_sam = page.get_by_role("button", name="Assign Sam Okafor as support")
    assert tabs_to(page, assign_sam) <= FEW_TABS
    expect(assign_sam).to_be_focused()

    # A supporter, by keyboard.
    page.keyboard.press("Enter")
    result(page, "Sam Okafor is invited as support.")
    expect(page.locator("#problems")).to_contain_text("Sam Okafor (support) has not answered the invitation")
    found += serious_axe_violations(page, "visit-staffing")

    # Both accept from their portal; the coordinator makes Sam lead.
    page.wait_for_load_state("networkidle")
    visit.assignments.update(status=Assignment.Status.ACCEPTED)
    page.reload()
    page.get_by_role("button", name="Make Sam Okafor lead").click()
    result(page, "Sam Okafor is now the lead.")

    # Confirm: the result is focused, and the suggestions close, replaced by the staffed state.
    page.get_by_role("button", name="Confirm the visit").click()
    result(page, "The visit is now confirmed.")
    staffing = page.locator("#staffing")
    expect(staffing).to_contain_text("Confirmed and staffed: Sam Okafor leads; 2 volunteers have accepted")
    expect(page.get_by_role("region", name="Volunteers for 2 March")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Assign "))).to_have_count(0)
    # The other regions' refresh left it where it was.
    expect(page.get_by_role("main").get_by_text("The visit is now confirmed.", exact=True)).to_be_focused()
    found += serious_axe_violations(page, "visit-confirmed")

    # Another status change: back to proposed, and the suggestions open again.
    page.get_by_role("button", name="Mark as proposed").click()
    result(page, "The visit is now proposed.")
    expect(page.get_by_role("button", name="Assign Priya Patel as lead")).to_have_count(0)
    expect(page.get_by_role("region", name="Volunteers for 2 March")).to_be_visible()

    # Remove a volunteer.
    page.get_by_role("button", name="Remove Tom Jones from the visit").click()
    result(page, "Tom Jones is no longer on this visit.")

    # Find cover, on a page of its own: back on the visit page the message has the focus.
    page.get_by_role("link", name="Find cover").click()
    page.get_by_label("Tom Jones").check()
    page.get_by_role("button", name="Ask them to cover").click()
    expect(page.get_by_role("heading", name="Visit to Oak Tree Primary School")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Asked 1 volunteer to cover: Tom Jones.")).to_be_focused()
    found += serious_axe_violations(page, "visit-after-cover")
    context.close()

    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED
    assert not found, "\n".join(found)


def test_a_volunteer_accepting_or_declining_an_invitation_hears_the_result_where_the_focus_now_is(
        live_server, chromium):
    world = build_world()
    tom = world["tom"]
    invited = AssignmentFactory(visit=world["visit"], volunteer=tom, role="lead", status=Assignment.Status.INVITED)
    later = VisitFactory(school=SchoolFactory(in_area=world["area"], name="Birch Infant School"), date=date(2027, 3, 9))
    VisitSessionFactory(visit=later, session_type=SessionType.objects.get(slug="assembly-ks1"), year_groups=[1, 2])
    AssignmentFactory(visit=later, volunteer=tom, status=Assignment.Status.INVITED)
    found = []
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        Assignment.objects.filter(volunteer=tom).update(status=Assignment.Status.INVITED, decline_reason="",
                                                        responded_at=None)
        context = open_as(chromium, live_server, tom.user, viewport)
        page = context.new_page()
        page.goto(f"{live_server.url}/me/")

        page.get_by_role("button", name="Accept the visit to Oak Tree Primary School on 2 March").click()
        result(page, "Thank you: you are booked. The coordinator has been told.")

        page.get_by_text("Decline to Birch Infant School on 9 March").click()
        page.get_by_role("listitem").filter(has_text="Birch Infant School").get_by_label("Cannot get there").check()
        page.get_by_role("button", name="Decline the visit to Birch Infant School on 9 March").click()
        result(page, "You have declined. The coordinator has been told.")
        found += serious_axe_violations(page, f"portal-{size}")
        context.close()

    invited.refresh_from_db()
    assert invited.status == Assignment.Status.ACCEPTED
    assert not found, "\n".join(found)


def test_on_a_phone_the_visit_page_does_not_scroll_sideways_and_its_status_buttons_work(live_server, chromium):
    world = build_world()
    visit = world["visit"]
    AssignmentFactory(visit=visit, volunteer=world["tom"], role="lead")
    AssignmentFactory(visit=visit, volunteer=world["sam"])
    context = open_as(chromium, live_server, world["coordinator"].user, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    page.get_by_role("button", name="Make Sam Okafor lead").wait_for()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    confirm = page.get_by_role("button", name="Confirm the visit")
    confirm.scroll_into_view_if_needed()
    expect(confirm).to_be_in_viewport()
    box = confirm.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 24
    found = serious_axe_violations(page, "visit-phone")

    confirm.tap()
    result(page, "The visit is now confirmed.")
    expect(page.locator("#staffing")).to_contain_text("Confirmed and staffed")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    found += serious_axe_violations(page, "visit-phone-confirmed")
    context.close()
    assert not found, "\n".join(found)
