"""Planning a visit: the form and its live problems panel, the visit page, staffing and the workflow."""

import json
from datetime import date, time

import pytest
from django.db import connection
from django.forms import ModelChoiceField
from django.test.utils import CaptureQueriesContext

from schools.factories import SchoolFactory
from schools.models import School
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    SessionTypeFactory,
    UnavailabilityFactory,
    VisitReportFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, StatusChange, Visit, VisitSession
from sessions.planning.forms import MOST_SESSION_LINES, SessionLineForm, VisitForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(thames_valley):
    return SchoolFactory(in_area=thames_valley, name="Oak Primary School", town="Reading")


# --- The visit form

def test_plan_a_visit_opens_with_the_school_filled_in(coordinator_client, school):
    html = coordinator_client.get(f"/visits/new/?school={school.urn}").content.decode()

    assert f'value="{school.urn}" id="school-{school.urn}" checked' in html
    assert "Oak Primary School" in html and "<label" in html


def test_year_groups_are_named_by_the_schools_nation(coordinator_client, thames_valley):
    scottish = SchoolFactory(in_area=thames_valley, nation=School.Nation.SCOTLAND)

    html = coordinator_client.get(f"/visits/new/?school={scottish.urn}").content.decode()

    assert ">P6</label>" in html and ">Year 5</label>" not in html


def test_saving_a_new_visit_creates_it_with_its_session_lines_and_the_coordinator(coordinator_client, school, visit_data):
    response = coordinator_client.post("/visits/new/", visit_data(school, years=(5, 6), pupils=58))

    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == f"/visits/{visit.pk}/"
    assert visit.status == Visit.Status.PROPOSED and visit.coordinator == coordinator_client.coordinator.user
    line = visit.sessions.get()
    assert (line.year_groups, line.pupils, line.starts_at) == ([5, 6], 58, time(9, 15))


def test_a_session_line_with_no_time_starts_with_the_visit(coordinator_client, school, visit_data):
    coordinator_client.post("/visits/new/", visit_data(school) | {"sessions-0-starts_at": ""})

    assert VisitSession.objects.get().starts_at == time(9, 0)


def test_bad_input_is_shown_with_specific_messages_and_nothing_is_saved(coordinator_client, school, visit_data):
    data = visit_data(school, date="", starts_at="11:00", ends_at="10:00") | {"sessions-0-year_groups": []}

    html = coordinator_client.post("/visits/new/", data).content.decode()

    assert "Give the date of the visit." in html
    assert "Choose at least one year group." in html
    assert not Visit.objects.exists() and not VisitSession.objects.exists()


def test_the_end_must_come_after_the_start(coordinator_client, school, visit_data):
    html = coordinator_client.post("/visits/new/", visit_data(school, starts_at="11:00", ends_at="10:00")).content.decode()

    assert "The visit must end after it starts." in html and not Visit.objects.exists()


