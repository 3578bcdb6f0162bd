"""A calendar week that spans two months belongs to the month of its Thursday (ISO 8601): the month
that holds most of its days. The other month's days are marked by their box, never faded."""

import pytest

pytestmark = pytest.mark.django_db


def test_month_view_from_a_week_spanning_two_months_opens_the_month_of_its_thursday(coordinator_client):
    # Monday 29 March to Sunday 4 April 2027: three days in March, four (with Thursday) in April.
    html = coordinator_client.get("/plan/calendar/?week=2027-03-29").content.decode()

    assert 'href="?month=2027-04"' in html and "Month view" in html


def test_in_a_week_spanning_two_months_the_days_of_the_other_month_are_marked_outside(coordinator_client):
    html = coordinator_client.get("/plan/calendar/?week=2027-03-29").content.decode()

    outside = [chunk.split("</h3>")[0].split(">")[-1] for chunk in html.split('class="day outside')[1:]]
    assert outside == ["Mon 29 Mar", "Tue 30 Mar", "Wed 31 Mar"]


def test_the_other_months_days_are_not_faded_with_opacity(settings):
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    rule = css.split(".day.outside {")[1].split("}")[0]

    assert "opacity" not in rule and "background" in rule
