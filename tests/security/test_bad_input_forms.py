"""Property-based tests: every form of the app, posted with arbitrary text, markup, script, huge values,
impossible dates and NUL characters in every field. Never a server error (the test client re-raises
any), never a half-made change, and a refusal always comes with a message on the page."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from schools.factories import SchoolFactory
from sessions.factories import A_SCHOOL_DAY, AssignmentFactory, VolunteerFactory
from sessions.models import (
    Assignment,
    CoverRequest,
    PackBatch,
    TeacherFeedback,
    Unavailability,
    Visit,
    VisitNote,
    VisitReport,
    VisitSession,
    Volunteer,
)

pytestmark = pytest.mark.django_db

NASTY = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "\x00", "a\x00b", "9" * 40, "-1", "1e309",
    "NaN", "2027-02-30", "0000-00-00", "99999-12-31", "31/12/2027", "25:99", "’", "Robert'); DROP TABLE x;--",
    "{{ 7*7 }}", "{% debug %}", "\u202eevil", " ", "", "0x1F", "١٢٣",
]
text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200)
huge = st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "9", "<", "\n"]), st.integers(1_000, 20_000))
anything = st.one_of(text, st.sampled_from(NASTY), huge, st.integers().map(str), st.dates().map(str))
ERROR_SIGNS = ('class="errorlist', 'role="alert"', 'class="error', "class=\"form-errors", "message-error")


def maybe(valid: str):
    """Mostly bad values, sometimes the valid one, so that errors are tested field by field."""
    return st.one_of(st.just(valid), anything)


def says_why(response) -> bool:
    html = response.content.decode()
    return any(sign in html for sign in ERROR_SIGNS)


def visit_fields(school, visit_data) -> dict:
    base = visit_data(school)
    return {key: maybe(value) if isinstance(value, str) else st.just(value) for key, value in base.items()}


@given(data=st.data())
def test_the_visit_form_takes_any_input_without_an_error_or_a_half_made_visit(coordinator_client, data, visit_data):
    school = SchoolFactory(in_area=coordinator_client.area)
    posted = data.draw(st.fixed_dictionaries(visit_fields(school, visit_data)))
    visits, lines = Visit.objects.count(), VisitSession.objects.count()

    response = coordinator_client.post("/visits/new/", posted)

    made = Visit.objects.count() - visits
    assert made in (0, 1)
    if made:
        assert response.status_code == 302 and VisitSession.objects.count() == lines + 1
    else:
        assert response.status_code == 200 and says_why(response)
        assert VisitSession.objects.count() == lines


@given(data=st.data())
def test_the_staffing_and_status_forms_take_any_input(coordinator_client, data, HTMX, planned_visit):
    visit = planned_visit(coordinator_client.area)
    volunteer = VolunteerFactory(areas=[coordinator_client.area])
    assign = data.draw(st.fixed_dictionaries({"volunteer": maybe(str(volunteer.pk)), "role": maybe("lead")}))
    status = data.draw(st.fixed_dictionaries({"to": maybe("cancelled"), "reason": maybe("Snow"),
                                               "version": maybe(str(visit.version))}))

    assigned = coordinator_client.post(f"/visits/{visit.pk}/assign/", assign, headers=HTMX)
    changed = coordinator_client.post(f"/visits/{visit.pk}/status/", status, headers=HTMX)

    assert assigned.status_code == 200 and changed.status_code == 200
    if not Assignment.objects.filter(visit=visit).exists():
        assert says_why(assigned)
    visit.refresh_from_db()
    if visit.status == Visit.Status.PROPOSED:
        assert says_why(changed)


@given(data=st.data())
def test_the_schools_request_form_takes_any_input(client, data):
    cache.clear()  # the form's per-address limit is not what this test is about
    school = SchoolFactory()
    posted = data.draw(st.fixed_dictionaries({
        "school": maybe(str(school.urn)), "requester_name": maybe("Jo Head"), "requester_role": maybe("head"),
        "requester_email": maybe("head@example.org"), "requester_phone": maybe("01632 960001"),
        "safeguarding_lead_name": maybe("Rita Okafor"), "safeguarding_lead_role": maybe(""),
        "safeguarding_lead_phone": maybe("01632 960999"), "safeguarding_lead_email": maybe("dsl@example.org"),
        "first_date": maybe("2027-05-04"), "preferred_dates": maybe(""), "preferred_weekdays": maybe("1"),
        "preferred_time": maybe("morning"), "dates_to_avoid": maybe("11/05/2027"), "pupils_5": maybe("30"),
        "needs_send": maybe("on"), "needs_welsh": st.one_of(st.just(""), anything),
        "website": st.one_of(st.just(""), anything),
    }))
    visits, notes = Visit.objects.count(), VisitNote.objects.count()

    response = client.post("/request-a-visit/", posted)

    if posted["website"]:
        # The honeypot: a robot is thanked and nothing is kept.
        assert response.status_code == 302 and (Visit.objects.count(), VisitNote.objects.count()) == (visits, notes)
    elif (Visit.objects.count(), VisitNote.objects.count()) == (visits, notes):
        assert response.status_code in (200, 429) and says_why(response)
    else:
        assert response.status_code == 302


@given(data=st.data())
def test_the_volunteers_forms_take_any_input(volunteer_client, data, HTMX):
    volunteer = volunteer_client.volunteer
    unavailable = data.draw(st.fixed_dictionaries({"starts_on": maybe("2027-04-01"), "ends_on": maybe("2027-04-02"),
                                                    "reason": maybe("Away"), "confirm_clash": maybe("on")}))
    choices = data.draw(st.fixed_dictionaries({"email_reminders": maybe("on"), "email_report_nudges": maybe("")}))
    before = Unavailability.objects.filter(volunteer=volunteer).count()

    added = volunteer_client.post("/me/unavailable/", unavailable, headers=HTMX)
    saved = volunteer_client.post("/me/details/", choices, headers=HTMX)

    assert added.status_code == 200 and saved.status_code == 200
    if Unavailability.objects.filter(volunteer=volunteer).count() == before:
        assert says_why(added) or "clash" in added.content.decode().lower()


EXAMPLE_WEEKS = itertools.count()


@given(data=st.data())
def test_the_decline_form_takes_any_input_and_declines_only_with_a_listed_reason(volunteer_client, data, HTMX,
                                                                                 thames_valley, planned_visit):
    # Each example on its own day: the same volunteer is invited every time, and may not be double-booked.
    visit = planned_visit(thames_valley, date=A_SCHOOL_DAY + timedelta(weeks=next(EXAMPLE_WEEKS)))
    invitation = AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, status="invited")
    posted = data.draw(st.fixed_dictionaries({"reason": maybe("transport"), "note": maybe("")}))

    response = volunteer_client.post(f"/me/invitations/{invitation.pk}/decline/", posted, headers=HTMX)

    assert response.status_code == 200
    invitation.refresh_from_db()
    if invitation.status == Assignment.Status.DECLINED:
        assert invitation.decline_reason in Assignment.DeclineReason.values
    else:
        assert 'role="alert"' in response.content.decode()


@given(data=st.data())
def test_the_find_cover_form_takes_any_input_and_asks_nobody_it_should_not(coordinator_client, data, thames_valley,
                                                                           planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)  # its lead only: one volunteer short, so it needs cover
    other = VolunteerFactory(areas=[thames_valley])
    posted = data.draw(st.fixed_dictionaries({"volunteers": st.lists(maybe(str(other.pk)), max_size=12)}))

    response = coordinator_client.post(f"/visits/{visit.pk}/cover/", posted)

    asked = set(CoverRequest.objects.filter(visit=visit).values_list("volunteer_id", flat=True))
    if response.status_code == 302:
        # Only volunteers of the area who could be booked (a number drawn may be another real volunteer's id).
        may_ask = {v.pk for v in Volunteer.objects.filter(areas=thames_valley) if v.is_cleared_on(visit.date)}
        assert asked and asked <= may_ask - set(visit.assignments.values_list("volunteer_id", flat=True))
    else:
        assert response.status_code == 200 and says_why(response) and asked == set()
    CoverRequest.objects.filter(visit=visit).delete()


@pytest.fixture
def reported_visit(volunteer_client, thames_valley, planned_visit):

    visit = planned_visit(thames_valley, date=date(2026, 11, 3), status=Visit.Status.CONFIRMED)
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, role="lead", status="accepted")
    return visit


@given(data=st.data())
def test_the_visit_report_takes_any_input(volunteer_client, reported_visit, data):
    visit = reported_visit
    line = visit.sessions.get()
    figures = {f"children_{line.pk}_{year}": maybe("28") for year in line.year_groups}
    posted = data.draw(st.fixed_dictionaries({**figures, "notes": maybe(""), "follow_up": maybe(""),
                                               "confirm_unusual": maybe(""), "unusual_reason": maybe("")}))
    VisitReport.objects.filter(visit=visit).delete()  # each example files the report afresh
    VisitSession.objects.filter(pk=line.pk).update(attendance={}, children_reached=None)

    response = volunteer_client.post(f"/me/visits/{visit.pk}/report/", posted)

    if VisitReport.objects.filter(visit=visit).exists():
        assert response.status_code == 302
        line.refresh_from_db()
        assert VisitReport.objects.get(visit=visit).children_reached == sum(line.attendance.values())
    else:
        assert response.status_code == 200 and says_why(response)
        line.refresh_from_db()
        assert line.attendance == {}


@given(data=st.data())
def test_the_report_correction_takes_any_input_and_changes_all_or_nothing(coordinator_client, planned_visit, data):
    visit = Visit.objects.filter(report__isnull=False).first()
    if visit is None:
        visit = planned_visit(coordinator_client.area, date=date(2026, 11, 3), status=Visit.Status.CONFIRMED)
        lead = AssignmentFactory(visit=visit, role="lead", status="accepted").volunteer
        line = visit.sessions.get()
        visit.file_report(by=lead, attendance={line.pk: dict.fromkeys(line.year_groups, 25)}, today=date(2026, 11, 3))
    line = visit.sessions.get()
    figures = {f"children_{line.pk}_{year}": maybe("27") for year in line.year_groups}
    posted = data.draw(st.fixed_dictionaries({**figures, "reason": maybe("Recounted"), "follow_up": maybe(""),
                                               "confirm_unusual": maybe(""), "unusual_reason": maybe("")}))
    before = VisitReport.objects.values_list("children_reached", "corrected_at").get(visit=visit)

    response = coordinator_client.post(f"/visits/{visit.pk}/report/", posted)

    report = VisitReport.objects.get(visit=visit)
    line.refresh_from_db()
    assert report.children_reached == sum(line.attendance.values())
    if response.status_code == 302:
        assert report.corrected_at is not None and report.correction_reason.strip()
    else:
        assert response.status_code == 200 and says_why(response)
        assert (report.children_reached, report.corrected_at) == before


@given(data=st.data())
def test_the_teacher_feedback_form_takes_any_input(client, reported_visit, data):
    feedback = TeacherFeedback.objects.get_or_create(visit=reported_visit, defaults={"sent_to": "t@s.example.org"})[0]
    TeacherFeedback.objects.filter(pk=feedback.pk).update(
        rating=None, right_for_ages=None, pupils_engaged=None, volunteers_prepared=None, come_back="", comment="",
        responded_at=None, updated_at=None,
    )
    cache.clear()  # the examples share one address: keep under the rate limit
    posted = data.draw(st.fixed_dictionaries({
        "rating": maybe("4"), "right_for_ages": maybe("3"), "pupils_engaged": maybe("4"),
        "volunteers_prepared": maybe("2"), "come_back": maybe("yes"), "comment": maybe("Thank you"),
    }))

    response = client.post(f"/feedback/{feedback.token}/", posted)

    feedback.refresh_from_db()
    if response.status_code == 302:
        assert feedback.rating in (1, 2, 3, 4) and len(feedback.comment) <= 500
        assert "\x00" not in feedback.comment
    else:
        assert response.status_code == 200 and says_why(response)
        assert feedback.responded_at is None and feedback.rating is None


@given(data=st.data())
def test_the_pack_batch_form_takes_any_input(coordinator_client, media, data):
    posted = data.draw(st.fixed_dictionaries({"area": maybe(str(coordinator_client.area.pk)),
                                               "first_date": maybe("2027-03-01"), "last_date": maybe("2027-03-05")}))
    batches = PackBatch.objects.count()

    response = coordinator_client.post("/packs/batches/new/", posted)

    if PackBatch.objects.count() == batches:
        assert response.status_code == 200 and says_why(response)
    else:
        assert response.status_code == 302


@given(query=st.dictionaries(st.sampled_from(["q", "status", "area", "nation", "page", "month", "week", "sort",
                                              "volunteer", "last_visit", "size", "order"]), anything, max_size=4))
def test_the_lists_take_any_query_string(coordinator_client, query, HTMX):
    for url in ("/plan/due/", "/plan/schools/", "/plan/calendar/", "/plan/", "/stats/", "/reach/"):
        assert coordinator_client.get(url, query).status_code in (200, 302), url
        assert coordinator_client.get(url, query, headers=HTMX).status_code in (200, 302), url


SCHOOL_ANSWERS = {
    "details": {"safeguarding_lead_name": "Helen Ward", "safeguarding_lead_role": "DSL",
                "safeguarding_lead_phone": "01632 960 222", "safeguarding_lead_email": "h@school.org.uk",
                "hall_and_equipment": "Main hall", "arrival_instructions": "Staff car park"},
    "agree": {"name": "Jo Bloggs", "seen": "2027-03-02T09:00-10:30"},
    "other_dates": {"date_1": "2027-03-09", "date_2": "2027-03-10", "date_3": "", "note": "Mornings"},
    "cancel": {"reason": "weather", "text": "Snow", "name": "Jo Bloggs"},
}
SCHOOL_FIELDS = ("safeguarding_lead_name", "safeguarding_lead_role", "safeguarding_lead_phone",
                 "safeguarding_lead_email", "hall_and_equipment", "arrival_instructions", "school_agreed_at",
                 "school_agreed_by", "school_other_dates", "school_other_dates_note", "status", "cancel_category")


@given(data=st.data())
def test_the_school_page_takes_any_input_with_or_without_htmx(client, data, thames_valley, planned_visit, HTMX):
    cache.clear()  # the page's per-address limit is not what this test is about
    visit = planned_visit(thames_valley)
    action = data.draw(st.sampled_from(sorted(SCHOOL_ANSWERS)))
    posted = data.draw(st.fixed_dictionaries({key: maybe(value) for key, value in SCHOOL_ANSWERS[action].items()}))
    htmx = data.draw(st.booleans())
    before = Visit.objects.values(*SCHOOL_FIELDS).get(pk=visit.pk)

    response = client.post(f"/school-visit/{visit.school_token}/{action.replace('_', '-')}/", posted,
                           headers=HTMX if htmx else {})

    after = Visit.objects.values(*SCHOOL_FIELDS).get(pk=visit.pk)
    if after == before:
        assert response.status_code == 200 and says_why(response)
    else:
        assert response.status_code == (200 if htmx else 302)
        changed = {name for name in SCHOOL_FIELDS if after[name] != before[name]}
        expected = {
            "details": set(SCHOOL_FIELDS[:6]), "agree": {"school_agreed_at", "school_agreed_by"},
            "other_dates": {"school_other_dates", "school_other_dates_note"}, "cancel": {"status", "cancel_category"},
        }[action]
        assert changed <= expected and changed & expected
        assert "\x00" not in "".join(str(v) for v in after.values())