def test_the_problems_panel_shows_a_bank_holiday_without_saving(coordinator_client, school, HTMX, visit_data):
    response = coordinator_client.post("/visits/new/check/", visit_data(school, date="2027-03-29"), headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and html.strip().startswith('<section id="problems"')
    assert "Easter Monday is a bank holiday in England." in html
    assert not Visit.objects.exists() and not VisitSession.objects.exists()


def test_the_problems_panel_shows_an_unsuitable_session_for_the_schools_ages(coordinator_client, thames_valley, HTMX, visit_data):
    infants = SchoolFactory(in_area=thames_valley, low_age=4, high_age=7)
    workshop = SessionType.objects.get(slug="workshop-years-5-6")

    html = coordinator_client.post(
        "/visits/new/check/", visit_data(infants, session_type=workshop), headers=HTMX
    ).content.decode()

    assert "Workshop for Years 5 and 6 is for ages 9–11" in html


def test_the_problems_panel_checks_a_half_filled_session_line_by_its_type(coordinator_client, thames_valley, HTMX, visit_data):
    infants = SchoolFactory(in_area=thames_valley, low_age=4, high_age=7)
    data = visit_data(infants, session_type=SessionType.objects.get(slug="assembly-ks2")) | {
        "sessions-0-year_groups": [],
        "sessions-0-pupils": "",
    }

    html = coordinator_client.post("/visits/new/check/", data, headers=HTMX).content.decode()

    assert "Assembly for Key Stage 2 is for ages 7–11" not in html  # 7 is shared: it suits
    assert "The sessions need 2 volunteers; 0 are assigned." in html
    assert not VisitSession.objects.exists()


def test_the_problems_panel_of_an_existing_visit_shows_a_double_booking_at_the_new_time(
    coordinator_client, thames_valley
, HTMX, planned_visit, visit_data):
    visit = planned_visit(thames_valley, volunteers=1)
    priya = visit.assignments.get().volunteer
    other = planned_visit(thames_valley, date=date(2027, 3, 3), starts_at=time(13, 0), ends_at=time(14, 0))
    AssignmentFactory(visit=other, volunteer=priya)

    data = visit_data(visit.school, date="2027-03-03", starts_at="13:30", ends_at="15:00") | {
        "sessions-INITIAL_FORMS": "1",
        "sessions-0-id": str(visit.sessions.get().pk),
        "sessions-0-visit": str(visit.pk),
    }
    html = coordinator_client.post(f"/visits/{visit.pk}/check/", data, headers=HTMX).content.decode()

    assert f"{priya.name} is already at {other.school.name} 13:00–14:00 on 3 March 2027." in html
    visit.refresh_from_db()
    assert visit.date == A_SCHOOL_DAY


def test_without_javascript_check_for_problems_shows_the_whole_form_with_the_panel(coordinator_client, school, visit_data):
    response = coordinator_client.post("/visits/new/", visit_data(school, date="2027-03-29") | {"check": "1"})

    html = response.content.decode()
    assert "<html" in html and "Easter Monday is a bank holiday in England." in html
    assert not Visit.objects.exists()


def test_without_javascript_a_session_line_can_be_added(coordinator_client, school, visit_data):
    html = coordinator_client.post("/visits/new/", visit_data(school) | {"add_line": "1"}).content.decode()

    assert 'name="sessions-TOTAL_FORMS" value="2"' in html and "Session 2" in html
    assert not Visit.objects.exists()


def test_school_search_as_you_type_offers_schools_in_the_coordinators_areas_only(coordinator_client, school, kent, HTMX):
    SchoolFactory(in_area=kent, name="Oak Kent Primary")

    response = coordinator_client.get("/visits/new/schools/?q=oak", headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and html.strip().startswith('<div id="school-choices"')
    assert "Oak Primary School" in html and "Oak Kent Primary" not in html


def test_without_javascript_find_school_reshows_the_form_with_the_matches(coordinator_client, school):
    html = coordinator_client.post("/visits/new/", {"q": "oak", "find_school": "1"}).content.decode()

    assert f'id="school-{school.urn}"' in html and not Visit.objects.exists()


def test_editing_a_visit_moves_it_and_its_volunteers_booked_time(coordinator_client, thames_valley, planned_visit, visit_data):
    visit = planned_visit(thames_valley, volunteers=1)
    line = visit.sessions.get()
    data = visit_data(visit.school, date="2027-03-04", starts_at="13:00", ends_at="14:00") | {
        "sessions-INITIAL_FORMS": "1",
        "sessions-0-id": str(line.pk),
        "sessions-0-visit": str(visit.pk),
        "sessions-0-starts_at": "13:00",
    }

    response = coordinator_client.post(f"/visits/{visit.pk}/edit/", data)

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.date, visit.starts_at, visit.version) == (date(2027, 3, 4), time(13, 0), 1)
    assert visit.sessions.get().starts_at == time(13, 0)
    assert visit.assignments.get().booked_from == visit.starts


@pytest.mark.parametrize("posted_id", ["other visit's line", "no such line", "not a number"])
def test_a_session_line_id_that_is_not_one_of_the_visits_lines_is_refused_and_nothing_changes(
        coordinator_client, thames_valley, planned_visit, visit_data, posted_id):
    visit = planned_visit(thames_valley, volunteers=1)
    other = planned_visit(thames_valley, date=date(2027, 3, 3))
    theirs = other.sessions.get()
    value = {"other visit's line": str(theirs.pk), "no such line": "999999", "not a number": "x"}[posted_id]
    data = visit_data(visit.school, date="2027-03-04", starts_at="13:00", ends_at="14:00") | {
        "sessions-INITIAL_FORMS": "1",
        "sessions-0-id": value,
        "sessions-0-visit": str(visit.pk),
        "sessions-0-starts_at": "13:00",
    }

    response = coordinator_client.post(f"/visits/{visit.pk}/edit/", data)

    assert response.status_code == 200
    assert "This session is not one of the visit&#x27;s: it may have been removed" in response.content.decode()
    visit.refresh_from_db()
    theirs.refresh_from_db()
    assert visit.date == A_SCHOOL_DAY and visit.version == 0
    assert theirs.visit_id == other.pk and theirs.starts_at == other.sessions.get().starts_at


def test_the_live_check_of_a_saved_visit_takes_its_school_as_read_with_the_visit(
        coordinator_client, thames_valley, planned_visit, visit_data, HTMX):
    visit = planned_visit(thames_valley, volunteers=1)
    data = visit_data(visit.school, date=A_SCHOOL_DAY.isoformat()) | {
        "sessions-INITIAL_FORMS": "1", "sessions-0-id": str(visit.sessions.get().pk), "sessions-0-visit": str(visit.pk),
    }

    with CaptureQueriesContext(connection) as captured:
        response = coordinator_client.post(f"/visits/{visit.pk}/check/", data, headers=HTMX)

    assert response.status_code == 200
    assert not [q["sql"] for q in captured if q["sql"].startswith('SELECT "schools_school"."id"')]


def test_a_school_changed_on_the_form_is_looked_up_within_the_coordinators_areas(
        thames_valley, kent, planned_visit, visit_data):
    visit = planned_visit(thames_valley)
    nearby = SchoolFactory(in_area=thames_valley)
    elsewhere = SchoolFactory(in_area=kent)
    schools = School.objects.in_areas([thames_valley])

    moved = VisitForm(visit_data(nearby), instance=visit, schools=schools)
    assert moved.is_valid(), moved.errors
    assert moved.cleaned_data["school"] == nearby

    refused = VisitForm(visit_data(elsewhere), instance=visit, schools=schools)
    assert not refused.is_valid()
    assert refused.errors["school"] == ["Choose a school in your areas: search for it by name, URN or postcode."]

    kept = VisitForm(visit_data(visit.school), instance=visit, schools=schools)
    assert kept.is_valid(), kept.errors
    assert kept.cleaned_data["school"] is visit.school


@pytest.mark.parametrize("posted", ["withdrawn", "no such type", "not a number"])
def test_a_session_type_that_is_not_offered_is_refused_with_a_message(coordinator_client, thames_valley, visit_data,
                                                                       posted):
    school = SchoolFactory(in_area=thames_valley)
    withdrawn = SessionTypeFactory(slug="withdrawn-workshop", active=False)
    value = {"withdrawn": str(withdrawn.pk), "no such type": "999999", "not a number": "x"}[posted]
    data = visit_data(school) | {"sessions-0-session_type": value}

    response = coordinator_client.post("/visits/new/", data)

    assert response.status_code == 200
    assert "Choose the session type again: the one sent is not offered" in response.content.decode()
    assert not Visit.objects.exists()


def test_moving_a_visit_onto_a_volunteers_other_booking_is_refused_with_a_message(coordinator_client, thames_valley, planned_visit, visit_data):
    visit = planned_visit(thames_valley, volunteers=1)
    priya = visit.assignments.get().volunteer
    other = planned_visit(thames_valley, date=date(2027, 3, 3))
    AssignmentFactory(visit=other, volunteer=priya)
    data = visit_data(visit.school, date="2027-03-03") | {
        "sessions-INITIAL_FORMS": "1",
        "sessions-0-id": str(visit.sessions.get().pk),
        "sessions-0-visit": str(visit.pk),
    }

    html = coordinator_client.post(f"/visits/{visit.pk}/edit/", data).content.decode()

    assert "Moving the visit would double-book its volunteers" in html
    assert f"{priya.name} is already at {other.school.name}" in html
    visit.refresh_from_db()
    assert visit.date == A_SCHOOL_DAY


def test_a_session_line_can_be_removed_when_editing(coordinator_client, thames_valley, planned_visit, visit_data):
    visit = planned_visit(thames_valley)
    keep = visit.sessions.get()
    drop = VisitSessionFactory(visit=visit, starts_at=time(10, 0))
    data = visit_data(visit.school) | {
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "2",
        "sessions-0-id": str(keep.pk),
        "sessions-0-visit": str(visit.pk),
        "sessions-1-id": str(drop.pk),
        "sessions-1-visit": str(visit.pk),
        "sessions-1-session_type": str(drop.session_type_id),
        "sessions-1-starts_at": "10:00",
        "sessions-1-year_groups": ["5"],
        "sessions-1-pupils": "30",
        "sessions-1-DELETE": "on",
    }

    coordinator_client.post(f"/visits/{visit.pk}/edit/", data)

    assert list(visit.sessions.all()) == [keep]


def test_a_cancelled_visit_cannot_be_edited(coordinator_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley, status=Visit.Status.CANCELLED)

    response = coordinator_client.get(f"/visits/{visit.pk}/edit/", follow=True)

    assert "A cancelled visit cannot be changed." in response.content.decode()


# --- The visit page

def test_the_visit_page_shows_sessions_problems_staffing_history_and_the_pack_link(coordinator_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)
    VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[thames_valley])

    html = coordinator_client.get(f"/visits/{visit.pk}/").content.decode()

    assert "Assembly for Key Stage 2 for Year 3, Year 4, Year 5, Year 6" in html
    assert "The sessions need 2 volunteers; 1 is assigned." in html
    assert "Assign <span class=\"visually-hidden\">Tom Jones </span>as lead" in html
    assert f'href="/visits/{visit.pk}/pack.pdf">Download session pack' in html
    # Each region refreshes when another changes the visit, never on its own change (which would wipe its result).
    assert 'hx-trigger="statusChanged from:body"' in html
    assert 'hx-trigger="staffingChanged from:body, statusChanged from:body"' in html
    assert 'hx-trigger="staffingChanged from:body"' in html


