"""Staff keep each school's own closures and INSET days in the admin: on the school's page, and all together
in one list; what they enter is what the visit rules, the request form and the calendar read."""

from datetime import date

import pytest

from schools.factories import SchoolClosureFactory, SchoolFactory
from schools.models import SchoolClosure
from sessions.groups import ensure_groups
from sessions.models import Visit, VisitNote

pytestmark = pytest.mark.django_db


def test_staff_list_every_schools_own_closures_with_their_reason(admin_client):
    SchoolClosureFactory(school=SchoolFactory(name="Hawthorn Primary"), kind=SchoolClosure.Kind.INSET,
                         starts_on=date(2027, 3, 2), ends_on=date(2027, 3, 2), reason="Reading scheme training")

    html = admin_client.get("/admin/schools/schoolclosure/?q=hawthorn").content.decode()

    assert "Hawthorn Primary" in html and "Reading scheme training" in html and "INSET day" in html


def test_a_closure_that_ends_before_it_starts_is_refused_with_a_message(admin_client):
    school = SchoolFactory()

    response = admin_client.post("/admin/schools/schoolclosure/add/", {
        "school": school.pk, "kind": "closure", "starts_on": "2027-03-05", "ends_on": "2027-03-01", "reason": "",
    })

    assert "The last day cannot be before the first day." in response.content.decode()
    assert not SchoolClosure.objects.exists()


def test_a_closure_entered_in_the_admin_is_an_error_on_a_visit_that_day(admin_client):
    school = SchoolFactory(name="Hawthorn Primary")
    visit = Visit.objects.create(school=school, date=date(2027, 3, 3))

    admin_client.post("/admin/schools/schoolclosure/add/", {
        "school": school.pk, "kind": "closure", "starts_on": "2027-03-03", "ends_on": "2027-03-03",
        "reason": "polling station",
    })

    assert "Hawthorn Primary is closed 3 March: polling station." in [p.message for p in visit.problems()]


def test_the_visit_admin_shows_what_a_school_added_by_asking_again(admin_client):
    visit = Visit.objects.create(school=SchoolFactory(), date=date(2027, 3, 9), status=Visit.Status.REQUESTED,
                                 safeguarding_lead_name="Rita Okafor")
    VisitNote.objects.create(visit=visit, author_name="Jo Patel", author_role="Headteacher", text="Or 11 March.")

    html = admin_client.get(f"/admin/school_sessions/visit/{visit.pk}/change/").content.decode()

    assert "Jo Patel" in html and "Or 11 March." in html and "Rita Okafor" in html


def test_data_entry_staff_may_keep_schools_closures_and_read_schools_notes(staff_user):
    ensure_groups()
    staff_user = type(staff_user).objects.get(pk=staff_user.pk)  # permissions are cached on the instance

    assert staff_user.has_perms(["schools.add_schoolclosure", "schools.change_schoolclosure",
                                 "schools.delete_schoolclosure", "school_sessions.view_visitnote",
                                 "school_sessions.delete_visitnote"])
    assert not staff_user.has_perm("school_sessions.change_visitnote")
