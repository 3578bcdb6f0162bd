"""The admin's school and visit pages in a real browser under the strict Content Security Policy:
the scripts they rely on (autocomplete, "add another" inline rows) run, and nothing is refused."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from schools.factories import SchoolContactFactory, SchoolFactory
from sessions.factories import AssignmentFactory, UserFactory, VisitFactory, VisitSessionFactory, VolunteerFactory
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, CHROMIUM, screenshot
from tests.browser.test_volunteer_phone import log_in

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def desk(chromium):
    return chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")


def test_data_entry_staff_edit_a_school_and_a_visit_with_no_script_refused(live_server, desk):
    ARTIFACTS.mkdir(exist_ok=True)
    area = Area.objects.get(code="E23000029")
    school = SchoolFactory(name="Riverside Primary School", in_area=area)
    SchoolContactFactory(school=school, name="Jo Marsh")
    visit = VisitFactory(school=school)
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit)
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Data entry"))
    log_in(desk, live_server, user)
    page = desk.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"error: {error}"))
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)

    page.goto(f"{live_server.url}/admin/schools/school/{school.pk}/change/")
    assert page.locator("text=Never visited").is_visible()
    page.get_by_text("Add another School contact").click()
    assert page.locator("#id_contacts-1-name").is_visible()
    screenshot(page, ARTIFACTS / "admin-school.png")

    page.goto(f"{live_server.url}/admin/school_sessions/visit/{visit.pk}/change/")
    page.locator("#select2-id_school-container").click()
    page.locator(".select2-search__field").fill("Riverside")
    # The autocomplete answers over the network: wait for it (a loaded machine answers slowly).
    playwright.expect(page.locator(".select2-results__option", has_text="Riverside Primary School").first).to_be_visible()
    page.keyboard.press("Escape")
    assert page.get_by_text("The sessions need 2 volunteers; 1 is assigned.").is_visible()
    screenshot(page, ARTIFACTS / "admin-visit.png")

    # The browser asks for /favicon.ico on its own (a 404 it logs as "Failed to load resource");
    # every other failure, script error or refusal by the policy fails the test.
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    problems = [line for line in console if line.startswith("error") or "Content Security Policy" in line]
    assert [line for line in problems if "Failed to load resource" not in line] == []


def test_a_superuser_uses_the_admins_filters_date_picker_import_and_history_with_nothing_refused(live_server, desk):
    area = Area.objects.get(code="E23000029")
    school = SchoolFactory(name="Riverside Primary School", in_area=area)
    school.name = "Riverside Church of England Primary School"
    school.save()  # a second history row
    user = UserFactory(is_staff=True, is_superuser=True)
    volunteer = VolunteerFactory(areas=[area], user__first_name="Priya", user__last_name="Patel")
    log_in(desk, live_server, user)
    page = desk.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"error: {error}"))

    page.goto(f"{live_server.url}/admin/school_sessions/volunteer/?active__exact=1")
    playwright.expect(page.locator("#result_list")).to_contain_text("Patel")
    page.goto(f"{live_server.url}/admin/school_sessions/volunteer/{volunteer.pk}/change/")
    page.locator("#calendarlink0").click()  # the DBS check date's calendar
    page.locator(".calendarbox a", has_text="Today").first.click()
    assert page.locator("#id_dbs_checked_on").input_value() != ""
    page.locator("input[name=_continue]").click()
    playwright.expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{live_server.url}/admin/stats/figure/import/")
    playwright.expect(page.get_by_label("CSV file")).to_be_visible()
    page.goto(f"{live_server.url}/admin/schools/school/{school.pk}/history/")
    playwright.expect(page.locator("#change-history")).to_contain_text("Riverside Church of England Primary School")
    screenshot(page, ARTIFACTS / "admin-history.png")

    problems = [line for line in console if line.startswith("error") or "Content Security Policy" in line]
    assert [line for line in problems if "Failed to load resource" not in line] == []