def test_volunteers_are_ranked_eligible_first_then_fewest_visits_that_month_each_ineligible_with_reasons(
    coordinator_client, thames_valley, kent
, HTMX, planned_visit):
    visit = planned_visit(thames_valley)
    busy = VolunteerFactory(user__first_name="Busy", user__last_name="Bee", areas=[thames_valley])
    AssignmentFactory(visit=planned_visit(thames_valley, date=date(2027, 3, 10)), volunteer=busy)
    VolunteerFactory(user__first_name="Free", user__last_name="Agent", areas=[thames_valley])
    away = VolunteerFactory(user__first_name="Away", user__last_name="Day", areas=[thames_valley])
    UnavailabilityFactory(volunteer=away)
    VolunteerFactory(user__first_name="Lapsed", user__last_name="Check", areas=[thames_valley],
                              training_on=date(2020, 1, 1))
    booked = VolunteerFactory(user__first_name="Booked", user__last_name="Elsewhere", areas=[thames_valley, kent])
    elsewhere = planned_visit(kent, starts_at=time(10, 0), ends_at=time(11, 0))
    AssignmentFactory(visit=elsewhere, volunteer=booked)

    html = coordinator_client.get(f"/visits/{visit.pk}/staffing/", headers=HTMX).content.decode()

    order = [name for name in ("Free Agent", "Busy Bee", "Away Day", "Lapsed Check", "Booked Elsewhere")]
    positions = [html.index(f"<td>{name}</td>") for name in order]
    assert positions[:2] == sorted(positions[:2]) and max(positions[:2]) < min(positions[2:])
    assert "is unavailable on that date" in html
    assert "has safeguarding training that expired on 1 January 2023" in html
    assert f"is already at {elsewhere.school.name} 10:00–11:00" in html


