"""No copy of a page with personal data is kept by a browser or a proxy (config/cache_control.py): every
response to a signed-in person, and the public request form, says `Cache-Control: no-store, private`,
unless the view chose its own caching (the session pack and the calendar feed revalidate with their
ETags)."""

import pytest

from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_volunteers_pages_and_fragments_are_not_stored(volunteer_client, HTMX):
    for url, headers in [("/me/", {}), ("/me/unavailable/", {}), ("/me/unavailable/", HTMX), ("/calendar/", {})]:
        response = volunteer_client.get(url, headers=headers)

        assert {"no-store", "private"} <= directives(response), url


def test_a_coordinators_pages_are_not_stored(coordinator_client, planned_visit):
    visit = planned_visit(coordinator_client.area)
    for url in ("/plan/", "/plan/due/", f"/visits/{visit.pk}/", f"/visits/{visit.pk}/staffing/", "/stats/",
                "/stats/areas.csv", "/reach/"):
        response = coordinator_client.get(url)

        assert {"no-store", "private"} <= directives(response), url


def test_a_redirect_to_a_signed_in_person_is_not_stored_either(volunteer_client):
    response = volunteer_client.get("/")

    assert response.url == "/me/" and {"no-store", "private"} <= directives(response)


def test_the_public_request_form_is_not_stored_before_or_after_a_refused_post(client, thames_valley):
    school = SchoolFactory(in_area=thames_valley)
    assert {"no-store", "private"} <= directives(client.get(f"/request-a-visit/?school={school.urn}"))

    refused = client.post("/request-a-visit/", {"school": str(school.urn), "requester_email": "office@school.example"})

    assert "office@school.example" in refused.content.decode()
    assert {"no-store", "private"} <= directives(refused)


def test_an_anonymous_page_without_personal_data_keeps_djangos_default(client):
    response = client.get("/healthz")

    assert "Cache-Control" not in response


def test_the_session_pack_keeps_its_own_caching_and_its_etag_still_saves_a_download(volunteer_client, media, planned_visit):
    visit = planned_visit(volunteer_client.volunteer.areas.get())
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, status="accepted")
    url = f"/visits/{visit.pk}/pack.pdf"

    first = volunteer_client.get(url)
    again = volunteer_client.get(url, headers={"If-None-Match": first["ETag"]})

    assert first["Cache-Control"] == again["Cache-Control"] == "private, no-cache"
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_the_calendar_feed_revalidates_with_its_etag_and_no_shared_cache_keeps_it(client, volunteer):
    first = client.get(f"/calendar/{volunteer.calendar_token}.ics")
    again = client.get(f"/calendar/{volunteer.calendar_token}.ics", headers={"If-None-Match": first["ETag"]})

    assert "BEGIN:VCALENDAR" in first.content.decode()
    assert directives(first) == directives(again) == {"no-cache", "private"}
    assert again.status_code == 304 and again.content == b""


def test_the_password_reset_form_is_not_stored_when_it_shows_back_an_address(client, mail_server_down):
    response = client.post("/accounts/password_reset/", {"email": "priya@example.org"})

    assert 'value="priya@example.org"' in response.content.decode()
    assert {"no-store", "private"} <= directives(response)
