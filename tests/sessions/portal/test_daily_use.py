"""Small things a volunteer meets every day: where the school is, what they declined, their data in
words, and a feed address that is easy to use on a phone; and the coordinator's pages they need linked."""

import re
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone

from sessions.factories import AssignmentFactory, VisitFactory, VisitSessionFactory
from sessions.models import Assignment

pytestmark = pytest.mark.django_db


def upcoming_assignment(volunteer, **kwargs):
    visit = VisitFactory(date=timezone.localdate() + timedelta(days=20), school__name="Oakfield Primary School",
                         school__street="12 Acacia Avenue", school__town="Reading", school__postcode="RG1 2AB")
    VisitSessionFactory(visit=visit)
    return AssignmentFactory(visit=visit, volunteer=volunteer, **kwargs)


def test_a_visit_card_shows_the_schools_address(volunteer_client):
    upcoming_assignment(volunteer_client.volunteer)

    html = volunteer_client.get("/me/").content.decode()

    assert "12 Acacia Avenue, Reading, RG1 2AB" in html


def test_a_declined_visit_leaves_a_short_trace_on_the_visits_page(volunteer_client):
    assignment = upcoming_assignment(volunteer_client.volunteer, status=Assignment.Status.DECLINED)

    html = volunteer_client.get("/me/").content.decode()

    when = f"{assignment.visit.date:%A %-d %B %Y}"
    assert f"You declined the visit to Oakfield Primary School on {when}." in html
    assert "Accept the visit" not in html and "Session pack" not in html


def test_declining_in_place_leaves_the_trace_where_the_card_was(volunteer_client, HTMX):
    assignment = upcoming_assignment(volunteer_client.volunteer, status=Assignment.Status.INVITED)

    # A reason, as the decline form may ask for one.
    response = volunteer_client.post(f"/me/invitations/{assignment.pk}/decline/", {"reason": "ill"}, headers=HTMX)

    html = response.content.decode()
    assert html.strip().startswith(f'<li class="visit-card visit-card-declined" id="assignment-{assignment.pk}"')
    assert "You declined the visit to Oakfield Primary School on" in html
    assert "The coordinator has been told." in html


def test_your_details_show_dates_and_times_in_words_not_iso_timestamps(volunteer_client):
    user = volunteer_client.volunteer.user
    user.last_login = datetime(2026, 12, 1, 15, 19, tzinfo=dt_timezone.utc)
    user.save()
    upcoming_assignment(volunteer_client.volunteer)

    html = volunteer_client.get("/me/details/").content.decode()
    page = html.split("<h1>", 1)[1]

    assert "1 December 2026 at 15:19" in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page), re.findall(r".{40}\d{4}-\d{2}-\d{2}.{20}", page)


def test_the_feed_page_offers_a_webcal_link_and_a_copy_button(volunteer_client):
    html = volunteer_client.get("/calendar/").content.decode()

    token = volunteer_client.volunteer.calendar_token
    assert f'href="webcal://testserver/calendar/{token}.ics"' in html
    assert "Copy the address" in html


def test_the_planning_navigation_links_the_batch_packs_and_the_coordinators_feed(coordinator_client):
    html = coordinator_client.get("/plan/").content.decode()
    nav = html.split('aria-label="Planning"')[1].split("</nav>")[0]

    assert 'href="/packs/batches/new/"' in nav and 'href="/calendar/"' in nav