@pytest.mark.parametrize("n", [1, 3])
def test_the_staffing_fragment_costs_the_same_queries_for_any_number_of_volunteers(
    coordinator_client, thames_valley, reading_coordinators_authorities, django_assert_num_queries, n
, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=n)
    VolunteerFactory.create_batch(n, areas=[thames_valley])

    # session, user (with their roles), visit, assignments, the session lines (what the visit needs), the
    # candidates ranked, everyone's bookings that month, bookings at the visit's time, who is away, and the
    # candidates shown
    with django_assert_num_queries(10):
        response = coordinator_client.get(f"/visits/{visit.pk}/staffing/", headers=HTMX)

    html = response.content.decode()
    assert html.count('class="assignment"') == n and html.count('<tr class="candidate ') == n


@pytest.mark.parametrize("n", [1, 3])
def test_the_problems_fragment_costs_the_same_queries_for_any_number_of_volunteers(
    coordinator_client, thames_valley, reading_coordinators_authorities, django_assert_num_queries, n
, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=n, date=date(2027, 3, 29))

    # session, user (with their roles), visit, and problems(): sessions, assignments, the term calendar, the
    # school's closures, clashes, unavailability, the school's other visits (live, or delivered in the cycle)
    with django_assert_num_queries(10):
        response = coordinator_client.get(f"/visits/{visit.pk}/problems/", headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and "Easter Monday" in html


# --- Staffing

def test_assigning_a_volunteer_returns_the_staffing_fragment_and_tells_other_regions(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley)
    tom = VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[thames_valley])

    response = coordinator_client.post(f"/visits/{visit.pk}/assign/", {"volunteer": tom.pk, "role": "lead"}, headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and html.strip().startswith('<section id="staffing"')
    assert "Tom Jones is invited as lead." in html
    assert json.loads(response.headers["HX-Trigger"]) == {"staffingChanged": {}, "visitChanged": {}}
    assignment = visit.assignments.get()
    assert (assignment.volunteer, assignment.role, assignment.status) == (tom, "lead", Assignment.Status.INVITED)


def test_without_javascript_assigning_redirects_back_with_a_message(coordinator_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    tom = VolunteerFactory(user__first_name="Tom", user__last_name="Jones", areas=[thames_valley])

    response = coordinator_client.post(f"/visits/{visit.pk}/assign/", {"volunteer": tom.pk, "role": "support"}, follow=True)

    assert response.redirect_chain == [(f"/visits/{visit.pk}/", 302)]
    assert "Tom Jones is invited as support." in response.content.decode()


def test_a_second_booking_of_a_volunteer_at_an_overlapping_time_is_refused_with_a_message(
    coordinator_client, thames_valley
, HTMX, planned_visit):
    first = planned_visit(thames_valley, volunteers=1)
    priya = first.assignments.get().volunteer
    second = planned_visit(thames_valley, starts_at=time(10, 0), ends_at=time(11, 0))

    response = coordinator_client.post(f"/visits/{second.pk}/assign/", {"volunteer": priya.pk, "role": "lead"}, headers=HTMX)

    html = response.content.decode()
    assert f"{priya.name} is already at {first.school.name} 09:00–10:30 on 2 March 2027" in html
    assert "HX-Trigger" not in response.headers
    assert not second.assignments.exists()


def test_a_visit_has_one_lead(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley)
    AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[thames_valley]), role="lead")
    other = VolunteerFactory(areas=[thames_valley])

    html = coordinator_client.post(f"/visits/{visit.pk}/assign/", {"volunteer": other.pk, "role": "lead"},
                                   headers=HTMX).content.decode()

    assert "This visit already has a lead volunteer." in html and visit.assignments.count() == 1


