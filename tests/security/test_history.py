"""Every change to schools, contacts, volunteers, visits and assignments leaves a history record with who
made it and why, including a GIAS import (written in bulk) — and a refused import leaves none."""

import pytest
from django.contrib.auth.models import Group

from schools.factories import SchoolContactFactory, SchoolFactory
from schools.importers import GiasImportError, import_gias
from schools.models import School, SchoolContact
from sessions.factories import UserFactory, VolunteerFactory
from sessions.models import Assignment, Visit
from tests.schools.test_import_schools import FORMAT, fixture_with, run

pytestmark = pytest.mark.django_db


def test_a_coordinator_planning_staffing_and_confirming_a_visit_is_recorded_as_them(coordinator_client, visit_data):
    school = SchoolFactory(in_area=coordinator_client.area)
    volunteer = VolunteerFactory(areas=[coordinator_client.area])
    me = coordinator_client.coordinator.user

    coordinator_client.post("/visits/new/", visit_data(school))
    visit = Visit.objects.get()
    coordinator_client.post(f"/visits/{visit.pk}/assign/", {"volunteer": volunteer.pk, "role": "lead"})
    coordinator_client.post(f"/visits/{visit.pk}/edit/", visit_data(school, date="2027-03-03"))

    history = list(visit.history.order_by("history_date", "history_id"))
    assert [row.history_type for row in history][0] == "+"
    assert {row.history_user for row in history} == {me}
    assert [str(row.date) for row in history][-1] == "2027-03-03"
    [assignment] = Assignment.history.filter(visit_id=visit.pk)
    assert (assignment.history_type, assignment.history_user, assignment.volunteer_id) == ("+", me, volunteer.pk)


def test_a_volunteer_accepting_an_invitation_is_recorded_as_them(volunteer_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    invitation = Assignment.objects.create(visit=visit, volunteer=volunteer_client.volunteer)

    volunteer_client.post(f"/me/invitations/{invitation.pk}/accept/")

    latest = invitation.history.latest()
    assert (latest.status, latest.history_user) == ("accepted", volunteer_client.volunteer.user)


def test_staff_editing_a_school_and_a_contact_in_the_admin_is_recorded_and_shown(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    school = SchoolFactory(name="Riverside Primary School")
    contact = SchoolContactFactory(school=school, name="Helen Ward")
    school.name = "Riverside Church of England Primary School"
    school.save()

    page = client.get(f"/admin/schools/school/{school.pk}/history/")

    assert page.status_code == 200
    assert "Riverside Church of England Primary School" in page.content.decode()
    assert ">None<" not in page.content.decode().replace(" ", "").replace("\n", "")  # no reason given: a dash
    assert school.history.count() == 2 and contact.history.count() == 1


def test_a_volunteer_record_change_is_kept_but_not_their_calendar_address(thames_valley):
    volunteer = VolunteerFactory(areas=[thames_valley], phone="07700 900001")
    volunteer.phone = "07700 900002"
    volunteer.save()

    assert [row.phone for row in volunteer.history.order_by("history_id")] == ["07700 900001", "07700 900002"]
    assert not hasattr(volunteer.history.latest(), "calendar_token")


def test_a_gias_import_leaves_one_history_row_per_school_it_creates_or_changes(tmp_path):
    run(FORMAT)
    created = School.objects.count()
    assert School.history.filter(history_type="+", history_change_reason="GIAS import").count() == created
    assert SchoolContact.history.filter(history_change_reason="GIAS import").count() == SchoolContact.objects.count()

    run(fixture_with(tmp_path, u100008={"NumberOfPupils": "360"}))

    [changed] = School.history.filter(history_type="~")
    assert (changed.urn, changed.pupils, changed.history_change_reason) == (100008, 360, "GIAS import")
    assert School.history.count() == created + 1


def test_a_refused_import_leaves_no_history_even_from_batches_written_before_the_bad_row(tmp_path):
    # Batches of one: the schools before the bad last row were written (with their history) and rolled back.
    with pytest.raises(GiasImportError):
        import_gias(fixture_with(tmp_path, u990003={"NumberOfPupils": "many"}), batch_size=1)

    assert School.objects.count() == 0
    assert School.history.count() == 0 and SchoolContact.history.count() == 0


def test_marking_volunteers_as_left_in_the_admin_keeps_them_and_records_why(client, thames_valley):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    volunteer = VolunteerFactory(areas=[thames_valley])

    client.post("/admin/school_sessions/volunteer/", {"action": "mark_as_left", "_selected_action": [volunteer.pk]})

    volunteer.refresh_from_db()
    assert not volunteer.active and volunteer.left_on is not None
    latest = volunteer.history.latest()
    assert (latest.history_change_reason, latest.history_user, latest.active) == ("Marked as left", staff, False)
    assert Group.objects.filter(name="Volunteers").exists()


def test_a_bulk_status_change_in_the_admin_leaves_one_row_per_visit_with_who_and_why(client, thames_valley, planned_visit):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    visits = [planned_visit(thames_valley, status=Visit.Status.REQUESTED) for _ in range(3)]

    client.post("/admin/school_sessions/visit/", {"action": "mark_proposed", "_selected_action": [v.pk for v in visits]})

    for visit in visits:
        latest = visit.history.latest()
        assert (latest.status, latest.history_user, latest.history_change_reason) == (
            "proposed", staff, "Status changed to proposed"
        )
        assert visit.history.filter(history_change_reason="Status changed to proposed").count() == 1


HISTORY_ADMINS = [
    "schools/school", "schools/schoolcontact", "school_sessions/volunteer", "school_sessions/visit",
    "school_sessions/visitsession", "school_sessions/assignment",
]


@pytest.mark.parametrize("admin_page", HISTORY_ADMINS)
def test_a_history_address_whose_id_is_not_an_id_is_not_found_rather_than_a_server_error(client, admin_page):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    school = SchoolFactory()

    for address in ["abc/history", f"{school.pk}/change/history", f"{school.pk}/history/abc"]:
        page = client.get(f"/admin/{admin_page}/{address}/")
        assert (address, page.status_code) == (address, 404)


def test_a_school_history_entry_is_shown_read_only(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    school = SchoolFactory(name="Riverside Primary School")

    page = client.get(f"/admin/schools/school/{school.pk}/history/{school.history.get().pk}/")

    assert "View Riverside Primary School" in page.content.decode()
