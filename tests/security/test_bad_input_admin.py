"""Property-based tests for the admin's own forms (data-entry staff type into them every day): a
volunteer, a school, a school contact and an assignment, posted with arbitrary text, markup, NUL
characters, huge and impossible values. Never a server error, nothing half-saved, and a refusal says why.

They found two faults in Django's handling of chosen records, fixed in config/admin_widgets.py: a value
that is no id (":") or too large for any column, in an autocomplete box or a multiple choice."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schools.factories import SchoolFactory
from schools.models import School, SchoolContact
from sessions.factories import UserFactory, VolunteerFactory
from sessions.models import Assignment, Volunteer
from tests.security.test_bad_input_forms import maybe, says_why

pytestmark = pytest.mark.django_db

UNUSED_URNS = itertools.count(50_000_000)  # far from the factories' URNs


@pytest.fixture
def desk(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def posted_to(desk, url: str, data: dict, model) -> None:
    before = model.objects.count()
    response = desk.post(url, data)
    if model.objects.count() == before:
        assert response.status_code == 200 and says_why(response), url
    else:
        assert response.status_code == 302 and model.objects.count() == before + 1, url


@given(data=st.data())
def test_the_admin_volunteer_form_takes_any_input(desk, thames_valley, data):
    posted = data.draw(st.fixed_dictionaries({
        "first_name": maybe("Priya"), "last_name": maybe("Patel"),
        "email": maybe(f"priya{data.draw(st.integers(0, 10**6))}@example.org"), "phone": maybe("07700 900000"),
        "postcode": maybe("RG1 1AA"), "areas": maybe(str(thames_valley.pk)), "active": maybe("on"),
        "left_on": maybe(""), "dbs_checked_on": maybe("2026-01-05"), "dbs_reference": maybe("001234567890"),
        "dbs_level": maybe("enhanced_barred"), "dbs_status_checked_on": maybe("2026-03-01"), "dbs_update_service": maybe("on"),
        "training_on": maybe("2026-02-01"), "email_reminders": maybe("on"),
        "unavailabilities-TOTAL_FORMS": st.just("0"), "unavailabilities-INITIAL_FORMS": st.just("0"),
    }))
    users, volunteers = UserFactory._meta.model.objects.count(), Volunteer.objects.count()

    posted_to(desk, "/admin/school_sessions/volunteer/add/", posted, Volunteer)

    # A refused volunteer leaves no account behind either: accounts grow exactly as volunteers do.
    assert UserFactory._meta.model.objects.count() - users == Volunteer.objects.count() - volunteers


@given(data=st.data())
def test_the_admin_school_contact_form_takes_any_input(desk, data):
    school = SchoolFactory()
    posted = data.draw(st.fixed_dictionaries({
        "school": maybe(str(school.pk)), "name": maybe("Helen Ward"), "role": maybe("dsl"),
        "email": maybe("dsl@example.org"), "phone": maybe("01235 111222"),
    }))
    posted_to(desk, "/admin/schools/schoolcontact/add/", posted, SchoolContact)


@given(data=st.data())
def test_the_admin_assignment_form_takes_any_input(desk, thames_valley, data, planned_visit):
    visit = planned_visit(thames_valley)
    volunteer = VolunteerFactory(areas=[thames_valley])
    posted = data.draw(st.fixed_dictionaries({
        "visit": maybe(str(visit.pk)), "volunteer": maybe(str(volunteer.pk)), "role": maybe("lead"),
        "status": maybe("invited"),
    }))
    posted_to(desk, "/admin/school_sessions/assignment/add/", posted, Assignment)


@given(data=st.data())
def test_the_admin_school_form_takes_any_input(desk, data):
    school = SchoolFactory()
    posted = data.draw(st.fixed_dictionaries({
        "urn": maybe(str(next(UNUSED_URNS))), "name": maybe("Oak Primary School"),
        "status": maybe("open"), "nation": maybe("england"), "phase": maybe("primary"),
        "local_authority": maybe(str(school.local_authority_id or "")), "pupils": maybe("200"),
        "low_age": maybe("4"), "high_age": maybe("11"), "postcode": maybe("RG1 1AA"), "town": maybe("Reading"),
        "contacts-TOTAL_FORMS": st.just("0"), "contacts-INITIAL_FORMS": st.just("0"),
    }))
    posted_to(desk, "/admin/schools/school/add/", posted, School)
