"""In Chromium: a school asks for a visit at phone width with the keyboard (a weekend refused, then
accepted), asks again and is told its request was added to the one held, and sees the form in Welsh; a
coordinator's calendar names and shades a half-term, an INSET day, a bank holiday and a school's own
closure. axe-core on each, screenshots in test-artifacts/request-*.png and closures-*.png."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from schools.factories import SchoolClosureFactory, SchoolFactory, TermDateFactory
from schools.models import SchoolClosure, TermDate
from sessions.factories import CoordinatorFactory
from sessions.models import Visit, VisitNote
from stats.models import Area, LocalAuthority
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def blocking(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]


def fill_request(page) -> None:
    page.get_by_label("Your name").fill("Mo Ahmed")
    page.get_by_role("radio", name="Class teacher").check()
    page.get_by_label("Your email address").fill("m.ahmed@hawthorn.example")
    page.get_by_label("Your phone number").fill("01632 960123")
    lead = page.get_by_role("group", name="Your school's designated safeguarding lead")
    lead.get_by_label("Their name").fill("Rita Okafor")
    lead.get_by_label("Their phone number").fill("01632 960999")
    page.get_by_role("checkbox", name="Tuesday").check()
    page.get_by_role("radio", name="Mornings").check()
    page.get_by_label("Pupils in Year 5").fill("30")


def test_a_school_asks_for_a_visit_on_a_phone_with_the_keyboard_and_then_asks_again(live_server, chromium):
    school = SchoolFactory(in_area=Area.objects.get(code="E23000029"), name="Hawthorn Primary", town="Didcot")
    context = open_as(chromium, live_server, None, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/request-a-visit/?school={school.urn}")
    expect(page.get_by_role("heading", name="What we keep and why")).to_be_visible()
    assert not blocking(page)
    screenshot(page, ARTIFACTS / "request-1-form-phone.png")

    fill_request(page)
    page.get_by_label("Your first choice of date").fill("2027-03-06")
    page.get_by_role("button", name="Send the request").focus()
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Saturday 6 March 2027 is a weekend. Choose another date.")
    expect(summary).to_be_focused()
    assert not blocking(page)
    screenshot(page, ARTIFACTS / "request-2-weekend-refused-phone.png")
    assert not Visit.objects.exists()

    summary.get_by_role("link", name="Saturday 6 March 2027 is a weekend. Choose another date.").press("Enter")
    expect(page.get_by_label("Your first choice of date")).to_be_focused()
    page.get_by_label("Your first choice of date").fill("2027-03-09")
    page.get_by_role("button", name="Send the request").press("Enter")
    expect(page.get_by_role("heading", name="Thank you: we have your request")).to_be_visible()
    visit = Visit.objects.get()
    assert visit.preferred_weekdays == [1] and visit.safeguarding_lead_name == "Rita Okafor"

    page.goto(f"{live_server.url}/request-a-visit/?school={school.urn}")
    fill_request(page)
    page.get_by_label("Your first choice of date").fill("2027-03-10")
    page.get_by_role("button", name="Send the request").press("Enter")
    expect(page.get_by_role("heading", name="Thank you: we have added this to your school's request")).to_be_visible()
    expect(page.get_by_text(f"We already have your request of {visit.created_at:%-d %B %Y}")).to_be_visible()
    assert not blocking(page)
    screenshot(page, ARTIFACTS / "request-3-added-as-a-note-phone.png")
    assert Visit.objects.count() == 1 and VisitNote.objects.get().visit == visit
    context.close()


def test_the_request_form_in_welsh_for_a_school_in_wales(live_server, chromium):
    school = SchoolFactory(in_area=Area.objects.get(code="W15000003"), name="Ysgol Treganna", nation="wales")
    context = open_as(chromium, live_server, None, DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/request-a-visit/?school={school.urn}")
    page.get_by_role("button", name="Cymraeg").click()

    expect(page.get_by_role("heading", name="Gofyn am ymweliad Speak Out. Stay Safe.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Hoffen ni gael y sesiynau yn Gymraeg")).to_be_visible()
    expect(page.get_by_role("heading", name="Beth rydyn ni'n ei gadw a pham")).to_be_visible()
    assert not blocking(page)
    screenshot(page, ARTIFACTS / "request-4-welsh-desktop.png")
    page.get_by_role("button", name="Anfon y cais").click()
    expect(page.get_by_role("alert").filter(has_text="Mae problem")).to_contain_text("Rhowch eich enw.")
    context.close()


@pytest.mark.parametrize("size_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_calendar_names_and_shades_closed_days(live_server, chromium, size_name, viewport):
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(areas=[area])
    authority = LocalAuthority.objects.filter(police_force=area).order_by("name").first()
    TermDateFactory(local_authority=authority, kind=TermDate.Kind.HALF_TERM, starts_on=date(2027, 5, 31),
                    ends_on=date(2027, 6, 4))
    TermDateFactory(local_authority=authority, kind=TermDate.Kind.INSET, starts_on=date(2027, 5, 7),
                    ends_on=date(2027, 5, 7))
    SchoolClosureFactory(school=SchoolFactory(in_area=area, name="Hawthorn Primary"), kind=SchoolClosure.Kind.CLOSURE,
                         starts_on=date(2027, 5, 6), ends_on=date(2027, 5, 6), reason="polling station")
    context = open_as(chromium, live_server, coordinator.user, viewport)
    page = context.new_page()

    page.goto(f"{live_server.url}/plan/calendar/?month=2027-05")
    expect(page.get_by_text("Bank holiday: May Day")).to_be_visible()
    expect(page.get_by_text(f"INSET day: {authority.name}")).to_be_visible()
    expect(page.get_by_text("Hawthorn Primary: closed")).to_have_attribute(
        "title", "Hawthorn Primary closed, 6 May: polling station.")
    expect(page.get_by_text(f"May half-term: {authority.name}").first).to_be_visible()
    assert not blocking(page)
    screenshot(page, ARTIFACTS / f"closures-month-{size_name}.png")

    page.get_by_role("link", name="Week view").click()
    page.goto(f"{live_server.url}/plan/calendar/?week=2027-05-31")
    expect(page.get_by_text("Bank holiday: Spring Bank Holiday")).to_be_visible()
    assert not blocking(page)
    screenshot(page, ARTIFACTS / f"closures-week-{size_name}.png")
    context.close()
