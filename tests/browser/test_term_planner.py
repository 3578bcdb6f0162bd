"""Planning a term in a real browser: a coordinator asks for next year's autumn term from the dashboard,
reads the draft, ticks two visits (one by keyboard), creates them and finds them on the calendar; at phone
width too, with axe-core on the form and the draft. Screenshots go to test-artifacts/.
"""

from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from schools.factories import SchoolFactory, TermDateFactory
from schools.models import TermDate, academic_year_label, academic_year_of
from sessions.factories import CoordinatorFactory, VolunteerFactory
from sessions.models import TermDraft, Visit
from stats.models import Area, LocalAuthority
from tests.browser.conftest import ARTIFACTS, PHONE, screenshot
from tests.browser.test_drop_out_journey import browser, new_page  # noqa: F401 — the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = {"serious", "critical"}


def no_blocking_violations(page) -> None:
    results = Axe().run(page)
    found = [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
             if v["impact"] in BLOCKING]
    assert not found, found


def build_world():
    area = Area.objects.get(code="E23000029")
    year = academic_year_of(timezone.localdate()) + 1
    la = LocalAuthority.objects.filter(police_force=area).order_by("code").first()
    TermDateFactory(local_authority=la, academic_year=year, kind=TermDate.Kind.TERM,
                    starts_on=date(year, 9, 3), ends_on=date(year, 12, 18))
    names = ["Alder Primary School", "Birchwood Primary School", "Cedar Infant School"]
    for n, name in enumerate(names):
        SchoolFactory(local_authority=la, name=name, easting=471685 + 800 * n, northing=173017)
    cleared = timezone.localdate() - timedelta(days=30)
    for n, (first, last) in enumerate([("Sam", "Okafor"), ("Priya", "Shah"), ("Tom", "Hughes"), ("Ann", "Lee")]):
        VolunteerFactory(areas=[area], user__first_name=first, user__last_name=last, may_lead=n < 2,
                         dbs_checked_on=cleared, training_on=cleared)
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    return coordinator, year, names


def test_a_coordinator_plans_a_term_creates_the_ticked_visits_and_finds_them_on_the_calendar(
    live_server, browser  # noqa: F811
):
    coordinator, year, names = build_world()
    page = new_page(browser, live_server, coordinator.user)
    page.goto(f"{live_server.url}/plan/")
    page.get_by_role("link", name="Plan a term").first.click()
    expect(page.get_by_role("heading", name="Plan a term")).to_be_visible()
    page.get_by_label("Academic year").select_option(label=academic_year_label(year))
    page.get_by_label("Term").select_option(label="Autumn")
    expect(page.get_by_role("checkbox", name="Thames Valley")).to_be_checked()
    page.get_by_role("checkbox", name="Friday").check()
    no_blocking_violations(page)
    screenshot(page, ARTIFACTS / "term-planner-1-form.png")
    page.get_by_role("button", name="Plan the term").click()

    expect(page.get_by_role("heading", name=f"Draft of the autumn term {academic_year_label(year)}")).to_be_visible()
    expect(page.get_by_text("3 visits proposed, 0 schools left out")).to_be_visible()
    page.get_by_text(f"Why {names[0]}").click()
    row = page.locator("li.term-row", has=page.get_by_role("checkbox", name=names[0]))
    expect(row.get_by_text("Why this school: it has never had a visit.")).to_be_visible()
    expect(row.get_by_text("(lead): ")).to_contain_text("may lead")
    no_blocking_violations(page)
    screenshot(page, ARTIFACTS / "term-planner-2-draft.png")
    page.get_by_role("checkbox", name=names[0]).check()
    # The second by keyboard: focus its box and press Space.
    page.get_by_role("checkbox", name=names[1]).focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name=names[1])).to_be_checked()
    page.get_by_role("button", name="Create the ticked visits").click()

    expect(page.get_by_role("status")).to_contain_text("Created 2 proposed visits; the volunteers have been invited.")
    expect(page.get_by_text("Created as a proposed visit")).to_have_count(2)
    screenshot(page, ARTIFACTS / "term-planner-3-created.png")
    created = list(Visit.objects.order_by("school__name"))
    assert [v.school.name for v in created] == names[:2]
    assert all(v.status == Visit.Status.PROPOSED and v.date.weekday() != 4 for v in created)
    for visit in created:
        page.goto(f"{live_server.url}/plan/calendar/?month={visit.date:%Y-%m}")
        expect(page.get_by_role("link", name=visit.school.name).first).to_be_visible()
    screenshot(page, ARTIFACTS / "term-planner-4-calendar.png")


def test_the_draft_reads_at_phone_width(live_server, browser):  # noqa: F811
    coordinator, year, names = build_world()
    page = new_page(browser, live_server, coordinator.user, **PHONE)
    page.goto(f"{live_server.url}/plan/term/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    no_blocking_violations(page)
    screenshot(page, ARTIFACTS / "term-planner-phone-form.png")
    page.get_by_label("Academic year").select_option(label=academic_year_label(year))
    page.get_by_label("Term").select_option(label="Autumn")
    page.get_by_role("button", name="Plan the term").click()
    expect(page.get_by_role("checkbox", name=names[2])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    no_blocking_violations(page)
    screenshot(page, ARTIFACTS / "term-planner-phone.png")
    assert TermDraft.objects.get().status == TermDraft.Status.DONE