def test_removing_a_volunteer_frees_them_and_tells_other_regions(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)
    assignment = visit.assignments.get()

    response = coordinator_client.post(f"/visits/{visit.pk}/assignments/{assignment.pk}/remove/", headers=HTMX)

    assert f"{assignment.volunteer.name} is no longer on this visit." in response.content.decode()
    assert json.loads(response.headers["HX-Trigger"]) == {"staffingChanged": {}, "visitChanged": {}}
    assert not visit.assignments.exists()


def test_an_assignment_of_another_visit_cannot_be_removed_through_this_one(coordinator_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    other = planned_visit(thames_valley, volunteers=1)

    response = coordinator_client.post(f"/visits/{visit.pk}/assignments/{other.assignments.get().pk}/remove/")

    assert response.status_code == 404 and other.assignments.exists()


# --- The workflow

def test_confirming_a_fully_staffed_visit_records_who_and_when(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)

    response = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "confirmed"}, headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and "The visit is now confirmed." in html
    assert json.loads(response.headers["HX-Trigger"]) == {"statusChanged": {}, "visitChanged": {}}
    change = StatusChange.objects.get(visit=visit)
    assert (change.from_status, change.to_status, change.by) == ("proposed", "confirmed", coordinator_client.coordinator.user)
    assert "Proposed &rarr; Confirmed by Asha Khan" in html


