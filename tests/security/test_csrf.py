"""Every state-changing endpoint refuses a POST without the CSRF token, and takes it with the token.

The endpoints and who may post to them come from the access matrix, so a new form is covered as soon as
it has its row there.
"""

import re

import pytest
from django.test import Client

from tests.security.test_access_matrix import (
    DONE,
    POST_DATA,
    POST_DATA_BY_ROLE,
    POSTS,
    ROLES,
    post_outcome,
    state,
    url_for,
)

# For each endpoint, the first role the matrix lets post to it.
CASES = [(name, next(role for role, got in zip(ROLES, POSTS[name]) if got == DONE)) for name in sorted(POSTS)
         if DONE in POSTS[name]]


def signed_in_client(world, role) -> Client:
    client = Client(enforce_csrf_checks=True)
    if world.users[role]:
        client.force_login(world.users[role])
    client.get("/accounts/login/")  # a page with a form sets the CSRF cookie
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), CASES)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(name, role, world):
    client = signed_in_client(world, role)
    before = state(world)

    response = client.post(url_for(name, world), POST_DATA_BY_ROLE.get((name, role), POST_DATA.get(name, {})))

    assert response.status_code == 403
    assert b"This form had expired" in response.content
    assert state(world) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), CASES)
def test_the_same_post_with_the_csrf_token_is_accepted(name, role, world):
    client = signed_in_client(world, role)
    data = {**POST_DATA_BY_ROLE.get((name, role), POST_DATA.get(name, {})),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value}

    assert post_outcome(client.post(url_for(name, world), data)) == DONE


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), CASES)
def test_an_htmx_post_with_the_token_in_its_header_is_accepted(name, role, world):
    client = signed_in_client(world, role)
    data = POST_DATA_BY_ROLE.get((name, role), POST_DATA.get(name, {}))

    response = client.post(url_for(name, world), data, headers={"X-CSRFToken": client.cookies["csrftoken"].value})

    assert response.status_code != 403


@pytest.mark.django_db
def test_an_htmx_post_with_an_expired_token_reloads_the_page_instead_of_swapping_an_error_in(world):
    client = signed_in_client(world, "coordinator")
    before = state(world)

    response = client.post(url_for("planning:change_status", world), {"to": "cancelled", "reason": "Snow"},
                           headers={"HX-Request": "true", "X-CSRFToken": "expired" * 5})

    assert response.status_code == 403 and response["HX-Refresh"] == "true"
    assert b"<html" not in response.content
    assert state(world) == before


@pytest.mark.django_db
def test_the_token_on_every_page_body_is_the_one_htmx_requests_need(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coordinator"])
    page = client.get(url_for("planning:visit", world)).content.decode()
    token = re.search(r'<body hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'>', page).group(1)

    response = client.post(url_for("planning:change_status", world), {"to": "cancelled", "reason": "Snow"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})

    assert response.status_code == 200 and "HX-Refresh" not in response
    world.visit.refresh_from_db()
    assert world.visit.status == "cancelled"
