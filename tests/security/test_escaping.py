"""Names and free text holding markup are shown as text everywhere: every page and fragment of ours and
the admin's (escaped), and the session pack (the characters themselves, drawn as text)."""

import pytest
from django.contrib import admin

from schools.factories import SchoolContactFactory
from tests.security.test_access_matrix import GETS, OK, ROLES, url_for

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW = [SCRIPT, "<img src=x onerror"]


@pytest.fixture(scope="module")
def world_of_the_module(world_of_the_module):
    """The security tests' world, with markup in every name and note (made once for the module)."""
    world = world_of_the_module
    world.school.name = f"Oak {SCRIPT} Primary"
    world.school.town = f"Reading{ATTRIBUTE}"
    world.school.save()
    SchoolContactFactory(school=world.school, name=f"Helen {SCRIPT}", role="dsl", phone="01235 111222")
    for user in (world.volunteer.user, world.users["coordinator"]):
        user.first_name, user.last_name = f"Priya{ATTRIBUTE}", f"Patel {SCRIPT}"
        user.save()
    world.visit.notes = f"Bring {SCRIPT} and {ATTRIBUTE}"
    world.visit.save()
    world.unavailability.reason = SCRIPT
    world.unavailability.save()
    return world


def assert_escaped(response, where: str) -> None:
    html = response.content.decode()
    found = [raw for raw in RAW if raw in html]
    assert not found, f"{where}: {found} unescaped"


OPENABLE = [(name, role) for name in sorted(GETS) if GETS[name] for role, got in zip(ROLES, GETS[name]) if got == OK
            and role != "anonymous"]


@pytest.mark.parametrize(("name", "role"), OPENABLE)
def test_markup_in_names_and_notes_is_escaped_on_every_page_and_fragment(client, world, name, role, HTMX):
    client.force_login(world.users[role])
    url = url_for(name, world)
    for headers in ({}, HTMX):
        response = client.get(url, headers=headers)
        if response["Content-Type"].startswith("text/html"):
            assert_escaped(response, f"{url} {headers}")


def test_the_pages_that_show_the_names_show_them_as_text(client, world):
    client.force_login(world.users["coordinator"])
    school = client.get(url_for("planning:school", world)).content.decode()
    visit = client.get(url_for("planning:visit", world)).content.decode()

    assert "Oak &lt;script&gt;alert(1)&lt;/script&gt; Primary" in school
    assert "Helen &lt;script&gt;alert(1)&lt;/script&gt;" in school
    assert "Bring &lt;script&gt;alert(1)&lt;/script&gt;" in visit


def test_markup_is_escaped_on_every_admin_list_and_change_page(client, world):
    client.force_login(world.users["superuser"])
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert_escaped(client.get(base), base)
        for obj in model.objects.order_by("pk")[:3]:
            url = f"{base}{obj.pk}/change/"
            assert_escaped(client.get(url), url)


def test_the_pack_shows_the_markup_as_the_characters_typed(client, world, pages_text):
    client.force_login(world.users["coordinator"])
    pdf = client.get(url_for("packs:pack", world)).getvalue()
    text = "\n".join(pages_text(pdf))

    assert "Oak <script>alert(1)</script> Primary" in text
    assert "Helen <script>alert(1)</script>" in text
