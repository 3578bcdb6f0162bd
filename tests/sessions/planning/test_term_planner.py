"""The term planner's pages and command: asking for a plan, the draft, creating ticked rows through the
booking gates, bad input, and drafts kept for a week."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from schools.factories import SchoolFactory, TermDateFactory
from schools.models import TermDate, academic_year_label, academic_year_of
from sessions.factories import AssignmentFactory, CoordinatorFactory, VisitFactory, VolunteerFactory
from sessions.models import Assignment, TermDraft, Visit
from sessions.planning.term import run_draft
from stats.models import LocalAuthority

READING = (471685, 173017)


def next_year() -> int:
    return academic_year_of(timezone.localdate()) + 1


@pytest.fixture
def world(thames_valley):
    """Next academic year's autumn term in one Thames Valley authority, two schools in Reading, three
    volunteers cleared for years (two may lead)."""
    year = next_year()
    la = LocalAuthority.objects.filter(police_force=thames_valley).order_by("code").first()
    TermDateFactory(local_authority=la, academic_year=year, kind=TermDate.Kind.TERM,
                    starts_on=date(year, 9, 3), ends_on=date(year, 12, 18))
    TermDateFactory(local_authority=la, academic_year=year, kind=TermDate.Kind.HALF_TERM,
                    starts_on=date(year, 10, 26), ends_on=date(year, 10, 30))
    schools = [SchoolFactory(local_authority=la, easting=READING[0] + 1000 * n, northing=READING[1])
               for n in range(2)]
    cleared = timezone.localdate() - timedelta(days=30)
    volunteers = [
        VolunteerFactory(areas=[thames_valley], dbs_checked_on=cleared, training_on=cleared, may_lead=n < 2,
                         user__first_name=name, user__last_name="Okafor")
        for n, name in enumerate(["Sam", "Priya", "Tom"])
    ]
    return {"year": year, "la": la, "schools": schools, "volunteers": volunteers}


def plan_it(client, thames_valley, world, **extra) -> TermDraft:
    """Ask for the plan; the task runs when the request's transaction commits (at once in tests)."""
    data = {"academic_year": world["year"], "term": "autumn", "areas": [thames_valley.pk], "monthly_cap": 4} | extra
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("planning:term_plan"), data)
    draft = TermDraft.objects.get()
    assert response.status_code == 302 and response.url == reverse("planning:term_draft", args=[draft.pk])
    return draft


@pytest.mark.django_db
def test_a_coordinator_plans_a_term_and_sees_each_visit_with_its_reasons(coordinator_client, thames_valley, world):
    draft = plan_it(coordinator_client, thames_valley, world)

    draft.refresh_from_db()
    assert draft.status == TermDraft.Status.DONE and draft.percent == 100
    assert {row["urn"] for row in draft.visits} == {school.urn for school in world["schools"]}
    page = coordinator_client.get(reverse("planning:term_draft", args=[draft.pk])).content.decode()
    assert f"Draft of the autumn term {academic_year_label(world['year'])}" in page
    assert "Why this school: it has never had a visit." in page
    assert "a school day in" in page and "(lead, " in page
    assert "None: every school due a visit has one proposed." in page


