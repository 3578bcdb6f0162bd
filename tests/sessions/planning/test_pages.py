"""Dashboard, calendar, schools due a visit, school search and the school page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from schools.factories import SchoolContactFactory, SchoolFactory
from sessions.factories import VisitFactory, VolunteerFactory
from sessions.models import Visit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)  # a Saturday: this week is 23–29 November, next week 30 November–6 December


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


# --- Dashboard

def test_the_dashboard_shows_this_weeks_and_next_weeks_visits_in_the_coordinators_areas(
    coordinator_client, thames_valley, kent
, planned_visit):
    this_week = planned_visit(thames_valley, date=date(2026, 11, 26), volunteers=2)
    next_week = planned_visit(thames_valley, date=date(2026, 12, 1), volunteers=2)
    elsewhere = planned_visit(kent, date=date(2026, 12, 1), volunteers=2)

    html = coordinator_client.get("/plan/").content.decode()

    this_part, next_part = html.split('id="next-week"')
    assert this_week.school.name in this_part and next_week.school.name not in this_part
    assert next_week.school.name in next_part.split("Needs attention")[0]
    assert elsewhere.school.name not in html


def test_the_dashboard_lists_requests_short_visits_errors_and_expiring_clearances(coordinator_client, thames_valley, planned_visit):
    request = VisitFactory(school=SchoolFactory(in_area=thames_valley, name="Asking Primary"), status="requested",
                           date=date(2027, 1, 12))
    short = planned_visit(thames_valley, date=date(2027, 2, 9), volunteers=1,
                          school=SchoolFactory(in_area=thames_valley, name="Short Primary"))
    bank_holiday = planned_visit(thames_valley, date=date(2027, 1, 1), volunteers=2,
                                 school=SchoolFactory(in_area=thames_valley, name="Holiday Primary"))
    later = planned_visit(thames_valley, date=date(2027, 3, 29), volunteers=2,
                          school=SchoolFactory(in_area=thames_valley, name="Easter Primary"))
    VolunteerFactory(user__first_name="Jess", user__last_name="Expiring", areas=[thames_valley],
                     training_on=date(2023, 12, 20))
    VolunteerFactory(user__first_name="Fine", user__last_name="Later", areas=[thames_valley],
                     training_on=date(2024, 6, 1))

    html = coordinator_client.get("/plan/").content.decode()

    requests = html.split('id="requests"')[1].split("</section>")[0]
    shorts = html.split('id="short"')[1].split("</section>")[0]
    errors = html.split('id="errors"')[1].split("</section>")[0]
    expiring = html.split('id="expiring"')[1].split("</section>")[0]
    assert request.school.name in requests
    assert "Short Primary</a>, 9 February 2027: 1 of 2 volunteers" in shorts
    assert bank_holiday.school.name in errors and short.school.name not in errors
    assert later.school.name not in errors  # beyond the dashboard's 12 weeks: the calendar shows it
    assert "Jess Expiring" in expiring and "Fine Later" not in expiring


@pytest.mark.parametrize("n", [1, 3])
def test_the_dashboard_costs_the_same_queries_for_any_number_of_visits(
    coordinator_client, thames_valley, reading_coordinators_authorities, django_assert_num_queries, n
, planned_visit):
    for i in range(n):
        planned_visit(thames_valley, date=date(2026, 12, 1) + timedelta(days=i), volunteers=1)
        VisitFactory(school=SchoolFactory(in_area=thames_valley), status="requested", date=date(2027, 1, 5))
        VolunteerFactory(areas=[thames_valley], training_on=date(2023, 12, 20))

    # session, user (with their roles), which visits are in which list and which authorities have one coming
    # (one query), the rows shown (with their team's numbers), requests, schools that asked again, expiring
    # volunteers, authorities with no children's services (each counted only when it has more rows than are
    # shown)
    with django_assert_num_queries(8 + reading_coordinators_authorities):
        response = coordinator_client.get("/plan/")

    assert response.content.decode().count('class="visit-row"') == n
    assert response.content.decode().count('class="request-row"') == n


def test_the_dashboard_lists_authorities_with_visits_coming_and_no_childrens_services_number(
        coordinator_client, thames_valley, planned_visit):
    from stats.models import LocalAuthority  # noqa: PLC0415 — this test alone needs it

    recorded, missing, idle = LocalAuthority.objects.filter(police_force=thames_valley).order_by("name")[:3]
    recorded.childrens_services_phone = "0118 000 1234"
    recorded.save()
    for authority in (recorded, missing):
        planned_visit(thames_valley, date=date(2026, 12, 8), school=SchoolFactory(in_area=thames_valley,
                                                                                 local_authority=authority))
    html = coordinator_client.get("/plan/").content.decode()
    section = html[html.index('id="no-childrens-services"'):]
    assert f'<li class="no-number-row">{missing.name}: no numbers</li>' in section
    assert f'<li class="no-number-row">{recorded.name}: no out-of-hours number</li>' in section
    assert idle.name not in section
    recorded.out_of_hours_phone = "0118 000 9999"
    recorded.save()
    section = coordinator_client.get("/plan/").content.decode()
    section = section[section.index('id="no-childrens-services"'):]
    assert recorded.name not in section and missing.name in section


# --- Calendar

def test_the_week_calendar_shows_each_visit_with_its_time_status_and_a_mark_for_problems(coordinator_client, thames_valley, planned_visit):
    fine = planned_visit(thames_valley, date=date(2027, 3, 2), volunteers=2)
    holiday = planned_visit(thames_valley, date=date(2027, 3, 29), volunteers=2)

    march_1 = coordinator_client.get("/plan/calendar/?week=2027-03-01").content.decode()
    easter = coordinator_client.get("/plan/calendar/?week=2027-03-29").content.decode()

    assert "Week of 1 March 2027" in march_1 and fine.school.name in march_1 and "09:00–10:30" in march_1
    assert holiday.school.name not in march_1 and "Problems</span>" not in march_1
    assert holiday.school.name in easter and "&#9888; Problems" in easter


def test_the_month_calendar_shows_the_whole_month_and_filters_by_status(coordinator_client, thames_valley, planned_visit):
    proposed = planned_visit(thames_valley, date=date(2027, 3, 2))
    confirmed = planned_visit(thames_valley, date=date(2027, 3, 30), status=Visit.Status.CONFIRMED)

    every = coordinator_client.get("/plan/calendar/?month=2027-03").content.decode()
    only_confirmed = coordinator_client.get("/plan/calendar/?month=2027-03&status=confirmed").content.decode()

    assert "March 2027" in every and proposed.school.name in every and confirmed.school.name in every
    assert confirmed.school.name in only_confirmed and proposed.school.name not in only_confirmed
    assert 'href="?month=2027-04&amp;status=confirmed"' in only_confirmed


def test_the_calendar_filters_by_volunteer(coordinator_client, thames_valley, planned_visit):
    staffed = planned_visit(thames_valley, date=date(2027, 3, 2), volunteers=1)
    other = planned_visit(thames_valley, date=date(2027, 3, 3), volunteers=1)
    volunteer = staffed.assignments.get().volunteer

    html = coordinator_client.get(f"/plan/calendar/?week=2027-03-01&volunteer={volunteer.pk}").content.decode()

    assert staffed.school.name in html and other.school.name not in html


def test_calendar_navigation_swaps_only_the_calendar(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, date=date(2027, 3, 9))

    response = coordinator_client.get("/plan/calendar/?week=2027-03-08", headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and html.strip().startswith('<section id="calendar"')
    assert visit.school.name in html
    assert 'hx-get="?week=2027-03-01"' in html and 'hx-push-url="true"' in html
    assert 'hx-trigger="visitChanged from:body"' in html
    # The filter form outside the calendar is told which week is now shown.
    assert '<input type="hidden" id="calendar-period" name="week" value="2027-03-08" hx-swap-oob="true">' in html


def test_a_nonsense_week_shows_this_week(coordinator_client):
    assert "Week of 23 November 2026" in coordinator_client.get("/plan/calendar/?week=soon").content.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_the_calendar_fragment_costs_the_same_queries_for_any_number_of_visits(
    coordinator_client, thames_valley, reading_coordinators_authorities, django_assert_num_queries, n
, HTMX, planned_visit):
    for i in range(n):
        planned_visit(thames_valley, date=date(2027, 3, 1) + timedelta(days=i), volunteers=2)

    # session, user (with their roles), the areas shown, their holidays and INSET days, their schools' own
    # closures, visits (their errors are stored on them)
    with django_assert_num_queries(6 + reading_coordinators_authorities):
        response = coordinator_client.get("/plan/calendar/?week=2027-03-01", headers=HTMX)

    assert response.content.decode().count('class="visit cal-visit') == n


# --- Schools due a visit

def test_schools_due_lists_never_visited_first_and_leaves_out_recently_visited_and_other_areas(
    coordinator_client, thames_valley, kent
):
    never = SchoolFactory(in_area=thames_valley, name="Never Visited Primary")
    long_ago = SchoolFactory(in_area=thames_valley, name="Aardvark Primary")
    VisitFactory(school=long_ago, date=date(2023, 6, 1), status=Visit.Status.DELIVERED)
    recent = SchoolFactory(in_area=thames_valley, name="Recent Primary")
    VisitFactory(school=recent, date=date(2026, 6, 1), status=Visit.Status.DELIVERED)
    SchoolFactory(in_area=kent, name="Kent Primary")

    html = coordinator_client.get("/plan/due/").content.decode()

    assert html.index("Never Visited Primary") < html.index("Aardvark Primary")
    assert "1 June 2023" in html and "Recent Primary" not in html and "Kent Primary" not in html
    assert f'href="/visits/new/?school={never.urn}"' in html


def test_schools_due_are_searched_as_you_type_and_filtered_by_town(coordinator_client, thames_valley, HTMX):
    SchoolFactory(in_area=thames_valley, name="Willow Primary", town="Reading", postcode="RG1 2AB")
    SchoolFactory(in_area=thames_valley, name="Willow Grove Primary", town="Oxford", postcode="OX1 1AA")
    SchoolFactory(in_area=thames_valley, name="Maple Primary", town="Reading", postcode="RG4 7CD")

    fragment = coordinator_client.get("/plan/due/?q=willow", headers=HTMX).content.decode()
    by_town = coordinator_client.get("/plan/due/?q=willow&town=reading").content.decode()
    by_postcode = coordinator_client.get("/plan/due/?q=RG4").content.decode()

    assert "<html" not in fragment and fragment.strip().startswith('<section id="results"')
    assert "Willow Primary" in fragment and "Willow Grove Primary" in fragment and "Maple Primary" not in fragment
    assert "Willow Primary" in by_town and "Willow Grove Primary" not in by_town
    assert "Maple Primary" in by_postcode and "Willow" not in by_postcode.split('id="results"')[1]


def test_schools_due_filter_by_local_authority_and_are_paginated(coordinator_client, thames_valley):
    schools = SchoolFactory.create_batch(26, in_area=thames_valley)
    authority = schools[0].local_authority

    first = coordinator_client.get(f"/plan/due/?local_authority={authority.pk}").content.decode()
    second = coordinator_client.get(f"/plan/due/?local_authority={authority.pk}&page=2").content.decode()

    assert "26 schools due a visit" in first and "Page 1 of 2" in first and "page=2" in first
    assert second.count('class="school-row"') == 1


def test_the_due_list_pages_through_the_schools_in_due_order_leaving_out_those_being_seen_to(
        coordinator_client, thames_valley):
    from schools.models import School  # noqa: PLC0415

    schools = SchoolFactory.create_batch(40, in_area=thames_valley)  # two pages either way
    for n, school in enumerate(schools[:32]):  # visited long ago, each on its own date; the rest never
        VisitFactory(school=school, date=date(2020, 1, 1) + timedelta(days=n * 7), status=Visit.Status.DELIVERED)
    for school in schools[::4]:  # a visit on its way: left out unless asked for
        VisitFactory(school=school, date=date(2027, 3, 2), status=Visit.Status.PROPOSED)

    def listed(query: str) -> list[str]:
        names = []
        for page in (1, 2):
            html = coordinator_client.get(f"/plan/due/?{query}page={page}").content.decode()
            names += [row.split("</a>")[0].rsplit(">", 1)[1] for row in html.split('class="school-row"')[1:]]
        return names

    in_order = list(School.objects.due(on=timezone.localdate()).in_areas([thames_valley]).with_live_visit())
    assert listed("") == [s.name for s in in_order if not s.has_live_visit]
    assert listed("booked=on&") == [s.name for s in in_order]
    first = coordinator_client.get("/plan/due/").content.decode()
    assert "30 schools due a visit" in first and "Left out: 10 schools" in first


@pytest.mark.parametrize("n", [1, 3])
def test_the_due_list_costs_the_same_queries_for_any_number_of_schools(
    coordinator_client, thames_valley, django_assert_num_queries, n
, HTMX):
    SchoolFactory.create_batch(n, in_area=thames_valley)

    # session, user (with their roles), the due schools in order with whether a visit is planned (the counts
    # and the page's schools), the page's schools (+local authority)
    with django_assert_num_queries(4):
        response = coordinator_client.get("/plan/due/", headers=HTMX)

    assert response.content.decode().count('class="school-row"') == n


# --- Schools and the school page

@pytest.mark.parametrize("n", [1, 3])
def test_school_search_costs_the_same_queries_for_any_number_of_schools(
    coordinator_client, thames_valley, django_assert_num_queries, n
, HTMX):
    SchoolFactory.create_batch(n, in_area=thames_valley, name="Hazel Primary")

    # session, user (with their roles), count, page of schools (+local authority, last visit)
    with django_assert_num_queries(4):
        response = coordinator_client.get("/plan/schools/?q=hazel", headers=HTMX)

    html = response.content.decode()
    assert html.count('class="school-row"') == n and "<html" not in html


def test_the_school_page_shows_contacts_ages_pupils_history_and_the_next_visit(coordinator_client, thames_valley):
    school = SchoolFactory(in_area=thames_valley, name="Rowan Primary", low_age=4, high_age=11, pupils=315)
    SchoolContactFactory(school=school, name="Ms Dana Lead", role="dsl", email="dsl@rowan.example")
    VisitFactory(school=school, date=date(2024, 3, 5), status=Visit.Status.DELIVERED)
    coming = VisitFactory(school=school, date=date(2027, 2, 2))
    VisitFactory(school=school, date=date(2027, 5, 4))

    html = coordinator_client.get(f"/plan/schools/{school.urn}/").content.decode()

    assert "Ms Dana Lead</strong>, Designated safeguarding lead" in html and "dsl@rowan.example" in html
    assert "4–11" in html and "315" in html
    assert "5 March 2024" in html and "Delivered" in html
    assert f'<a href="/visits/{coming.pk}/">Tuesday 2 February 2027' in html
    assert f'href="/visits/new/?school={school.urn}"' in html


def test_a_school_outside_the_coordinators_areas_is_not_found(coordinator_client, kent):
    assert coordinator_client.get(f"/plan/schools/{SchoolFactory(in_area=kent).urn}/").status_code == 404


def test_each_dashboard_list_shows_fifteen_rows_and_offers_the_rest(coordinator_client, planned_visit):

    soon = timezone.localdate() + timedelta(days=21)
    while soon.weekday() > 4:
        soon += timedelta(days=1)
    for _ in range(20):
        planned_visit(coordinator_client.area, date=soon)  # no volunteers yet: all short
    for _ in range(17):
        VisitFactory(school=SchoolFactory(in_area=coordinator_client.area), status=Visit.Status.REQUESTED, date=soon)

    page = coordinator_client.get("/plan/").content.decode()
    everything = coordinator_client.get("/plan/?all=1").content.decode()

    assert "needing volunteers or their answers in the next 12 weeks (20)" in page
    assert page.count('class="short-row"') == 15
    assert '<a href="?all=1#short">Show all 20</a> (15 shown)' in page
    assert everything.count('class="short-row"') == 20 and "Show all" not in everything
    assert "Requests from schools not yet answered (17)" in page
    assert page.count('class="request-row"') == 15 and '<a href="?all=1#requests">Show all 17</a>' in page
    assert everything.count('class="request-row"') == 17
