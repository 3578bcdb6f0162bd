"""The schools-due list leaves out schools that already have a visit planned (saying how many, with a link
to show them), and a second live visit for the same school is a warning."""

from datetime import date

import pytest

from schools.factories import SchoolFactory
from schools.models import LIVE_VISIT_STATUSES
from sessions.factories import VisitFactory
from sessions.models import Visit

pytestmark = pytest.mark.django_db


def test_the_live_statuses_are_the_visits_that_are_not_closed():
    assert set(LIVE_VISIT_STATUSES) == set(Visit.Status.values) - Visit.CLOSED


def test_the_due_list_leaves_out_schools_with_a_visit_planned_and_says_how_many(coordinator_client, thames_valley,
                                                                                HTMX):
    SchoolFactory(in_area=thames_valley, name="Open Door Primary")
    planned = SchoolFactory(in_area=thames_valley, name="Planned Primary")
    VisitFactory(school=planned, date=date(2027, 3, 2), status=Visit.Status.PROPOSED)
    requested = SchoolFactory(in_area=thames_valley, name="Asked Primary")
    VisitFactory(school=requested, date=date(2027, 3, 3), status=Visit.Status.REQUESTED)
    cancelled = SchoolFactory(in_area=thames_valley, name="Cancelled Primary")
    VisitFactory(school=cancelled, date=date(2027, 3, 4), status=Visit.Status.CANCELLED)

    html = coordinator_client.get("/plan/due/").content.decode()

    assert "Open Door Primary" in html and "Cancelled Primary" in html
    assert "Planned Primary" not in html and "Asked Primary" not in html
    assert "2 schools due a visit" in html
    assert "Left out: 2 schools due a visit that already have one requested, proposed or confirmed." in html
    assert 'href="/plan/due/?booked=on"' in html

    shown = coordinator_client.get("/plan/due/?booked=on", headers=HTMX).content.decode()
    assert "<html" not in shown and "4 schools due a visit" in shown and "Left out" not in shown
    assert "Visit planned<span class=\"visually-hidden\"> for Planned Primary</span>" in shown
    assert f"/visits/new/?school={planned.urn}" not in shown


def test_the_show_them_link_keeps_the_search(coordinator_client, thames_valley):
    school = SchoolFactory(in_area=thames_valley, name="Planned Primary", town="Reading")
    VisitFactory(school=school, date=date(2027, 3, 2))

    html = coordinator_client.get("/plan/due/?q=planned&page=3").content.decode()

    assert "Left out: 1 school due a visit that already has one" in html
    assert 'href="/plan/due/?q=planned&amp;booked=on"' in html


def test_a_second_live_visit_for_the_same_school_is_a_warning(thames_valley, planned_visit):
    first = planned_visit(thames_valley, date=date(2027, 3, 2))
    second = planned_visit(thames_valley, school=first.school, date=date(2027, 3, 16), status=Visit.Status.REQUESTED)

    [problem] = [p for p in second.problems() if p.code == "second_visit"]

    assert problem.level == "warning"
    assert problem.message == f"{first.school.name} already has a visit proposed for 2 March 2027."
    assert [p.code for p in first.problems() if p.code == "second_visit"] == ["second_visit"]
    assert "second_visit" not in Visit.objects.with_signals().get(pk=second.pk).signal_codes


def test_a_cancelled_or_delivered_visit_is_not_a_second_one(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, date=date(2027, 3, 2))
    planned_visit(thames_valley, school=visit.school, date=date(2027, 3, 9), status=Visit.Status.CANCELLED)
    planned_visit(thames_valley, school=visit.school, date=date(2024, 3, 5), status=Visit.Status.DELIVERED)

    assert "second_visit" not in {p.code for p in visit.problems()}
