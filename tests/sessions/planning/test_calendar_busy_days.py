"""A busy day in the calendar lists its first visits and counts the rest, with a link that lists them all;
the volunteer filter's long list is written without the template engine, and reads as Django's own."""

from datetime import date, time

import pytest
from django import forms

from schools.factories import SchoolFactory
from sessions.factories import VisitFactory
from sessions.planning.calendar import VISITS_SHOWN_PER_DAY
from sessions.planning.forms import PlainSelect

pytestmark = pytest.mark.django_db

TUESDAY = date(2027, 3, 2)


@pytest.fixture
def busy_tuesday(thames_valley):
    return [VisitFactory(school=SchoolFactory(in_area=thames_valley, name=f"School {n:02d}"), date=TUESDAY,
                         starts_at=time(8, n), ends_at=time(10, n)) for n in range(11)]


def test_a_busy_day_shows_its_first_visits_and_counts_the_rest(coordinator_client, busy_tuesday):
    week = coordinator_client.get("/plan/calendar/?week=2027-03-01&status=proposed").content.decode()

    shown = VISITS_SHOWN_PER_DAY["week"]
    assert "11 visits" in week
    assert all(f"School {n:02d}" in week for n in range(shown))
    assert not any(f"School {n:02d}" in week for n in range(shown, 11))
    link = "?week=2027-03-01&amp;day=2027-03-02&amp;status=proposed"
    assert (f'<a href="{link}" hx-get="{link}" hx-target="#calendar" hx-swap="outerHTML" hx-push-url="true">'
            'Show all 11 visits<span class="visually-hidden"> on Tuesday 2 March</span></a> (3 more)') in week

    whole = coordinator_client.get("/plan/calendar/?week=2027-03-01&day=2027-03-02&status=proposed").content.decode()
    assert all(f"School {n:02d}" in whole for n in range(11)) and "Show all 11" not in whole


def test_a_busy_day_in_the_month_shows_fewer(coordinator_client, busy_tuesday):
    month = coordinator_client.get("/plan/calendar/?month=2027-03").content.decode()

    shown = VISITS_SHOWN_PER_DAY["month"]
    assert sum(f"School {n:02d}" in month for n in range(11)) == shown
    assert "Show all 11 visits" in month and f"({11 - shown} more)" in month
    whole = coordinator_client.get("/plan/calendar/?month=2027-03&day=2027-03-02").content.decode()
    assert all(f"School {n:02d}" in whole for n in range(11))


@pytest.mark.parametrize(("day", "says"), [
    ("2027-03-09", "9 March 2027 is not shown here: every day shows its first visits."),
    ("tuesday", "“tuesday” is not a date: every day shows its first visits."),
    ("2027-02-30", "“2027-02-30” is not a date: every day shows its first visits."),
])
def test_a_day_not_in_the_week_or_not_a_date_is_said_and_the_week_shown(coordinator_client, busy_tuesday, day, says):
    response = coordinator_client.get(f"/plan/calendar/?week=2027-03-01&day={day}")

    assert response.status_code == 200
    html = response.content.decode()
    assert says in html and "Show all 11 visits" in html


def test_the_plain_select_writes_what_djangos_select_writes():
    choices = [("", "Any volunteer"), (3, "Ann O'Neil"), (7, "<b>Bold</b> & Co"), (12, "Zoë Ñúñez")]
    attrs = {"id": "id_volunteer", "aria-describedby": "help", "required": True, "disabled": False}
    for value in ("", 7, None):
        plain = PlainSelect(choices=choices).render("volunteer", value, attrs=attrs)
        django = forms.Select(choices=choices).render("volunteer", value, attrs=attrs)
        assert plain == "".join(line.strip() for line in django.splitlines())
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in plain and "<b>" not in plain


def test_the_volunteer_filter_names_each_volunteer_as_everywhere_else_and_still_refuses_one_not_offered(
        thames_valley, kent):
    from sessions.factories import VolunteerFactory  # noqa: PLC0415
    from sessions.models import Volunteer  # noqa: PLC0415
    from sessions.planning.forms import CalendarFilterForm  # noqa: PLC0415
    from stats.models import Area  # noqa: PLC0415

    named = VolunteerFactory(areas=[thames_valley], user__first_name="Zoë", user__last_name="<b>O'Neil</b>")
    unnamed = VolunteerFactory(areas=[thames_valley], user__first_name="", user__last_name="",
                               user__username="volunteer-42")
    outsider = VolunteerFactory(areas=[kent])
    ours = Volunteer.objects.filter(areas=thames_valley).select_related("user")

    form = CalendarFilterForm({}, areas=Area.objects.filter(pk=thames_valley.pk), volunteers=ours)
    assert list(form.fields["volunteer"].choices) == [
        ("", "Any volunteer"), *((v.pk, v.name) for v in ours)]
    assert {named.name, unnamed.name} <= {label for _, label in form.fields["volunteer"].choices}
    assert unnamed.name == "volunteer-42"
    assert "&lt;b&gt;O&#x27;Neil&lt;/b&gt;" in str(form["volunteer"])

    refused = CalendarFilterForm({"volunteer": outsider.pk}, areas=Area.objects.all(), volunteers=ours)
    assert not refused.is_valid() and "volunteer" in refused.errors
