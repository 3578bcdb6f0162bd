"""Cancelling from the coordinator's visit page asks a reason from the list; "Cancel and rebook" also opens a
new request for the school with what it asked for, and takes the coordinator to it. The reach report counts
cancellations by reason."""

from datetime import date, time

import pytest
from django.urls import reverse

from sessions.factories import VisitFactory
from sessions.models import CancelReason, StatusChange, Visit
from sessions.reach.report import cancellations_by_reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(thames_valley, planned_visit):
    visit = planned_visit(
        thames_valley, volunteers=1, requester_name="Jo Bloggs", requester_email="jo@riverside.sch.uk",
        requester_phone="01632 960 111", pupils_by_year={"5": 30, "6": 28}, needs_send=True,
        preferred_weekdays=[1, 2], preferred_time="morning", dates_to_avoid=["2027-03-09"],
        safeguarding_lead_name="Helen Ward", safeguarding_lead_email="h.ward@riverside.sch.uk",
    )
    line = visit.sessions.get()
    line.year_groups, line.pupils, line.send_adapted = [5, 6], 58, True
    line.save()
    return visit


def status_url(visit):
    return reverse("planning:change_status", args=[visit.pk])


def test_cancelling_records_the_reason_category_and_retires_the_school_link(coordinator_client, visit, HTMX):
    old_token = visit.school_token

    response = coordinator_client.post(status_url(visit), {"to": "cancelled", "category": "weather",
                                                           "reason": "Snow", "version": visit.version}, headers=HTMX)

    assert "Cancelled because: Weather. Snow" in response.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_category, visit.cancel_reason) == ("cancelled", "weather", "Snow")
    assert visit.school_token != old_token


def test_a_category_alone_is_reason_enough_but_another_reason_needs_words(coordinator_client, visit, HTMX):
    refused = coordinator_client.post(status_url(visit), {"to": "cancelled", "category": "other"}, headers=HTMX)
    bogus = coordinator_client.post(status_url(visit), {"to": "cancelled", "category": "bored"}, headers=HTMX)

    assert "Say in a few words why the visit is cancelled." in refused.content.decode()
    assert "Choose a reason from the list." in bogus.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED

    coordinator_client.post(status_url(visit), {"to": "cancelled", "category": "no_volunteers"}, headers=HTMX)

    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == ("cancelled", "No volunteers could go")


def test_cancel_and_rebook_opens_a_new_request_with_what_the_school_asked_for(coordinator_client, coordinator, visit,
                                                                              emails):
    with emails as sent:
        response = coordinator_client.post(status_url(visit), {"to": "cancelled", "category": "school_closure",
                                                               "reason": "Boiler failed", "rebook": "on"})

    visit.refresh_from_db()
    new = Visit.objects.get(rebooked_from=visit)
    assert response.url == reverse("planning:visit", args=[new.pk])
    assert visit.status == Visit.Status.CANCELLED
    assert (new.status, new.school, new.coordinator) == (Visit.Status.REQUESTED, visit.school, coordinator.user)
    assert (new.date, new.starts_at, new.ends_at) == (date(2027, 3, 2), time(9, 0), time(10, 30))
    for name in ("requester_name", "requester_email", "requester_phone", "pupils_by_year", "needs_send",
                 "preferred_weekdays", "preferred_time", "dates_to_avoid", "safeguarding_lead_name",
                 "safeguarding_lead_email"):
        assert getattr(new, name) == getattr(visit, name), name
    [line] = new.sessions.all()
    assert (line.session_type.slug, line.year_groups, line.pupils, line.send_adapted) == ("assembly-ks2", [5, 6], 58,
                                                                                         True)
    assert new.assignments.count() == 0 and new.school_token != visit.school_token
    assert "Rebooked after the visit on 2 March 2027 was cancelled (Boiler failed)." == new.notes
    page = coordinator_client.get(response.url).content.decode()
    assert "This is its new request" in page and "Rebooked from" in page
    # The school hears that the visit is cancelled and that another date will be proposed; the coordinator
    # is not emailed about the request they opened themselves.
    [to_school] = [m for m in sent if m.to == ["jo@riverside.sch.uk"]]
    assert "We have opened a new request for your school" in to_school.body
    assert not [m for m in sent if m.subject.startswith("Visit requested")]


def test_cancel_and_rebook_from_htmx_redirects_the_whole_page(coordinator_client, visit, HTMX):
    response = coordinator_client.post(status_url(visit), {"to": "cancelled", "category": "school_request",
                                                           "rebook": "on"}, headers=HTMX)

    new = Visit.objects.get(rebooked_from=visit)
    assert response["HX-Redirect"] == reverse("planning:visit", args=[new.pk])


def test_a_refused_rebook_creates_nothing(coordinator_client, visit):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.DELIVERED)

    coordinator_client.post(status_url(visit), {"to": "cancelled", "category": "weather", "rebook": "on"})

    assert not Visit.objects.filter(rebooked_from=visit).exists()
    assert not StatusChange.objects.filter(visit=visit).exists()


def test_the_reach_report_counts_cancellations_by_reason(staff_user, thames_valley, kent):
    for category, area in [("weather", thames_valley), ("weather", kent), ("school_closure", thames_valley),
                           ("", thames_valley)]:
        VisitFactory(school__in_area=area, date=date(2026, 1, 12), status=Visit.Status.CANCELLED,
                     cancel_category=category, cancel_reason="x")
    VisitFactory(school__in_area=thames_valley, date=date(2026, 1, 12), status=Visit.Status.DELIVERED)
    VisitFactory(school__in_area=thames_valley, date=date(2025, 1, 12), status=Visit.Status.CANCELLED,
                 cancel_category="weather")

    found = cancellations_by_reason(staff_user, [thames_valley, kent], date(2025, 9, 1), date(2026, 8, 31))
    only_kent = cancellations_by_reason(staff_user, [kent], date(2025, 9, 1), date(2026, 8, 31))

    assert found == [("The school is closed", 1), ("Weather", 2), ("No reason recorded", 1)]
    assert only_kent == [("Weather", 1)]
    assert [str(label) for _, label in CancelReason.choices][:2] == ["The school is closed", "The school asked to cancel"]


def test_the_reach_page_shows_why_visits_were_cancelled(staff_client, thames_valley):
    VisitFactory(school__in_area=thames_valley, date=date(2026, 1, 12), status=Visit.Status.CANCELLED,
                 cancel_category="weather")

    html = staff_client.get("/reach/?year=2025").content.decode()

    assert "Why visits were cancelled" in html
    assert "<th scope=\"row\">Weather</th><td class=\"num\">1</td>" in html


