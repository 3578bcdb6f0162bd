"""Forms set only the fields their user may set: posting extra fields (is_staff, another volunteer, a
status, a coordinator, a school outside the area) changes nothing they may not change."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory, CoordinatorFactory, UserFactory, VolunteerFactory
from sessions.models import Assignment, Unavailability, Visit, VisitReport

pytestmark = pytest.mark.django_db

TAMPERING = {"is_staff": "on", "is_superuser": "on", "status": "confirmed", "user": "1"}


def test_a_new_visit_belongs_to_its_planner_and_starts_proposed_whatever_is_posted(coordinator_client, kent, visit_data):
    someone_else = CoordinatorFactory(areas=[kent]).user
    school = SchoolFactory(in_area=coordinator_client.area)

    coordinator_client.post("/visits/new/", {**visit_data(school), **TAMPERING, "coordinator": someone_else.pk,
                                             "created_by": someone_else.pk, "version": "99"})

    visit = Visit.objects.get()
    assert visit.coordinator == coordinator_client.coordinator.user and visit.status == Visit.Status.PROPOSED
    assert visit.version == 0
    user = coordinator_client.coordinator.user
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_editing_a_visit_cannot_move_it_to_a_school_outside_the_area_or_change_its_status(coordinator_client, kent, planned_visit, visit_data):
    visit = planned_visit(coordinator_client.area)
    elsewhere = SchoolFactory(in_area=kent)

    coordinator_client.post(f"/visits/{visit.pk}/edit/", {**visit_data(elsewhere), **TAMPERING})
    coordinator_client.post(f"/visits/{visit.pk}/edit/", {**visit_data(visit.school, date="2027-03-03"), **TAMPERING})

    visit.refresh_from_db()
    assert visit.school.police_force == coordinator_client.area
    assert visit.status == Visit.Status.PROPOSED and visit.date == date(2027, 3, 3)


def test_a_coordinator_cannot_assign_a_volunteer_from_outside_their_areas_or_post_an_accepted_status(
    coordinator_client, kent
, planned_visit):
    visit = planned_visit(coordinator_client.area)
    outsider = VolunteerFactory(areas=[kent])
    insider = VolunteerFactory(areas=[coordinator_client.area])

    refused = coordinator_client.post(f"/visits/{visit.pk}/assign/", {"volunteer": outsider.pk, "role": "lead"},
                                      headers={"HX-Request": "true"})
    coordinator_client.post(f"/visits/{visit.pk}/assign/", {"volunteer": insider.pk, "role": "support",
                                                             "status": "accepted", "visit": 999})

    assert "That volunteer cannot be found." in refused.content.decode()
    assert list(Assignment.objects.values_list("volunteer", "status", "visit")) == [
        (insider.pk, Assignment.Status.INVITED, visit.pk)
    ]


def test_unavailable_dates_are_always_the_signed_in_volunteers_own(volunteer_client, thames_valley):
    other = VolunteerFactory(areas=[thames_valley])

    volunteer_client.post("/me/unavailable/", {"starts_on": "2027-04-01", "ends_on": "2027-04-02", "reason": "Away",
                                               "volunteer": other.pk, "confirm": "yes"})

    assert list(Unavailability.objects.values_list("volunteer", flat=True)) == [volunteer_client.volunteer.pk]


def test_email_choices_change_only_the_email_choices(volunteer_client):
    volunteer = volunteer_client.volunteer
    token, dbs, user_id = volunteer.calendar_token, volunteer.dbs_checked_on, volunteer.user_id

    volunteer_client.post("/me/details/", {"email_reminders": "", "email_report_nudges": "on", **TAMPERING,
                                           "calendar_token": "chosen", "dbs_checked_on": "2026-11-01",
                                           "active": "", "areas": "1"})

    volunteer.refresh_from_db()
    volunteer.user.refresh_from_db()
    assert (volunteer.email_reminders, volunteer.email_report_nudges) == (False, True)
    assert (volunteer.calendar_token, volunteer.dbs_checked_on, volunteer.user_id) == (token, dbs, user_id)
    assert volunteer.active and not volunteer.user.is_staff and not volunteer.user.is_superuser


def test_accepting_an_invitation_cannot_change_the_role_or_the_volunteer(volunteer_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    invitation = AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, role="support",
                                   status=Assignment.Status.INVITED)
    other = VolunteerFactory(areas=[thames_valley])

    volunteer_client.post(f"/me/invitations/{invitation.pk}/accept/", {"role": "lead", "volunteer": other.pk})

    invitation.refresh_from_db()
    assert (invitation.status, invitation.role, invitation.volunteer) == (
        Assignment.Status.ACCEPTED, Assignment.Role.SUPPORT, volunteer_client.volunteer)


def test_a_report_is_filed_by_the_lead_who_posts_it_whoever_the_form_names(volunteer_client, thames_valley, planned_visit):
    past = timezone.localdate() - timedelta(days=7)
    while past.weekday() > 4:
        past -= timedelta(days=1)
    visit = planned_visit(thames_valley, date=past, status=Visit.Status.CONFIRMED)
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, role="lead", status="accepted")
    other = VolunteerFactory(areas=[thames_valley])
    session = visit.sessions.get()

    volunteer_client.post(f"/me/visits/{visit.pk}/report/", {
        **{f"children_{session.pk}_{year}": "5" for year in session.year_groups}, "notes": "", "follow_up": "", "filed_by": other.pk, "visit": 999,
        "status": "requested",
    })

    report = VisitReport.objects.get()
    assert report.visit == visit and report.filed_by == volunteer_client.volunteer
    visit.refresh_from_db()
    assert visit.status != Visit.Status.REQUESTED


def test_a_schools_request_arrives_as_requested_with_no_planner_whatever_is_posted(client):
    school = SchoolFactory()
    planner = UserFactory()

    client.post("/request-a-visit/", {"school": school.urn, "requester_name": "Jo Head", "requester_email":
                                      "head@example.org", "requester_phone": "01632 960001",
                                      "requester_role": "head", "safeguarding_lead_name": "Rita Okafor",
                                      "safeguarding_lead_phone": "01632 960999",
                                      "first_date": "2027-05-04", "pupils_5": "30", **TAMPERING,
                                      "coordinator": planner.pk})

    visit = Visit.objects.get()
    assert visit.status == Visit.Status.REQUESTED and visit.coordinator is None


def test_changing_a_password_cannot_make_anyone_staff(volunteer_client):
    user = volunteer_client.volunteer.user
    volunteer_client.post("/accounts/password_change/", {
        "old_password": "correct horse battery staple", "new_password1": "a much longer pass phrase 2027",
        "new_password2": "a much longer pass phrase 2027", **TAMPERING})

    user.refresh_from_db()
    assert user.check_password("a much longer pass phrase 2027")
    assert not user.is_staff and not user.is_superuser
