"""Password reset by email through a real mail server (config/password_reset.py): the link arrives and
works, a new volunteer sets their first password with it, a mail server that is down is said to be down,
and a known and an unknown address get the same page after the same work."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.factories import UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mill lane ferry kettle 2027"


def ask_for_a_link(client, address: str):
    return client.post("/accounts/password_reset/", {"email": address})


def link_in(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", text).group(1)


def set_password_from(client, link: str):
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def page_without_per_response_secrets(response) -> str:
    """The page without its CSRF tokens and CSP nonces, which differ on every response."""
    return re.sub(r'[A-Za-z0-9]{64}|nonce="[^"]+"', "", response.content.decode())


def test_a_reset_link_arrives_through_a_real_mail_server_from_the_default_sender_and_sets_a_new_password(
        client, smtp_server):
    volunteer = VolunteerFactory(user__username="priya", user__email="priya@example.org")

    response = ask_for_a_link(client, "Priya@Example.org")

    assert response.url == "/accounts/password_reset/done/"
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["priya@example.org"]
    assert received.message["From"] == '"Speak Out. Stay Safe." <speakout@localhost>'
    assert "Set a new password" in received.message["Subject"]
    assert "Your username is priya." in received.text()
    assert set_password_from(client, link_in(received.text())).url == "/accounts/reset/done/"
    volunteer.user.refresh_from_db()
    assert volunteer.user.check_password(NEW_PASSWORD)


def test_the_link_points_at_the_sites_public_address(client, smtp_server, settings):
    settings.SITE_URL = "https://planner.example.org"
    VolunteerFactory(user__email="priya@example.org")

    ask_for_a_link(client, "priya@example.org")

    [received] = smtp_server.messages
    assert "https://planner.example.org/accounts/reset/" in received.text()


def test_a_new_volunteer_created_without_a_password_sets_their_first_one_from_the_emailed_link(client, smtp_server):
    # The admin creates volunteers with an unusable password: this link is how they first sign in.
    user = UserFactory(username="sian.evans@example.org", email="sian.evans@example.org")
    user.set_unusable_password()
    user.save()

    ask_for_a_link(client, "sian.evans@example.org")

    [received] = smtp_server.messages
    assert set_password_from(client, link_in(received.text())).url == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_inactive_account_gets_no_link(client, smtp_server):
    UserFactory(email="left@example.org", is_active=False)

    response = ask_for_a_link(client, "left@example.org")

    assert response.url == "/accounts/password_reset/done/"
    assert smtp_server.messages == []


@pytest.mark.parametrize("address", ["priya@example.org", "nobody@example.org"])
def test_when_the_mail_server_is_down_the_page_says_no_email_was_sent(client, mail_server_down, address):
    VolunteerFactory(user__email="priya@example.org")

    response = ask_for_a_link(client, address)

    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not reach our mail server, so no email was sent." in page
    assert "Check your email" not in page
    assert 'value="' + address + '"' in page  # the address stays in the form, to try again


def test_with_the_mail_server_down_a_known_and_an_unknown_address_get_the_same_page(client, mail_server_down):
    VolunteerFactory(user__email="priya@example.org")

    known = ask_for_a_link(client, "priya@example.org")
    unknown = ask_for_a_link(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 503
    known_page = page_without_per_response_secrets(known).replace("priya@example.org", "nobody@example.org")
    assert known_page == page_without_per_response_secrets(unknown)


def test_a_known_and_an_unknown_address_get_the_same_page_after_the_same_work(client, smtp_server, queued_tasks):
    """Nothing in the answer, or in the work done before it, differs with whether the address has an account:
    the same queries, one connection to the mail server each, no email sent while the person waits, and one
    task queued each (the task worker sends the link, for a known address only)."""
    VolunteerFactory(user__email="priya@example.org")
    answers, queries = {}, {}
    for address in ("priya@example.org", "nobody@example.org"):
        with CaptureQueriesContext(connection) as captured:
            answers[address] = ask_for_a_link(client, address)
        queries[address] = [re.sub(r"'[^']*'", "?", q["sql"]) for q in captured.captured_queries]

    assert answers["priya@example.org"].url == answers["nobody@example.org"].url == "/accounts/password_reset/done/"
    assert queries["priya@example.org"] == queries["nobody@example.org"]
    assert smtp_server.connections == 2 and smtp_server.messages == []
    assert [r.task.name for r in queued_tasks] == ["send_password_reset", "send_password_reset"]

    known, unknown = queued_tasks
    known.task.call(*known.args, **known.kwargs)
    unknown.task.call(*unknown.args, **unknown.kwargs)
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["priya@example.org"]


def test_the_queued_task_holds_no_link_token_or_address(client, queued_tasks):
    volunteer = VolunteerFactory(user__email="priya@example.org")

    ask_for_a_link(client, "priya@example.org")

    [queued] = queued_tasks
    assert (queued.args, queued.kwargs) == ([[volunteer.user.pk]], {})