def test_confirming_a_visit_with_errors_is_refused_with_the_reasons(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2, date=date(2027, 3, 29))

    response = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "confirmed"}, headers=HTMX)

    html = response.content.decode()
    assert "Fix these before confirming:" in html and "Easter Monday is a bank holiday in England." in html
    assert "HX-Trigger" not in response.headers
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_confirming_a_visit_short_of_volunteers_is_refused(coordinator_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)

    response = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "confirmed"}, follow=True)

    html = response.content.decode()
    assert "Fix these before confirming:" in html and "The sessions need 2 volunteers; 1 is assigned." in html
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_cancelling_needs_a_reason_and_frees_the_volunteers(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)

    refused = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "cancelled"}, headers=HTMX)
    done = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "cancelled", "reason": "School closed by snow"},
                                   headers=HTMX)

    assert "Say why the visit is cancelled." in refused.content.decode()
    assert "School closed by snow" in done.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED and visit.cancel_reason == "School closed by snow"
    assert visit.assignments.get().booked_from is None


def test_delivery_is_refused_before_the_date(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2, status=Visit.Status.CONFIRMED)
    VisitReportFactory(visit=visit)

    html = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "delivered"}, headers=HTMX).content.decode()

    assert "A visit can only be marked delivered on or after its date." in html


def test_a_status_that_does_not_exist_is_refused_clearly(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley)

    html = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "approved"}, headers=HTMX).content.decode()

    assert "That is not a status." in html


def test_the_workflow_offers_only_the_moves_the_model_allows(coordinator_client, thames_valley, planned_visit):
    requested = planned_visit(thames_valley, status=Visit.Status.REQUESTED)

    html = coordinator_client.get(f"/visits/{requested.pk}/").content.decode()

    assert "Mark as proposed" in html and "Cancel this visit" in html
    assert "Confirm the visit" not in html and "Mark as delivered" not in html


def test_a_status_change_made_on_a_page_that_is_out_of_date_is_refused(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)
    page = coordinator_client.get(f"/visits/{visit.pk}/").content.decode()
    assert '<input type="hidden" name="version" value="0">' in page
    # Meanwhile another coordinator moves the visit back to requested.
    visit.change_status(Visit.Status.REQUESTED, by=None)

    html = coordinator_client.post(
        f"/visits/{visit.pk}/status/", {"to": "confirmed", "version": "0"}, headers=HTMX
    ).content.decode()

    assert "Someone else changed this visit a moment ago. Reload it and try again." in html
    assert "Proposed &rarr; Requested by someone whose account has been removed" in html
    visit.refresh_from_db()
    assert visit.status == Visit.Status.REQUESTED


def test_a_change_made_from_an_older_version_of_the_visit_is_refused_not_overwriting_the_newer(coordinator_client, planned_visit, visit_data):
    visit = planned_visit(coordinator_client.area)
    seen = visit.version
    coordinator_client.post(f"/visits/{visit.pk}/edit/", {**visit_data(visit.school, date="2027-03-03"),
                                                          "version": seen})

    stale = coordinator_client.post(f"/visits/{visit.pk}/edit/", {**visit_data(visit.school, date="2027-03-09"),
                                                                  "version": seen})

    assert "Someone else changed this visit a moment ago. Reload it and try again." in stale.content.decode()
    visit.refresh_from_db()
    assert visit.date.isoformat() == "2027-03-03" and visit.version == seen + 1


