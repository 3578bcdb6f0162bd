"""Schools and volunteers with visits cannot be deleted (their history would go with them): the admin
says why and offers archiving instead (closed schools come from GIAS; volunteers are marked as left)."""

import pytest
from django.db.models import ProtectedError

from sessions.factories import AssignmentFactory, UserFactory, VolunteerFactory
from sessions.models import Visit, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    volunteer = VolunteerFactory(areas=[thames_valley])
    AssignmentFactory(visit=visit, volunteer=volunteer)
    return visit, volunteer


@pytest.fixture
def admin_desk(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_school_with_visits_cannot_be_deleted(booked):
    visit, _ = booked
    with pytest.raises(ProtectedError):
        visit.school.delete()


def test_a_volunteer_with_visits_or_their_login_cannot_be_deleted(booked):
    _, volunteer = booked
    with pytest.raises(ProtectedError):
        volunteer.delete()
    with pytest.raises(ProtectedError):
        volunteer.user.delete()


def test_the_admin_says_why_a_school_with_visits_cannot_be_deleted(admin_desk, booked):
    visit, _ = booked
    url = f"/admin/schools/school/{visit.school.pk}/delete/"

    page = admin_desk.get(url).content.decode()
    admin_desk.post(url, {"post": "yes"})

    assert "would require deleting the following protected related objects" in page
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_the_admin_says_why_a_volunteer_with_visits_cannot_be_deleted_and_they_can_be_marked_as_left(
    admin_desk, booked
):
    _, volunteer = booked
    url = f"/admin/school_sessions/volunteer/{volunteer.pk}/delete/"

    page = admin_desk.get(url).content.decode()
    admin_desk.post(url, {"post": "yes"})
    listing = admin_desk.get("/admin/school_sessions/volunteer/").content.decode()

    assert "would require deleting the following protected related objects" in page
    assert Volunteer.objects.filter(pk=volunteer.pk).exists()
    assert "Mark as left the programme today" in listing
