import pytest

from sessions.factories import CoordinatorFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


def test_the_login_page_has_labelled_fields_and_no_inline_script(client):
    html = client.get("/accounts/login/").content.decode()

    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "<script>" not in html and "<style" not in html
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer' in html


def test_every_page_carries_a_content_security_policy_without_unsafe_inline(client):
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_a_volunteer_is_sent_to_their_visits(client):
    client.force_login(VolunteerFactory().user)

    assert client.get("/").url == "/me/"


def test_a_coordinator_is_sent_to_planning(client, thames_valley):
    client.force_login(CoordinatorFactory(areas=[thames_valley]).user)

    assert client.get("/").url == "/plan/"


def test_someone_with_several_roles_chooses_where_to_go(client):
    user = UserFactory(is_staff=True, first_name="Jo")
    CoordinatorFactory(user=user)

    client.force_login(user)
    html = client.get("/").content.decode()

    assert "Welcome, Jo" in html
    assert 'href="/plan/"' in html and 'href="/admin/"' in html


def test_a_user_with_no_role_is_told_what_to_do(client):
    client.force_login(UserFactory())

    assert "Ask a coordinator" in client.get("/").content.decode()


def test_the_page_speaks_british_english_and_carries_the_csrf_header_for_htmx(client):
    client.force_login(UserFactory())

    html = client.get("/").content.decode()

    assert '<html lang="en-GB">' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "Childline free on <strong>0800 1111</strong>" in html