@pytest.mark.parametrize("count", ["abc", "", "9" * 40, "-1", "1.5", "\x00"])
def test_adding_a_session_line_with_a_damaged_form_count_is_a_message_not_a_server_error(
    coordinator_client, thames_valley, visit_data, count
):
    school = SchoolFactory(in_area=thames_valley)
    data = {**visit_data(school), "sessions-TOTAL_FORMS": count, "add_line": "1"}

    response = coordinator_client.post("/visits/new/", data)

    assert response.status_code == 200
    assert not Visit.objects.filter(school=school).exists()
    assert len(response.context["formset"].forms) <= MOST_SESSION_LINES


def _lines(count: int) -> dict:
    """`count` filled-in session lines, a quarter of an hour apart from 9:00."""
    assembly = SessionType.objects.get(slug="assembly-ks2")
    data = {"sessions-TOTAL_FORMS": str(count), "sessions-INITIAL_FORMS": "0"}
    for i in range(count):
        minutes = 9 * 60 + 15 * i
        data |= {f"sessions-{i}-session_type": str(assembly.pk), f"sessions-{i}-year_groups": ["5", "6"],
                 f"sessions-{i}-starts_at": f"{minutes // 60:02d}:{minutes % 60:02d}", f"sessions-{i}-pupils": "30"}
    return data


def test_a_visit_takes_up_to_the_most_session_lines_and_more_is_a_message_that_saves_nothing(
    coordinator_client, thames_valley, visit_data
):
    school = SchoolFactory(in_area=thames_valley)
    base = visit_data(school, starts_at="09:00", ends_at="15:00")

    too_many = coordinator_client.post("/visits/new/", {**base, **_lines(MOST_SESSION_LINES + 1)})

    assert too_many.status_code == 200
    assert not Visit.objects.filter(school=school).exists()
    assert f"A visit can have at most {MOST_SESSION_LINES} sessions" in too_many.content.decode()

    at_most = coordinator_client.post("/visits/new/", {**base, **_lines(MOST_SESSION_LINES)})

    assert at_most.status_code == 302, at_most.context["formset"].errors
    assert Visit.objects.get(school=school).sessions.count() == MOST_SESSION_LINES


def test_the_add_session_button_goes_once_a_visit_has_the_most_lines(coordinator_client, thames_valley, visit_data):
    school = SchoolFactory(in_area=thames_valley)
    base = visit_data(school, starts_at="09:00", ends_at="15:00")

    one_short = coordinator_client.post("/visits/new/", {**base, **_lines(MOST_SESSION_LINES - 2), "add_line": "1"})
    full = coordinator_client.post("/visits/new/", {**base, **_lines(MOST_SESSION_LINES - 1), "add_line": "1"})

    assert len(one_short.context["formset"].forms) == MOST_SESSION_LINES - 1
    assert "Add another session" in one_short.content.decode()
    assert len(full.context["formset"].forms) == MOST_SESSION_LINES
    assert "Add another session" not in full.content.decode()


def test_no_constraint_names_a_choice_the_visit_forms_find_for_themselves():
    """`FoundChoicesMixin` leaves a found choice out of the model's own checks, which would also leave it out of
    any unique or check constraint on it: there must be none."""
    for form_class in (VisitForm, SessionLineForm):
        model = form_class._meta.model
        chosen = {name for name, field in form_class.base_fields.items() if isinstance(field, ModelChoiceField)}
        constrained = {field.name for field in model._meta.fields if field.unique and not field.primary_key}
        for constraint in model._meta.constraints:
            constrained |= set(getattr(constraint, "fields", ()))
            condition = getattr(constraint, "condition", None)
            if condition is not None:
                constrained |= condition.referenced_base_fields
        constrained |= {name for names in model._meta.unique_together for name in names}
        assert chosen and not chosen & constrained, (model.__name__, chosen & constrained)


def test_the_visit_forms_constraint_check_is_the_models_clean_rule(coordinator_client, thames_valley, visit_data):
    """The visit form leaves the database out of the one constraint `Visit.clean()` states; any other constraint
    would be asked again."""
    assert {c.name for c in Visit._meta.constraints} == VisitForm.CHECKED_BY_CLEAN
    school = SchoolFactory(in_area=thames_valley)

    response = coordinator_client.post("/visits/new/", visit_data(school, starts_at="11:00", ends_at="10:00"))

    assert "The visit must end after it starts." in response.content.decode()
    assert not Visit.objects.exists()