@pytest.mark.django_db
def test_ticked_rows_become_proposed_visits_with_their_volunteers_invited(coordinator_client, thames_valley, world):
    draft = plan_it(coordinator_client, thames_valley, world)
    draft.refresh_from_db()

    response = coordinator_client.post(reverse("planning:term_draft_create", args=[draft.pk]), {"rows": ["0"]})

    assert response.status_code == 302
    visit = Visit.objects.get()
    row = TermDraft.objects.get().visits[0]
    assert row["created_visit_id"] == visit.pk
    assert visit.status == Visit.Status.PROPOSED and visit.school.urn == row["urn"]
    assert visit.date.isoformat() == row["date"] and f"{visit.starts_at:%H:%M}" == row["starts_at"]
    assert [line.session_type.slug for line in visit.sessions.order_by("starts_at")] == [
        line["slug"] for line in row["sessions"]]
    booked = {(a.volunteer_id, a.role, a.status) for a in visit.assignments.all()}
    assert booked == {(row["lead"], "lead", "invited")} | {(v, "support", "invited") for v in row["support"]}
    # The same row cannot be made twice.
    again = coordinator_client.post(reverse("planning:term_draft_create", args=[draft.pk]), {"rows": ["0"]})
    assert "Tick only visits proposed in this draft that are not made yet." in again.content.decode()
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_a_row_that_became_impossible_is_skipped_saying_why(coordinator_client, thames_valley, world):
    draft = plan_it(coordinator_client, thames_valley, world)
    draft.refresh_from_db()
    row = draft.visits[0]
    # Meanwhile the lead is booked elsewhere at that very time.
    elsewhere = VisitFactory(school=SchoolFactory(local_authority=world["la"], status="closed"),
                             date=date.fromisoformat(row["date"]), starts_at=time.fromisoformat(row["starts_at"]),
                             ends_at=time.fromisoformat(row["ends_at"]))
    AssignmentFactory(visit=elsewhere, volunteer_id=row["lead"], role=Assignment.Role.LEAD)

    coordinator_client.post(reverse("planning:term_draft_create", args=[draft.pk]), {"rows": ["0"]})

    assert list(Visit.objects.exclude(pk=elsewhere.pk)) == []
    skipped = TermDraft.objects.get().visits[0]["skipped"]
    assert skipped.startswith(f"{row['names'][str(row['lead'])]} is already at "), skipped
    page = coordinator_client.get(reverse("planning:term_draft", args=[draft.pk])).content.decode()
    assert "Not created:" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("extra", "message"), [
    ({"academic_year": "1999"}, "Choose this academic year or the next."),
    ({"term": "winter"}, "Choose the autumn, spring or summer term."),
    ({"areas": []}, "Tick at least one of your areas."),
    ({"avoid_weekdays": ["0", "1", "2", "3", "4"]}, "Leave at least one weekday to visit on."),
    ({"avoid_weekdays": ["6"]}, "Tick weekdays from Monday to Friday only."),
    ({"monthly_cap": "0"}, "Enter at least 1 visit a month."),
    ({"monthly_cap": "many"}, "Enter a whole number of visits, such as 4."),
])
def test_bad_input_says_which_field_and_why_and_plans_nothing(coordinator_client, thames_valley, world, extra,
                                                                message):
    data = {"academic_year": world["year"], "term": "autumn", "areas": [thames_valley.pk], "monthly_cap": 4} | extra
    response = coordinator_client.post(reverse("planning:term_plan"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TermDraft.objects.exists()


@pytest.mark.django_db
def test_another_areas_checkbox_is_refused(coordinator_client, world, kent):
    response = coordinator_client.post(reverse("planning:term_plan"), {
        "academic_year": world["year"], "term": "autumn", "areas": [kent.pk], "monthly_cap": 4})
    assert "Tick only your own areas." in response.content.decode()
    assert not TermDraft.objects.exists()


@pytest.mark.django_db
def test_another_coordinators_draft_is_not_found(client, coordinator_client, thames_valley, world):
    draft = plan_it(coordinator_client, thames_valley, world)
    client.force_login(CoordinatorFactory(areas=[thames_valley]).user)
    assert client.get(reverse("planning:term_draft", args=[draft.pk])).status_code == 404
    assert client.post(reverse("planning:term_draft_create", args=[draft.pk]), {"rows": ["0"]}).status_code == 404
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_the_draft_page_lists_rows_in_a_fixed_number_of_queries(coordinator_client, thames_valley, world,
                                                               django_assert_max_num_queries):
    draft = plan_it(coordinator_client, thames_valley, world)
    with django_assert_max_num_queries(12):
        coordinator_client.get(reverse("planning:term_draft", args=[draft.pk]))
    # As many rows again: the same queries.
    draft.refresh_from_db()
    draft.visits = draft.visits * 20
    draft.save()
    with django_assert_max_num_queries(12):
        coordinator_client.get(reverse("planning:term_draft", args=[draft.pk]))


@pytest.mark.django_db
def test_the_daily_run_deletes_drafts_older_than_a_week(coordinator, world):
    old = TermDraft.objects.create(requested_by=coordinator.user, academic_year=2026, term="spring", monthly_cap=4,
                                   created_at=timezone.now() - timedelta(days=8))
    kept = TermDraft.objects.create(requested_by=coordinator.user, academic_year=2026, term="spring", monthly_cap=4,
                                    created_at=timezone.now() - timedelta(days=6))
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(TermDraft.objects.all()) == [kept]
    assert not TermDraft.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_the_command_prints_the_plan_as_json_and_writes_nothing(thames_valley, world, capsys):
    call_command("plan_term", thames_valley.code, academic_year_label(world["year"]), "autumn", "--json")

    found = json.loads(capsys.readouterr().out)
    assert set(found) == {"visits", "left_out"}
    assert {v["urn"] for v in found["visits"]} == {s.urn for s in world["schools"]}
    for visit in found["visits"]:
        assert set(visit) == {"urn", "date", "starts_at", "ends_at", "session_types", "lead", "support", "km"}
        date.fromisoformat(visit["date"])
        assert len(visit["starts_at"]) == 5 and visit["session_types"] and isinstance(visit["support"], list)
        assert set(visit["km"]) == {str(v) for v in [visit["lead"], *visit["support"]]}
    assert not Visit.objects.exists() and not TermDraft.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    (["E99999999", "2026/27", "spring"], "is not the ONS code of a police force area"),
    (["E23000029", "2026-2027", "spring"], "Enter the academic year as 2026/27"),
    (["E23000029", "2026/28", "spring"], "2026/28 is not an academic year"),
    (["E23000029", "1999/00", "spring"], "1999/00 is over"),
    (["E23000029", "2026/27", "winter"], "Choose the autumn, spring or summer term."),
])
def test_the_command_refuses_bad_arguments_clearly(thames_valley, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("plan_term", *args)


@pytest.mark.django_db
def test_a_schools_open_request_comes_first_and_becomes_the_proposed_visit(coordinator_client, thames_valley, world):
    school = world["schools"][1]
    request = VisitFactory(school=school, date=date(world["year"], 9, 20), status=Visit.Status.REQUESTED,
                           coordinator=None, requester_name="Jo Bloggs", preferred_weekdays=[2])
    draft = plan_it(coordinator_client, thames_valley, world)
    draft.refresh_from_db()
    index = next(i for i, row in enumerate(draft.visits) if row["urn"] == school.urn)
    assert draft.visits[index]["request_id"] == request.pk
    assert date.fromisoformat(draft.visits[index]["date"]).weekday() == 2

    coordinator_client.post(reverse("planning:term_draft_create", args=[draft.pk]), {"rows": [str(index)]})

    request.refresh_from_db()
    assert request.status == Visit.Status.PROPOSED
    assert request.date.isoformat() == draft.visits[index]["date"]
    assert request.assignments.count() == 2 and request.sessions.exists()
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_the_draft_page_polls_its_progress_until_the_plan_is_ready(coordinator_client, thames_valley, world,
                                                                    queued_tasks, HTMX):
    data = {"academic_year": world["year"], "term": "autumn", "areas": [thames_valley.pk], "monthly_cap": 4}
    with TestCase.captureOnCommitCallbacks(execute=True):
        coordinator_client.post(reverse("planning:term_plan"), data)
    draft = TermDraft.objects.get()
    assert [(r.task.name, r.args) for r in queued_tasks] == [("plan_term_draft", [draft.pk])]
    url = reverse("planning:term_draft", args=[draft.pk])

    waiting = coordinator_client.get(url, headers=HTMX)
    assert "Queued:" in waiting.content.decode() and 'hx-trigger="every 1s"' in waiting.content.decode()
    assert "<html" not in waiting.content.decode()

    run_draft(draft.pk)
    ready = coordinator_client.get(url, headers=HTMX)
    assert ready.headers["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_a_plan_that_fails_says_so_without_the_error_itself(coordinator, world, thames_valley, monkeypatch):
    draft = TermDraft.objects.create(requested_by=coordinator.user, academic_year=world["year"], term="autumn",
                                     monthly_cap=4)
    draft.areas.set([thames_valley])

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("sessions.planning.term.plan_term", broken)
    run_draft(draft.pk)

    draft.refresh_from_db()
    assert draft.status == TermDraft.Status.FAILED and draft.finished_at
    assert draft.error == "The term could not be planned (RuntimeError). Try again, or tell the programme team."


@pytest.mark.django_db
def test_each_volunteer_of_a_created_visit_is_emailed_an_invitation(coordinator_client, thames_valley, world, emails):
    draft = plan_it(coordinator_client, thames_valley, world)
    draft.refresh_from_db()
    row = draft.visits[0]

    with emails as sent:
        coordinator_client.post(reverse("planning:term_draft_create", args=[draft.pk]), {"rows": ["0"]})

    visit = Visit.objects.get()
    invited = {a.volunteer.user.email for a in visit.assignments.all()}
    assert {tuple(m.to) for m in sent} == {(address,) for address in invited}
    assert len(invited) == 1 + len(row["support"])
    assert all(m.subject == f"Can you help at {visit.school.name} on {visit.date:%-d %B}?" for m in sent)
    assert all(m.alternatives for m in sent)  # a text and an HTML part
