"""A coordinator types a search, then clicks a result, at a person's pace: the press and the release of
the mouse button are apart, as a hand makes them. The click must reach the result.

A text box fires "change" when it loses focus, and a click elsewhere takes the focus. A list whose form
searched on "change" sent its search again on the press; the results were replaced before the release,
so the release fell on a new element and the browser made no click. These pages search as you type, and
leaving the box must send nothing.
"""

import re

import pytest

# No skip: `make test` installs Chromium, and a browser test that silently does not run proves nothing.
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import CoordinatorFactory, VolunteerFactory
from stats.models import Area
from tests.browser.conftest import open_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAND_MS = 400  # between pressing and releasing the button; far longer than the list's search takes here


def click_by_hand(page, locator) -> None:
    locator.scroll_into_view_if_needed()
    # The middle of the link's first line: a name that wraps has a gap between its lines.
    point = locator.evaluate("link => { const r = link.getClientRects()[0]; return [r.x + r.width / 2, r.y + r.height / 2]; }")
    page.mouse.move(*point)
    page.mouse.down()
    page.wait_for_timeout(HAND_MS)
    page.mouse.up()


@pytest.mark.parametrize(
    "start, box, typed, shown, link, arrived",
    [
        ("/plan/due/", "Search by name, URN or postcode", "oak tree", r"q=oak(%20|\+)tree",
         "Plan a visit to Oak Tree Primary School", "Plan a visit"),
        ("/plan/due/", "Town", "reading", r"town=reading",
         "Plan a visit to Oak Tree Primary School", "Plan a visit"),
        ("/plan/schools/", "Name, URN, town or postcode", "oak tree", r"q=oak(%20|\+)tree",
         "Oak Tree Primary School", "Oak Tree Primary School"),
        ("/plan/volunteers/", "Name or postcode district", "patel", r"q=patel",
         "Priya Patel", "Priya Patel"),
    ],
    ids=["schools-due-name", "schools-due-town", "find-a-school", "volunteers"],
)
def test_a_result_clicked_straight_after_typing_opens(live_server, chromium, start, box, typed, shown, link,
                                                      arrived):
    thames_valley = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(areas=[thames_valley])
    SchoolFactory(in_area=thames_valley, name="Oak Tree Primary School", town="Reading")
    SchoolFactory(in_area=thames_valley, name="Birch Infant School", town="Slough")
    VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[thames_valley])
    VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[thames_valley])
    page = open_as(chromium, live_server, coordinator.user).new_page()
    page.goto(live_server.url + start)

    page.get_by_label(box).type(typed)
    expect(page).to_have_url(re.compile(shown))  # the search as you type has come back and been shown
    searches = []
    page.on("request", lambda request: searches.append(request.url) if request.headers.get("hx-request") else None)

    click_by_hand(page, page.get_by_role("link", name=link))

    expect(page.get_by_role("heading", level=1, name=arrived)).to_be_visible()
    assert searches == [], f"leaving the search box searched again: {searches}"
