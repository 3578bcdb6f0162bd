"""Typing a visit's date key by key, as a person does: while the year is half-typed (0002, 0020, 0202)
the live check says to finish typing; it never answers with a server error or swaps an error page into
the form, and once the year is whole the check runs as usual."""

import re

import pytest
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import CoordinatorFactory
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size_name, viewport", [("desktop", None), ("phone", PHONE)])
def test_typing_a_date_key_by_key_asks_to_finish_the_year_and_never_breaks_the_form(
        live_server, chromium, size_name, viewport):
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(areas=[area])
    school = SchoolFactory(in_area=area, name="Oak Tree Primary School")
    context = open_as(chromium, live_server, coordinator.user, *([viewport] if viewport else []))
    page = context.new_page()
    failures = []
    page.on("response", lambda response: failures.append(response.url) if response.status >= 500 else None)
    page.goto(f"{live_server.url}/visits/new/?school={school.urn}")
    problems = page.get_by_role("region", name="Problems")

    date = page.get_by_label("Date")
    date.focus()
    # Day and month (in whichever order the browser's date field takes them), then the year digit by digit.
    page.keyboard.type("0203")
    page.keyboard.type("2")
    expect(problems).to_contain_text("Finish typing the date: the year needs four digits.")
    screenshot(page, ARTIFACTS / f"typing-a-date-{size_name}-half-typed.png")
    for digit in "027":
        page.keyboard.type(digit)
        page.wait_for_timeout(150)
    page.keyboard.press("Tab")

    expect(date).to_have_value(re.compile(r"^2027-(03-02|02-03)$"))
    expect(problems).not_to_contain_text("Finish typing the date")
    # The whole date is checked as usual: the rules answer (no session line yet, and no term dates held here).
    expect(problems).to_contain_text(re.compile(r"volunteers|No problems found|No term dates are held"))
    expect(page.get_by_role("heading", name="Plan a visit", level=1)).to_be_visible()
    assert failures == []
    screenshot(page, ARTIFACTS / f"typing-a-date-{size_name}-whole.png")
    context.close()
