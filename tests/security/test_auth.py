"""Signing in: throttled after five wrong passwords, passwords reset by email, strong passwords, and
staff sessions that end after twelve hours."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from config.auth import client_address
from schools.factories import SchoolFactory
from sessions.access import is_coordinator, is_volunteer
from sessions.factories import CoordinatorFactory, UserFactory, VolunteerFactory
from sessions.models import Visit, VisitNote

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
HOME = {"REMOTE_ADDR": "203.0.113.5"}


def log_in(client, username, password, **meta):
    return client.post("/accounts/login/", {"username": username, "password": password}, **(meta or HOME))


def test_five_wrong_passwords_lock_that_username_from_that_address_with_a_clear_message(client):
    user = UserFactory(username="priya")
    for _ in range(4):
        assert log_in(client, "priya", "wrong").status_code == 200
    assert log_in(client, "priya", "wrong").status_code == 429  # the fifth failure locks

    response = log_in(client, "priya", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts to log in" in page and "paused for 15 minutes" in page
    assert "set a new password by email" in page
    assert "_auth_user_id" not in client.session
    assert user.pk


def test_four_wrong_passwords_then_the_right_one_logs_in_and_clears_the_count(client):
    UserFactory(username="priya")
    for _ in range(4):
        log_in(client, "priya", "wrong")

    assert log_in(client, "priya", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="priya").exists()


def test_after_fifteen_minutes_the_right_password_works_again(client):
    UserFactory(username="priya")
    for _ in range(5):
        log_in(client, "priya", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

    assert log_in(client, "priya", PASSWORD).status_code == 302


def test_the_lock_is_for_that_username_from_that_address_only(client):
    UserFactory(username="priya")
    UserFactory(username="tom")
    for _ in range(5):
        log_in(client, "priya", "wrong")

    assert log_in(client, "priya", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.logout()
    assert log_in(client, "tom", PASSWORD).status_code == 302


def test_behind_the_proxy_a_made_up_forwarded_address_does_not_escape_the_lock(client, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    UserFactory(username="priya")
    proxy_saw = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.5"}
    for _ in range(5):
        log_in(client, "priya", "wrong", **proxy_saw)

    made_up = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.99, 203.0.113.5"}
    assert log_in(client, "priya", PASSWORD, **made_up).status_code == 429


def test_the_login_page_offers_a_password_reset(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<a href="/accounts/password_reset/">Forgotten your password?</a>' in page


def test_a_volunteer_sets_a_new_password_from_the_emailed_link_and_logs_in_with_it(client):
    volunteer = VolunteerFactory(user__username="priya", user__email="priya@example.org")

    response = client.post("/accounts/password_reset/", {"email": "priya@example.org"})

    assert response.url == "/accounts/password_reset/done/"
    [email] = mail.outbox
    assert email.to == ["priya@example.org"] and "Set a new password" in email.subject
    assert "Your username is priya." in email.body
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", email.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    new = "mill lane ferry kettle 2027"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.url == "/accounts/reset/done/"
    assert log_in(client, "priya", new).status_code == 302
    volunteer.user.refresh_from_db()
    assert volunteer.user.check_password(new)


def test_an_unknown_address_gets_the_same_page_and_no_email(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})

    assert response.url == "/accounts/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.parametrize(("password", "message"), [
    ("short2027", "This password is too short. It must contain at least 12 characters."),
    ("password1234", "This password is too common."),
    ("204719365520", "This password is entirely numeric."),
    ("priyapatel99", "The password is too similar to the"),
])
def test_a_weak_new_password_is_refused_with_the_reason(client, password, message):
    VolunteerFactory(user__username="priyapatel", user__first_name="Priya", user__last_name="Patel",
                     user__email="priya@example.org")
    client.post("/accounts/password_reset/", {"email": "priya@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(form_url, {"new_password1": password, "new_password2": password})

    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_staff_session_ends_after_twelve_hours(client):
    UserFactory(username="dataentry", is_staff=True)

    log_in(client, "dataentry", PASSWORD)

    assert client.session.get_expiry_age() == 12 * 60 * 60


def test_a_volunteers_session_lasts_two_weeks(client):
    VolunteerFactory(user__username="priya")

    log_in(client, "priya", PASSWORD)

    assert client.session.get_expiry_age() == 14 * 24 * 60 * 60


def test_without_a_proxy_a_forwarded_address_is_ignored_and_the_socket_address_counts(client, settings):
    settings.BEHIND_PROXY = False
    UserFactory(username="priya")
    for n in range(5):
        log_in(client, "priya", "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert log_in(client, "priya", PASSWORD, REMOTE_ADDR="203.0.113.5",
                  HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


# --- Which address a request came from (config/auth.py: client_address)


def test_a_client_that_reaches_the_server_directly_cannot_escape_the_lock_by_rotating_a_forwarded_address(client):
    UserFactory(username="priya")
    for n in range(5):
        log_in(client, "priya", "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    response = log_in(client, "priya", PASSWORD, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.200")

    assert response.status_code == 429 and "Too many attempts to log in" in response.content.decode()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_behind_the_default_trusted_proxy_on_loopback_the_address_it_saw_counts(client):
    UserFactory(username="priya")
    for n in range(5):
        log_in(client, "priya", "wrong", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert log_in(client, "priya", PASSWORD, REMOTE_ADDR="::1",
                  HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429


@pytest.mark.parametrize("forwarded", [
    "not-an-ip", "203.0.113.5:4711", "999.1.1.1", "203.0.113.5\x00", " , ", "𝟏.𝟏.𝟏.𝟏"])
def test_a_malformed_forwarded_address_is_ignored_and_the_proxys_own_counts_so_login_still_works(
        client, forwarded):
    """On PostgreSQL, django-axes storing "not-an-ip" in its address column made every login a server error."""
    UserFactory(username="priya")

    refused = log_in(client, "priya", "wrong", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert "Your username and password did not match" in refused.content.decode()
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]
    assert log_in(client, "priya", PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).url == "/"


@pytest.mark.parametrize("peer", ["", "not-an-ip", "unix:/run/gunicorn.sock"])
def test_a_socket_address_that_is_not_an_address_never_reaches_the_lockout_records(client, peer):
    UserFactory(username="priya")

    refused = log_in(client, "priya", "wrong", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert "Your username and password did not match" in refused.content.decode()
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [None]


def request_from(peer: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": peer} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(("trusted", "peer", "forwarded", "address"), [
    (["127.0.0.1/8", "::1"], "127.0.0.5", "203.0.113.5", "203.0.113.5"),
    (["127.0.0.1/8", "::1"], "::1", "2001:db8::7", "2001:db8::7"),
    (["127.0.0.1/8", "::1"], "10.0.0.2", "203.0.113.5", "10.0.0.2"),
    (["127.0.0.1/8", "::1"], "127.0.0.1", None, "127.0.0.1"),
    (["127.0.0.1/8", "::1"], "127.0.0.1", "", "127.0.0.1"),
    # A chain of trusted proxies: the nearest address that is not one of them.
    (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "198.51.100.1, 203.0.113.5, 10.1.2.3", "203.0.113.5"),
    (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "10.1.2.4, 10.1.2.3", "10.1.2.4"),
    # A malformed entry where a proxy's should be: the socket's address, not a guess.
    (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "203.0.113.5, junk, 10.1.2.3", "127.0.0.1"),
    ([], "127.0.0.1", "203.0.113.5", "127.0.0.1"),
    (["127.0.0.1/8"], "::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5"),
    (["::1"], "::1", "2001:DB8::0:7", "2001:db8::7"),
    (["::1"], "::1", "fe80::1%eth0", "fe80::1"),
])
def test_the_client_address_trusts_a_forwarded_address_only_from_a_trusted_proxy(
        settings, trusted, peer, forwarded, address):
    settings.TRUSTED_PROXIES = trusted

    assert client_address(request_from(peer, forwarded)) == address


def test_with_behind_proxy_off_no_forwarded_address_is_trusted_even_from_loopback(settings):
    settings.BEHIND_PROXY = False

    assert client_address(request_from("127.0.0.1", "203.0.113.5")) == "127.0.0.1"


def test_a_trusted_proxies_value_that_is_not_an_address_or_network_stops_the_app_with_the_reason():
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "TRUSTED_PROXIES": "127.0.0.1, proxy.example.org"}, timeout=120)

    assert result.returncode != 0
    assert ("TRUSTED_PROXIES: 'proxy.example.org' is not an IP address or network (such as 10.0.0.2 or "
            "10.0.0.0/8)") in result.stderr


def test_the_request_forms_limit_cannot_be_escaped_by_rotating_a_forwarded_address(client, thames_valley):
    school = SchoolFactory(in_area=thames_valley)
    form = {"school": str(school.urn), "requester_name": "Mo Ahmed", "requester_role": "office",
            "requester_email": "office@school.example", "requester_phone": "01632 960123",
            "safeguarding_lead_name": "Rita Okafor", "safeguarding_lead_phone": "01632 960999",
            "first_date": "2027-03-09", "preferred_dates": "Any Tuesday", "pupils_5": "30", "notes": ""}
    for n in range(5):
        client.post("/request-a-visit/", form, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    # One visit; the school's four requests after the first were added to it as notes.
    assert Visit.objects.count() == 1 and VisitNote.objects.count() == 4

    response = client.post("/request-a-visit/", form, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert response.status_code == 429 and "Please wait an hour and try again" in response.content.decode()


@pytest.mark.parametrize("role", ["coordinator", "volunteer", "both", "neither"])
def test_the_signed_in_user_comes_with_their_roles_in_one_query(client, django_assert_num_queries, role):
    user = UserFactory(username="priya")
    if role in ("coordinator", "both"):
        CoordinatorFactory(user=user)
    if role in ("volunteer", "both"):
        VolunteerFactory(user=user)
    assert log_in(client, "priya", PASSWORD).status_code == 302
    request = RequestFactory().get("/")
    request.session = client.session

    with django_assert_num_queries(2):  # the session; the user with a coordinator and a volunteer record or none
        signed_in = get_user(request)
        found = (is_coordinator(signed_in), is_volunteer(signed_in))
    assert signed_in.pk == user.pk
    assert found == (role in ("coordinator", "both"), role in ("volunteer", "both"))


def test_a_deactivated_user_is_signed_out_on_their_next_request(client):
    user = UserFactory(username="priya")
    assert log_in(client, "priya", PASSWORD).status_code == 302
    user.is_active = False
    user.save()

    response = client.get("/me/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
