"""In a real browser, markup typed into names and notes never runs: no alert on the pages that show it."""

import pytest

from schools.factories import SchoolContactFactory
from sessions.factories import AssignmentFactory, CoordinatorFactory, UserFactory, VolunteerFactory
from stats.models import Area
from tests.browser.test_volunteer_phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(2)>'


def test_markup_in_names_never_runs_in_the_browser(live_server, chromium, planned_visit):
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(areas=[area], user__first_name=f"Asha{ATTRIBUTE}")
    visit = planned_visit(area, notes=f"Bring {SCRIPT}")
    visit.school.name = f"Oak {SCRIPT}{ATTRIBUTE} Primary"
    visit.school.save()
    SchoolContactFactory(school=visit.school, name=f"Helen {SCRIPT}", role="dsl")
    volunteer = VolunteerFactory(areas=[area], user__first_name=f"Priya{ATTRIBUTE}", user__last_name=SCRIPT)
    AssignmentFactory(visit=visit, volunteer=volunteer)
    staff = UserFactory(is_staff=True, is_superuser=True)
    alerts: list[str] = []
    pages = [
        (coordinator.user, ["/plan/", f"/plan/schools/{visit.school.urn}/", f"/visits/{visit.pk}/",
                            f"/visits/{visit.pk}/edit/", "/plan/due/?q=Oak", "/plan/calendar/?week=2027-03-01"]),
        (volunteer.user, ["/me/", "/me/details/"]),
        (staff, [f"/admin/schools/school/{visit.school.pk}/change/", "/admin/school_sessions/volunteer/",
                 f"/admin/school_sessions/visit/{visit.pk}/change/", f"/admin/schools/school/{visit.school.pk}/history/"]),
    ]
    for user, urls in pages:
        context = chromium.new_context(locale="en-GB")
        log_in(context, live_server, user)
        page = context.new_page()
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            assert page.locator("img[src=x]").count() == 0, url
        context.close()
    assert alerts == []
