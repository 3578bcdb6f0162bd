"""The school's own page: its token is the only key. A token opens its own visit and no other, a wrong or
retired one opens nothing and changes nothing, a sign-in changes nothing, and the token reaches no log."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from sessions.models import SchoolPageAccess, Visit

pytestmark = pytest.mark.django_db

ACTIONS = {
    "details": {"safeguarding_lead_name": "Helen Ward", "safeguarding_lead_role": "DSL",
                "safeguarding_lead_phone": "01632 960 222", "safeguarding_lead_email": "h@school.org.uk"},
    "agree": {"name": "Jo", "seen": "2027-03-02T09:00-10:30"},
    "other_dates": {"date_1": "2027-03-09"},
    "cancel": {"reason": "weather", "name": "Jo"},
}


@pytest.fixture
def two_visits(thames_valley, kent, planned_visit):
    return planned_visit(thames_valley, volunteers=1), planned_visit(kent, volunteers=1)


def snapshot(visit) -> tuple:
    return tuple(Visit.objects.filter(pk=visit.pk).values_list(
        "status", "school_token", "school_agreed_at", "safeguarding_lead_name", "school_other_dates").get())


def test_a_token_opens_its_own_visit_and_never_another(client, two_visits):
    mine, other = two_visits

    html = client.get(reverse("schools_side:page", args=[mine.school_token])).content.decode()

    assert mine.school.name in html
    assert other.school.name not in html and other.school_token not in html


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_an_answer_through_one_token_changes_only_its_own_visit(client, two_visits, action):
    mine, other = two_visits
    before = snapshot(other)

    client.post(reverse(f"schools_side:{action}", args=[mine.school_token]), ACTIONS[action])

    assert snapshot(mine) != snapshot(other)
    assert snapshot(other) == before


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_wrong_or_retired_token_opens_nothing_and_changes_nothing(client, two_visits, action):
    mine, other = two_visits
    retired = mine.school_token
    mine.refresh_from_db()
    Visit.objects.filter(pk=mine.pk).update(
        **dict(zip(("retired_school_token", "school_token"), _retire(mine)))
    )
    before = (snapshot(mine), snapshot(other))

    for token in (retired, "x" * 43, other.school_token[:-1] + ("A" if other.school_token[-1] != "A" else "B")):
        assert client.get(reverse("schools_side:page", args=[token])).status_code == 404
        assert client.post(reverse(f"schools_side:{action}", args=[token]), ACTIONS[action]).status_code == 404

    assert (snapshot(mine), snapshot(other)) == before


def _retire(visit) -> tuple[str, str]:
    visit.retire_school_token()
    return visit.retired_school_token, visit.school_token


@pytest.mark.parametrize("path", ["/school-visit/%00/", "/school-visit/a%20b/", "/school-visit/" + "a" * 65 + "/"])
def test_a_token_that_cannot_be_one_never_reaches_the_database(client, path):
    assert client.get(path).status_code == 404


def test_signing_in_gives_no_more_than_the_token(client, two_visits, coordinator):
    mine, _ = two_visits
    client.force_login(coordinator.user)

    assert client.get(reverse("schools_side:page", args=["x" * 43])).status_code == 404
    assert client.get(f"/school-visit/{mine.pk}/").status_code == 404


def test_the_token_reaches_no_log_line_or_access_record(client, two_visits, caplog):
    mine, _ = two_visits
    caplog.set_level(logging.INFO)

    client.get(reverse("schools_side:page", args=[mine.school_token]))
    client.post(reverse("schools_side:other_dates", args=[mine.school_token]), {"date_1": "2027-03-09"})
    client.get(reverse("schools_side:page", args=["y" * 43]))

    assert caplog.records
    logged = "\n".join(record.getMessage() + repr(vars(record)) for record in caplog.records)
    assert mine.school_token not in logged and "y" * 43 not in logged
    assert "schools_side:page school_token=[redacted]" in logged
    assert list(SchoolPageAccess.objects.values_list("action", flat=True).order_by("pk")) == ["viewed", "other_dates"]


def test_the_token_is_not_kept_in_the_visits_history(two_visits):
    mine, _ = two_visits

    history = mine.history.first()

    assert not hasattr(history, "school_token") and not hasattr(history, "retired_school_token")
