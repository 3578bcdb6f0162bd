"""The accessibility gate: axe-core (bundled by axe-playwright-python, so it runs offline) on every
page type a coordinator and a volunteer see, at desktop and phone size. No serious or critical
violation is allowed; on failure every one is listed with the page and the elements it was found on.

Screenshots of each page go to test-artifacts/a11y-<size>-<page>.png.
"""

from datetime import date, time

import pytest
from axe_playwright_python.sync_playwright import Axe

from schools.factories import SchoolContactFactory, SchoolFactory
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    UnavailabilityFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, Visit
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
# A week that runs from March into April 2027, with visits on both sides of the month's end.
SPANNING_MONDAY = date(2027, 3, 29)


def build_world() -> dict:
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    volunteer = VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[area])
    partner = VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[area])
    oak = SchoolFactory(in_area=area, name="Oak Tree Primary School", town="Reading", postcode="RG1 2AB")
    SchoolContactFactory(school=oak, name="Jo Head")
    assembly = SessionType.objects.get(slug="assembly-ks2")
    visits = []
    for day, status in [
        (date(2027, 3, 2), Visit.Status.PROPOSED),
        (date(2027, 3, 31), Visit.Status.CONFIRMED),
        (date(2027, 4, 1), Visit.Status.PROPOSED),
    ]:
        visit = VisitFactory(
            school=SchoolFactory(in_area=area, name=f"School of {day:%-d %B}", town="Slough"),
            date=day, status=status, coordinator=coordinator.user, starts_at=time(9, 0), ends_at=time(10, 30),
        )
        VisitSessionFactory(visit=visit, session_type=assembly, year_groups=[5, 6], pupils=60)
        AssignmentFactory(visit=visit, volunteer=volunteer, role=Assignment.Role.LEAD,
                          status=Assignment.Status.INVITED if status == Visit.Status.PROPOSED else Assignment.Status.ACCEPTED)
        AssignmentFactory(visit=visit, volunteer=partner)
        visits.append(visit)
    UnavailabilityFactory(volunteer=volunteer, starts_on=date(2027, 5, 3), ends_on=date(2027, 5, 7))
    return {"area": area, "coordinator": coordinator, "volunteer": volunteer, "school": oak, "visit": visits[0]}


def coordinator_pages(world: dict) -> list[tuple[str, str, str | None]]:
    """(name, address, a button to press first or None): every page type a coordinator sees."""
    return [
        ("dashboard", "/plan/", None),
        ("calendar-week-two-months", f"/plan/calendar/?week={SPANNING_MONDAY}", None),
        ("calendar-month", "/plan/calendar/?month=2027-03", None),
        ("schools-due", "/plan/due/", None),
        ("find-a-school", "/plan/schools/?q=oak", None),
        ("volunteers", "/plan/volunteers/", None),
        ("volunteer", f"/plan/volunteers/{world['volunteer'].pk}/", None),
        ("school", f"/plan/schools/{world['school'].urn}/", None),
        ("visit", f"/visits/{world['visit'].pk}/", None),
        ("visit-form", "/visits/new/", None),
        ("visit-form-after-failed-submit", "/visits/new/", "Save the visit"),
        ("visit-edit", f"/visits/{world['visit'].pk}/edit/", None),
        ("coordinator-feed", "/calendar/", None),
        ("batch-packs", "/packs/batches/new/", None),
        ("reach", "/reach/", None),
        ("stats-index", "/stats/", None),
        ("stats-area", f"/stats/{world['area'].code}/", None),
    ]


def volunteer_pages(world: dict) -> list[tuple[str, str, str | None]]:
    return [
        ("portal-home", "/me/", None),
        ("unavailable-dates", "/me/unavailable/", None),
        ("unavailable-dates-after-failed-submit", "/me/unavailable/", "Add these dates"),
        ("details", "/me/details/", None),
        ("volunteer-feed", "/calendar/", None),
    ]


def public_pages(world: dict) -> list[tuple[str, str, str | None]]:
    return [
        ("request-form", f"/request-a-visit/?school={world['school'].urn}", None),
        ("request-form-after-failed-submit", f"/request-a-visit/?school={world['school'].urn}", "Send the request"),
        ("login", "/accounts/login/", None),
    ]


def blocking_violations(context, live_server, pages, size_name: str) -> list[str]:
    axe = Axe()
    found = []
    page = context.new_page()
    for name, address, press in pages:
        page.goto(live_server.url + address)
        if press:
            page.get_by_role("button", name=press).click()
            page.wait_for_load_state("networkidle")
        screenshot(page, ARTIFACTS / f"a11y-{size_name}-{name}.png")
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                nodes = "\n".join(
                    f"      {', '.join(map(str, node['target']))}: {node['html'][:160]}" for node in violation["nodes"]
                )
                found.append(
                    f"{size_name} {name} ({address}): {violation['id']} ({violation['impact']}) "
                    f"{violation['help']}, {len(violation['nodes'])} element(s)\n{nodes}"
                )
    page.close()
    return found


@pytest.mark.parametrize("size_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_every_page_a_coordinator_a_volunteer_and_a_school_see_has_no_serious_or_critical_axe_violation(
        live_server, chromium, size_name, viewport):
    world = build_world()
    found = []
    for user, pages in [
        (world["coordinator"].user, coordinator_pages(world)),
        (world["volunteer"].user, volunteer_pages(world)),
        (None, public_pages(world)),
    ]:
        context = open_as(chromium, live_server, user, viewport)
        found += blocking_violations(context, live_server, pages, size_name)
        context.close()

    assert not found, f"{len(found)} serious or critical accessibility violation(s):\n" + "\n".join(found)
