"""A school's preferences (weekdays, morning or afternoon, dates to avoid) are kept on the visit, edited on
its form, and a booking against them is a warning that quotes them."""

from datetime import date, time

import pytest

from schools.factories import SchoolFactory
from sessions.models import Visit

pytestmark = pytest.mark.django_db


def preference_problems(visit) -> list[str]:
    return [p.message for p in visit.problems() if p.code == "preference"]


def test_a_friday_afternoon_booking_against_mornings_monday_to_thursday_is_a_warning_quoting_it(
        thames_valley, planned_visit):
    visit = planned_visit(thames_valley, date=date(2027, 3, 12), starts_at=time(13, 15), ends_at=time(14, 30),
                          preferred_time="morning", preferred_weekdays=[0, 1, 2, 3])

    [problem] = [p for p in visit.problems() if p.code == "preference"]

    assert problem.level == "warning"
    assert problem.message == ("The school asked for “mornings; Mondays, Tuesdays, Wednesdays or Thursdays”: "
                               "12 March is a Friday; it starts at 13:15.")


def test_a_date_to_avoid_and_an_afternoon_preference_are_quoted(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, date=date(2027, 3, 2), preferred_time="afternoon",
                          dates_to_avoid=["2027-03-02", "2027-03-09"])

    assert preference_problems(visit) == [
        "The school asked for “afternoons; not 2 March 2027, 9 March 2027”: it starts at 09:00; "
        "2 March 2027 is a date the school asked to avoid."]


def test_a_booking_that_suits_the_school_or_no_preference_has_no_warning(thames_valley, planned_visit):
    suits = planned_visit(thames_valley, date=date(2027, 3, 2), preferred_time="morning", preferred_weekdays=[1],
                          dates_to_avoid=["2027-03-09"])
    none = planned_visit(thames_valley, date=date(2027, 3, 5), starts_at=time(13), ends_at=time(14))

    assert preference_problems(suits) == [] and preference_problems(none) == []
    assert "preference" not in Visit.objects.with_signals().get(pk=suits.pk).signal_codes


def test_the_visit_form_keeps_the_preferences_and_warns_when_the_booking_is_against_them(
        coordinator_client, thames_valley, visit_data):
    school = SchoolFactory(in_area=thames_valley)
    data = visit_data(school, date="2027-03-12", starts_at="13:15", ends_at="14:30") | {
        "preferred_weekdays": ["0", "1", "2", "3"], "preferred_time": "morning",
        "dates_to_avoid": "19/03/2027, 2027-03-26"}

    checked = coordinator_client.post("/visits/new/", data | {"check": "1"}).content.decode()
    assert "12 March is a Friday; it starts at 13:15." in checked

    coordinator_client.post("/visits/new/", data)
    visit = Visit.objects.get(school=school)
    assert visit.preferred_weekdays == [0, 1, 2, 3] and visit.preferred_time == "morning"
    assert visit.dates_to_avoid == ["2027-03-19", "2027-03-26"]
    page = coordinator_client.get(f"/visits/{visit.pk}/").content.decode()
    assert "Mornings; Mondays, Tuesdays, Wednesdays or Thursdays; not 19 March 2027, 26 March 2027" in page
    form = coordinator_client.get(f"/visits/{visit.pk}/edit/").content.decode()
    assert 'value="19/03/2027, 26/03/2027"' in form


def test_a_date_to_avoid_that_is_not_a_date_is_refused_with_an_example(coordinator_client, thames_valley, visit_data):
    school = SchoolFactory(in_area=thames_valley)

    html = coordinator_client.post("/visits/new/", visit_data(school) | {"dates_to_avoid": "next Friday"}).content.decode()

    assert "“next Friday” is not a date: give dates as day/month/year, e.g. 12/03/2027." in html
    assert not Visit.objects.filter(school=school).exists()
