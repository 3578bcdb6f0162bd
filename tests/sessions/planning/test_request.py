"""The public page where a school asks for a visit."""

from datetime import date

import pytest
from django.core.cache import cache

from schools.factories import SchoolContactFactory, SchoolFactory
from schools.models import School
from sessions.factories import CoordinatorFactory
from sessions.models import Visit, VisitNote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(thames_valley):
    school = SchoolFactory(in_area=thames_valley, name="Hawthorn Primary", town="Didcot")
    SchoolContactFactory(school=school, name="Secret Safeguarding Lead", email="dsl@hawthorn.example", phone="01234 567890")
    return school


def request_data(school, **changes) -> dict:
    return {
        "school": str(school.urn),
        "requester_name": "Mo Ahmed",
        "requester_role": "office",
        "requester_email": "office@hawthorn.example",
        "requester_phone": "01632 960123",
        "safeguarding_lead_name": "Rita Okafor",
        "safeguarding_lead_role": "Deputy headteacher",
        "safeguarding_lead_phone": "01632 960999",
        "safeguarding_lead_email": "dsl@hawthorn.example",
        "first_date": "2027-03-09",
        "preferred_dates": "Any Tuesday in March",
        "pupils_0": "",
        "pupils_5": "30",
        "pupils_6": "28",
        "needs_send": "on",
        **changes,
    }


def test_a_school_finds_itself_by_name_as_it_types_without_seeing_contact_details(client, school, HTMX):
    response = client.get("/request-a-visit/?q=hawthorn", headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and html.strip().startswith('<section id="found"')
    assert f'href="/request-a-visit/?school={school.urn}">Hawthorn Primary</a>, Didcot' in html
    assert "Secret Safeguarding Lead" not in html and "dsl@hawthorn.example" not in html


def test_a_school_finds_itself_by_urn(client, school):
    html = client.get(f"/request-a-visit/?q={school.urn}").content.decode()

    assert "Hawthorn Primary" in html


def test_the_request_form_never_shows_the_schools_contacts(client, school):
    html = client.get(f"/request-a-visit/?school={school.urn}").content.decode()

    assert "Asking for <strong>Hawthorn Primary</strong>" in html
    assert "Secret Safeguarding Lead" not in html and "01234 567890" not in html
    assert '<label for="id_pupils_5">Pupils in Year 5:</label>' in html


def test_a_request_creates_a_requested_visit_for_the_areas_coordinators(client, school, thames_valley):
    coordinator = CoordinatorFactory(areas=[thames_valley])

    response = client.post("/request-a-visit/", request_data(school))

    assert response.status_code == 302 and response.url == "/request-a-visit/thanks/"
    visit = Visit.objects.get()
    assert (visit.status, visit.coordinator, visit.date) == (Visit.Status.REQUESTED, None, date(2027, 3, 9))
    assert visit.pupils_by_year == {"5": 30, "6": 28} and visit.needs_send and not visit.needs_welsh
    assert visit.requester_email == "office@hawthorn.example"
    client.force_login(coordinator.user)
    assert "Hawthorn Primary" in client.get("/plan/").content.decode().split('id="requests"')[1]
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "Any Tuesday in March" in page and "Year 5: 30; Year 6: 28" in page and "SEND adaptations" in page


def test_the_confirmation_page_says_what_happens_next(client):
    assert "coordinator for your area will be in touch" in client.get("/request-a-visit/thanks/").content.decode()


def test_a_request_says_which_fields_are_wrong(client, school):
    data = request_data(school, requester_email="not an email", first_date="31/02/2027", pupils_5="", pupils_6="")

    html = client.post("/request-a-visit/", data).content.decode()

    assert "Give an email address like name@school.example." in html
    assert "Give the date as day, month and year." in html
    assert "Give the number of pupils in at least one year group." in html
    assert not Visit.objects.exists()


def test_a_closed_school_cannot_ask_for_a_visit(client, thames_valley):
    closed = SchoolFactory(in_area=thames_valley, status=School.Status.CLOSED)

    html = client.post("/request-a-visit/", request_data(closed)).content.decode()

    assert "Find your school first." in html and not Visit.objects.exists()


def test_a_robot_that_fills_the_honeypot_is_thanked_and_nothing_is_saved(client, school):
    response = client.post("/request-a-visit/", request_data(school, website="http://spam.example"))

    assert response.url == "/request-a-visit/thanks/" and not Visit.objects.exists()


def test_more_than_five_requests_an_hour_from_one_address_are_refused_with_a_message(client, school):
    for _ in range(5):
        assert client.post("/request-a-visit/", request_data(school)).status_code == 302

    response = client.post("/request-a-visit/", request_data(school))

    assert response.status_code == 429
    assert "Please wait an hour and try again" in response.content.decode()
    # The first made the visit; the four after it were added to it as notes.
    assert Visit.objects.count() == 1 and VisitNote.objects.count() == 4


def test_the_limit_is_per_address(client, school):
    for _ in range(5):
        client.post("/request-a-visit/", request_data(school))

    response = client.post("/request-a-visit/", request_data(school), REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 302 and Visit.objects.count() + VisitNote.objects.count() == 6
