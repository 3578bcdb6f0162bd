"""Dates as a person types them, key by key: the live check and the calendar never answer with a
server error; a half-typed or far-off year gets a message that says what to do."""

from datetime import date

import pytest

from schools.factories import SchoolFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def visit_data(school, day: str) -> dict:
    return {
        "school": str(school.urn), "date": day, "starts_at": "09:00", "ends_at": "10:30", "notes": "",
        "sessions-TOTAL_FORMS": "1", "sessions-INITIAL_FORMS": "0", "sessions-MIN_NUM_FORMS": "1",
        "sessions-MAX_NUM_FORMS": "1000", "sessions-0-session_type": "", "sessions-0-starts_at": "",
        "sessions-0-pupils": "",
    }


@pytest.mark.parametrize("typed", ["0002-03-02", "0020-03-02", "0202-03-02"])
def test_the_live_check_asks_to_finish_typing_a_half_typed_year(coordinator_client, thames_valley, HTMX, typed):
    school = SchoolFactory(in_area=thames_valley)

    response = coordinator_client.post("/visits/new/check/", visit_data(school, typed), headers=HTMX)

    html = response.content.decode()
    assert html.strip().startswith('<section id="problems"') and "<html" not in html
    assert "Finish typing the date" in html


@pytest.mark.parametrize("typed", ["9999-12-31", "1900-01-01", "2127-03-02"])
def test_the_live_check_says_which_dates_a_visit_may_have_when_the_year_is_far_off(
        coordinator_client, thames_valley, HTMX, typed):
    school = SchoolFactory(in_area=thames_valley)

    response = coordinator_client.post("/visits/new/check/", visit_data(school, typed), headers=HTMX)

    html = response.content.decode()
    assert html.strip().startswith('<section id="problems"')
    assert "Give a date between 1 January 2000 and 31 December 2036" in html


def test_saving_a_half_typed_year_shows_the_form_again_with_the_message(coordinator_client, thames_valley):
    school = SchoolFactory(in_area=thames_valley)

    response = coordinator_client.post("/visits/new/", visit_data(school, "0002-03-02"))

    assert "Finish typing the date: the year needs four digits." in response.content.decode()
    assert not school.visits.exists()


@pytest.mark.parametrize("query", [
    "week=0001-01-01", "week=9999-12-31", "week=0001-01-02", "week=2027-02-30", "week=%00",
    "month=0001-01", "month=9999-12", "month=2027-13", "month=27-3",
])
def test_the_calendar_answers_an_extreme_or_malformed_week_or_month_with_this_week_or_month_and_says_so(
        coordinator_client, query):
    response = coordinator_client.get(f"/plan/calendar/?{query}")

    html = response.content.decode()
    assert "Week of 23 November 2026" in html or "November 2026" in html
    assert "is not a date the calendar can show" in html or "outside the calendar" in html


def test_the_calendar_keeps_a_week_near_the_edge_of_its_window(coordinator_client):
    html = coordinator_client.get("/plan/calendar/?week=2036-12-15").content.decode()

    assert "Week of 15 December 2036" in html
