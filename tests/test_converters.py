"""Path converters (config/converters.py): an address part that cannot be an ONS code or a feed token never
reaches a view or the database. PostgreSQL's text cannot hold a NUL character: /stats/%00/ and
/calendar/%00.ics were server errors there. Run on both databases (make test, make test-postgres)."""

import pytest
from django.urls import Resolver404, resolve

from sessions.factories import UserFactory
from stats.models import Area

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/stats/%00/", "/stats/E2300%0029/", "/stats/e23000029/", "/stats/E230000290/",
                                  "/stats/E2300002/", "/stats/../"])
def test_a_statistics_address_that_is_not_an_ons_code_is_not_found(staff_client, path):
    response = staff_client.get(path)

    assert response.status_code == 404 and "Not Found" in response.content.decode()


@pytest.mark.parametrize("path", ["/calendar/%00.ics", "/calendar/abc%00def.ics", "/calendar/a%20b.ics",
                                  "/calendar/" + "a" * 65 + ".ics", "/calendar/a.b.ics"])
def test_a_calendar_feed_address_that_cannot_be_a_token_is_not_found(client, path):
    response = client.get(path)

    assert response.status_code == 404 and "Not Found" in response.content.decode()


def test_the_converters_still_lead_to_every_area_and_feed(staff_client, volunteer):
    for code in Area.objects.values_list("code", flat=True):
        assert resolve(f"/stats/{code}/").kwargs == {"code": code}
    assert resolve(f"/calendar/{volunteer.calendar_token}.ics").kwargs == {"token": volunteer.calendar_token}
    assert "BEGIN:VCALENDAR" in staff_client.get(f"/calendar/{volunteer.calendar_token}.ics").content.decode()


@pytest.mark.parametrize("path", ["/stats/\x00/", "/calendar/\x00.ics"])
def test_no_route_takes_a_nul_character(path):
    with pytest.raises(Resolver404):
        resolve(path)


@pytest.mark.parametrize("code", ["e23000029", "E2300002", "E23-00029", "X1"])
def test_an_area_code_that_is_not_an_ons_code_is_refused_in_the_admin_so_every_area_has_an_address(client, code):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)

    response = client.post("/admin/stats/area/add/", {"kind": "police_force", "code": code, "name": "New Area"})

    assert "An ONS code is a capital letter and eight digits, such as E23000029." in response.content.decode()
    assert not Area.objects.filter(name="New Area").exists()
