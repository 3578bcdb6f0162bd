"""The coordinators' volunteer directory and a volunteer's page: who is listed, what is said of them, and what
is never shown."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from config.dates import school_term
from schools.factories import SchoolFactory
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    UnavailabilityFactory,
    VisitFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, Visit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def today() -> date:
    return timezone.localdate()


def cleared(area, **kwargs):
    """A volunteer cleared today (checked and trained a month ago)."""
    month_ago = today() - timedelta(days=30)
    defaults = {"dbs_checked_on": month_ago, "training_on": month_ago, "areas": [area]}
    return VolunteerFactory(**{**defaults, **kwargs})


def booked(volunteer, day, *, area, status=Visit.Status.CONFIRMED, place=Assignment.Status.ACCEPTED, **school):
    visit = VisitFactory(school=SchoolFactory(in_area=area, **school), date=day, status=status)
    return AssignmentFactory(visit=visit, volunteer=volunteer, status=place)


def test_the_directory_lists_the_active_volunteers_of_the_coordinators_areas_only(coordinator_client, thames_valley,
                                                                                 kent):
    cleared(thames_valley, user__first_name="Priya", user__last_name="Patel")
    cleared(kent, user__first_name="Kieran", user__last_name="Kentish")
    cleared(thames_valley, user__first_name="Lena", user__last_name="Left", active=False)

    html = coordinator_client.get("/plan/volunteers/").content.decode()

    assert "Priya Patel" in html
    assert "Kentish" not in html
    assert "Left" not in html
    assert "1 volunteer in your areas" in html


def test_a_row_says_clearance_in_the_booking_gates_words_and_never_the_full_postcode(coordinator_client,
                                                                                    thames_valley):
    lapsed = cleared(thames_valley, user__last_name="Lapsed", training_on=today() - timedelta(days=4 * 365),
                     postcode="RG1 4QA", max_travel_km=15)
    fine = cleared(thames_valley, user__last_name="Fine", speaks_welsh=True, send_experience=True)

    html = coordinator_client.get("/plan/volunteers/").content.decode()

    assert lapsed.booking_refusal(today()) in html.replace("&#x27;", "'")
    assert "has safeguarding training that expired on" in html
    assert f"Until {fine.clearance_expires_on:%-d %B %Y}; DBS check {fine.dbs_summary}" in html
    assert "Welsh, SEND, may lead" in html
    assert "RG1<br>" in html and "up to 15 km" in html
    # the inward code as a word, or run into the district: not inside the CSRF token's 64 letters and digits
    assert not re.search(r"\b4QA\b|RG14QA", html)


def test_a_clearance_expiring_within_the_warning_days_is_marked(coordinator_client, thames_valley, settings):
    almost = today() - timedelta(days=3 * 365 - 20)
    cleared(thames_valley, user__last_name="Soon", training_on=almost)
    cleared(thames_valley, user__last_name="Later")

    html = coordinator_client.get("/plan/volunteers/?clearance=expiring").content.decode()

    assert "Soon" in html and "Later" not in html
    assert "Expiring soon" in html


@pytest.mark.parametrize(("query", "found", "not_found"), [
    ("q=patel", "Patel", "Jones"),
    ("q=priya+patel", "Patel", "Jones"),
    ("q=rg1", "Patel", "Jones"),
    ("q=OX1", "Jones", "Patel"),
    ("clearance=not_cleared", "Jones", "Patel"),
    ("clearance=cleared", "Patel", "Jones"),
    ("skill=welsh", "Jones", "Patel"),
    ("skill=lead", "Patel", "Jones"),
])
def test_search_and_filters_narrow_the_list(coordinator_client, thames_valley, query, found, not_found):
    cleared(thames_valley, user__first_name="Priya", user__last_name="Patel", postcode="RG1 1AA")
    cleared(thames_valley, user__first_name="Dafydd", user__last_name="Jones", postcode="OX1 2JD", speaks_welsh=True,
            may_lead=False, dbs_checked_on=None)

    html = coordinator_client.get(f"/plan/volunteers/?{query}", headers=HTMX).content.decode()

    assert found in html and not_found not in html


def test_the_area_filter_offers_only_the_coordinators_areas_and_names_a_wrong_one(client, thames_valley, kent):
    both = CoordinatorFactory(areas=[thames_valley, kent])
    cleared(thames_valley, user__last_name="Vickery")
    cleared(kent, user__last_name="Kentish")
    client.force_login(both.user)

    html = client.get(f"/plan/volunteers/?area={kent.code}").content.decode()
    assert "Kentish" in html and "Vickery" not in html

    html = client.get("/plan/volunteers/?area=E23000001&clearance=maybe&page=0").content.decode()
    assert "Police force area: Choose one of your areas." in html
    assert "Clearance: Choose cleared, expiring soon or not cleared." in html
    assert "Page: A page is a whole number, 1 or more." in html
    assert "Kentish" in html and "Vickery" in html  # the wrong values are ignored, not the list


def test_a_nul_in_the_search_is_refused_with_a_message(coordinator_client, thames_valley):
    cleared(thames_valley, user__last_name="Patel")

    html = coordinator_client.get("/plan/volunteers/?q=pa%00tel").content.decode()

    assert "NUL character" in html
    assert "Patel" in html


def test_visits_this_term_and_last_count_accepted_places_on_visits_not_cancelled(coordinator_client, thames_valley):
    volunteer = cleared(thames_valley, user__last_name="Busy")
    term = school_term(today())
    booked(volunteer, term.first, area=thames_valley, status=Visit.Status.DELIVERED)
    booked(volunteer, term.last, area=thames_valley)
    booked(volunteer, term.first + timedelta(days=1), area=thames_valley, status=Visit.Status.CANCELLED)
    booked(volunteer, term.first + timedelta(days=2), area=thames_valley, place=Assignment.Status.DECLINED)
    booked(volunteer, term.previous.last, area=thames_valley, status=Visit.Status.DELIVERED)

    html = coordinator_client.get("/plan/volunteers/").content.decode()

    assert '<td class="num">2</td><td class="num">1</td>' in html


def test_only_dates_away_from_today_on_are_shown(coordinator_client, thames_valley):
    volunteer = cleared(thames_valley, user__last_name="Away")
    UnavailabilityFactory(volunteer=volunteer, starts_on=today() - timedelta(days=10), ends_on=today() - timedelta(days=9))
    UnavailabilityFactory(volunteer=volunteer, starts_on=today() + timedelta(days=3), ends_on=today() + timedelta(days=5),
                          reason="Family wedding")

    html = coordinator_client.get("/plan/volunteers/").content.decode()

    assert f"{today() + timedelta(days=3):%-d %b} – {today() + timedelta(days=5):%-d %b %Y}" in html
    assert f"{today() - timedelta(days=10):%-d %b}" not in html
    assert "Family wedding" not in html  # the reason is the volunteer's own business


def test_a_row_shows_three_dates_away_and_links_to_the_rest(coordinator_client, thames_valley):
    volunteer = cleared(thames_valley, user__first_name="Ann", user__last_name="O'Brien <Away>", postcode="",
                        speaks_welsh=False, signs_bsl=False, send_experience=False, may_lead=False)
    days = [today() + timedelta(days=n) for n in (2, 9, 16, 23, 30)]
    UnavailabilityFactory(volunteer=volunteer, starts_on=days[0], ends_on=days[0])
    UnavailabilityFactory(volunteer=volunteer, starts_on=days[1], ends_on=days[1] + timedelta(days=2))
    for day in days[2:]:
        UnavailabilityFactory(volunteer=volunteer, starts_on=day, ends_on=day)
    lone = cleared(thames_valley, user__last_name="Here")

    html = coordinator_client.get("/plan/volunteers/", headers=HTMX).content.decode()
    row = next(part for part in html.split('<tr class="volunteer-row">') if "Brien" in part).split("</tr>")[0]
    other = next(part for part in html.split('<tr class="volunteer-row">') if "Here" in part).split("</tr>")[0]

    assert ">Ann O&#x27;Brien &lt;Away&gt;</a>" in row  # escaped, never markup
    assert f'href="/plan/volunteers/{volunteer.pk}/"' in row
    assert f"{days[0]:%-d %b %Y}<br>{days[1]:%-d %b} – {days[1] + timedelta(days=2):%-d %b %Y}<br>{days[2]:%-d %b %Y}" in row
    assert f"{days[3]:%-d %b %Y}" not in row  # the fourth and fifth are on their page
    assert (f'<a href="/plan/volunteers/{volunteer.pk}/#away">and 2 more<span class="visually-hidden"> for '
            "Ann O&#x27;Brien &lt;Away&gt;</span></a>") in row
    assert '<span class="cell-note">No postcode</span>' in row
    assert "<td>—</td>" in row  # no skills
    assert "Thames Valley" in row
    assert f'href="/plan/volunteers/{lone.pk}/"' in other and '<span class="cell-note">None given</span>' in other
    assert "more<span" not in other


@pytest.mark.parametrize("n", [1, 3])
def test_the_directory_costs_the_same_queries_for_any_number_of_volunteers(coordinator_client, thames_valley,
                                                                         django_assert_num_queries, n):
    for i in range(n):
        volunteer = cleared(thames_valley, user__last_name=f"Number{i}")
        UnavailabilityFactory(volunteer=volunteer, starts_on=today() + timedelta(days=i + 1),
                              ends_on=today() + timedelta(days=i + 1))
        booked(volunteer, today(), area=thames_valley)

    # session, user (with their roles), the coordinator's areas, count, page of volunteers (+user), their dates
    # away, their areas, their visits by term
    with django_assert_num_queries(8):
        response = coordinator_client.get("/plan/volunteers/", headers=HTMX)

    html = response.content.decode()
    assert html.count('class="volunteer-row"') == n
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_the_directory_is_paged(coordinator_client, thames_valley):
    for i in range(26):
        cleared(thames_valley, user__last_name=f"Z{i:02d}")

    first = coordinator_client.get("/plan/volunteers/").content.decode()
    second = coordinator_client.get("/plan/volunteers/?page=2").content.decode()

    assert first.count('class="volunteer-row"') == 25 and second.count('class="volunteer-row"') == 1
    assert "Page 2 of 2" in second
    # in the list's order across the pages: by last name (read from the rows' links only, so that a
    # random string elsewhere on the page, such as the CSRF token, cannot hold a "Z24")
    names = re.compile(r'<tr class="volunteer-row"><th scope="row"><a href="[^"]+">[^<]*?(Z\d\d)</a>')
    assert names.findall(first) == [f"Z{i:02d}" for i in range(25)]
    assert names.findall(second) == ["Z25"]


def test_a_volunteers_page_shows_contact_and_bookings_coming_and_past(coordinator_client, thames_valley, kent):
    volunteer = cleared(thames_valley, user__first_name="Priya", user__last_name="Patel", user__email="priya@example.org",
                        phone="07700 900456", postcode="RG1 4QA", areas=[thames_valley, kent])
    coming = booked(volunteer, today() + timedelta(days=7), area=thames_valley, name="Hazel Primary")
    past = booked(volunteer, today() - timedelta(days=7), area=thames_valley, status=Visit.Status.DELIVERED,
                  name="Rowan Primary")
    booked(volunteer, today() + timedelta(days=8), area=kent, name="Canterbury Primary")

    response = coordinator_client.get(f"/plan/volunteers/{volunteer.pk}/")
    html = response.content.decode()

    assert 'href="mailto:priya@example.org"' in html and 'href="tel:07700900456"' in html
    assert "Postcode district RG1" in html and not re.search(r"\b4QA\b|RG14QA", html)
    coming_part, past_part = html.split('id="past-title"')
    assert f'href="/visits/{coming.visit.pk}/">Hazel Primary' in coming_part
    assert f'href="/visits/{past.visit.pk}/">Rowan Primary' in past_part
    # Booked elsewhere: when, not where.
    assert "Canterbury" not in html
    assert "A visit in an area you do not plan" in coming_part
    assert volunteer.dbs_reference not in html


def test_another_areas_volunteer_does_not_exist_for_a_coordinator(coordinator_client, kent):
    elsewhere = cleared(kent)

    assert coordinator_client.get(f"/plan/volunteers/{elsewhere.pk}/").status_code == 404


def test_volunteers_and_their_page_are_in_the_planning_menu(coordinator_client, thames_valley):
    html = coordinator_client.get("/plan/").content.decode()

    assert 'href="/plan/volunteers/"' in html
