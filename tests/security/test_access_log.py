"""Access to sensitive data is logged with ids only: never the names, emails, phones or DBS numbers."""

import logging

import pytest

from schools.factories import SchoolContactFactory
from sessions.factories import UserFactory
from tests.security.test_access_matrix import url_for
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(thames_valley, kent, media, planned_visit):
    world = build_world(thames_valley, kent, planned_visit)
    user = world.volunteer.user
    user.first_name, user.last_name, user.email = "Imogen", "Fairweather", "imogen@example.org"
    user.save()
    world.volunteer.phone, world.volunteer.dbs_reference = "07700 900123", "001234567890"
    world.volunteer.save()
    SchoolContactFactory(school=world.school, name="Helen Ward", role="dsl", phone="01235 111222",
                         email="dsl@school.example.org")
    return world


PERSONAL = ["Imogen", "Fairweather", "imogen@example.org", "07700 900123", "001234567890", "Helen Ward",
            "01235 111222", "dsl@school.example.org"]


def access_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "speakout.access"]


@pytest.mark.parametrize(("role", "url", "expected"), [
    ("volunteer", "packs:pack", "action=pack_download object=school_sessions.visit:{visit} route=packs:pack"),
    ("coordinator", "packs:batch_download",
     "action=pack_batch_download object=school_sessions.packbatch:{batch} route=packs:batch_download"),
    ("coordinator", "planning:school",
     "action=school_contacts_view object=schools.school:{school} route=planning:school"),
    ("volunteer", "portal:details_json",
     "action=own_record_export object=school_sessions.volunteer:{volunteer} route=portal:details_json"),
    ("volunteer", "portal:details_csv",
     "action=own_record_export object=school_sessions.volunteer:{volunteer} route=portal:details_csv"),
])
def test_opening_sensitive_data_logs_who_what_and_where_but_no_personal_value(client, caplog, world, role, url,
                                                                               expected):

    user = world.users[role]
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="speakout.access"):
        response = client.get(url_for(url, world))

    assert response.status_code == 200
    ids = {"visit": world.visit.pk, "batch": world.batch.pk, "school": world.school.pk, "volunteer": world.volunteer.pk}
    assert access_lines(caplog) == [f"user={user.pk} " + expected.format(**ids)]
    assert not [value for value in PERSONAL if value in "\n".join(access_lines(caplog))]


@pytest.mark.parametrize("page", ["volunteer", "school", "schoolcontact"])
def test_opening_a_volunteer_school_or_contact_in_the_admin_is_logged_without_personal_values(client, caplog, world,
                                                                                              page):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    obj = {"volunteer": world.volunteer, "school": world.school,
           "schoolcontact": world.school.contacts.get(role="dsl")}[page]
    app = obj._meta.app_label

    with caplog.at_level(logging.INFO, logger="speakout.access"):
        client.get(f"/admin/{app}/{page}/{obj.pk}/change/")

    assert access_lines(caplog) == [
        f"user={staff.pk} action=admin_view object={obj._meta.label_lower}:{obj.pk} route=admin:{app}_{page}_change"]
    assert not [value for value in PERSONAL if value in "\n".join(access_lines(caplog))]


def test_a_refused_request_logs_no_access(client, caplog, world):

    client.force_login(world.users["other_volunteer"])
    with caplog.at_level(logging.INFO, logger="speakout.access"):
        assert client.get(url_for("packs:pack", world)).status_code == 404

    assert access_lines(caplog) == []


def test_opening_a_volunteers_page_in_the_directory_logs_it_with_ids_only(client, caplog, world):
    world.other_volunteer.user.first_name = "Imogen"
    world.other_volunteer.user.save()
    user = world.users["coordinator"]
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="speakout.access"):
        response = client.get(url_for("planning:volunteer", world))

    assert "Imogen" in response.content.decode()
    assert access_lines(caplog) == [
        f"user={user.pk} action=volunteer_record_view object=school_sessions.volunteer:{world.other_volunteer.pk} "
        "route=planning:volunteer"
    ]
    assert not [value for value in PERSONAL if value in "\n".join(access_lines(caplog))]


def test_the_volunteer_directory_logs_each_volunteer_it_shows_with_ids_only(client, caplog, world):
    user = world.users["coordinator"]
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="speakout.access"):
        response = client.get(url_for("planning:volunteers", world))

    assert "Fairweather" in response.content.decode()
    shown = sorted([world.volunteer.pk, world.other_volunteer.pk])
    assert sorted(access_lines(caplog)) == sorted(
        f"user={user.pk} action=volunteer_directory_view object=school_sessions.volunteer:{pk} "
        "route=planning:volunteers" for pk in shown
    )
    assert not [value for value in PERSONAL if value in "\n".join(access_lines(caplog))]
