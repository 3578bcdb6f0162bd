"""Who may reach the coordinators' workspace: coordinators their areas, staff everything, nobody else."""

import pytest
from django.test import Client

from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory, CoordinatorFactory, UserFactory, VolunteerFactory
from sessions.models import Assignment, Visit

pytestmark = pytest.mark.django_db

PAGES = ["/plan/", "/plan/calendar/", "/plan/due/", "/plan/schools/", "/visits/new/"]


def visit_pages(visit: Visit) -> list[str]:
    return [
        f"/plan/schools/{visit.school.urn}/",
        f"/visits/{visit.pk}/",
        f"/visits/{visit.pk}/edit/",
        f"/visits/{visit.pk}/problems/",
        f"/visits/{visit.pk}/staffing/",
        f"/visits/{visit.pk}/workflow/",
    ]


def visit_posts(visit: Visit, visit_data) -> list[tuple[str, dict]]:
    assignment = visit.assignments.first()
    return [
        (f"/visits/{visit.pk}/assign/", {"volunteer": VolunteerFactory().pk, "role": "support"}),
        (f"/visits/{visit.pk}/assignments/{assignment.pk}/remove/", {}),
        (f"/visits/{visit.pk}/status/", {"to": "cancelled", "reason": "Snow"}),
        (f"/visits/{visit.pk}/check/", visit_data(visit.school)),
        (f"/visits/{visit.pk}/edit/", visit_data(visit.school, date="2027-03-03")),
    ]


@pytest.fixture
def visit(thames_valley, planned_visit):
    return planned_visit(thames_valley, volunteers=1)


def test_anonymous_visitors_are_sent_to_log_in_from_every_planning_page(client, visit, visit_data):
    for url in PAGES + visit_pages(visit):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), url
    for url, data in visit_posts(visit, visit_data):
        response = client.post(url, data)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
    assert Assignment.objects.count() == 1 and Visit.objects.get().status == Visit.Status.PROPOSED


def test_volunteers_find_no_planning_page_and_change_nothing(volunteer_client, visit, visit_data):
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer)
    for url in PAGES + visit_pages(visit):
        assert volunteer_client.get(url).status_code == 404, url
    for url, data in visit_posts(visit, visit_data):
        assert volunteer_client.post(url, data).status_code == 404, url
    assert Visit.objects.get().status == Visit.Status.PROPOSED and Assignment.objects.count() == 2


def test_a_user_with_no_role_finds_no_planning_page(client, visit):
    client.force_login(UserFactory())

    assert all(client.get(url).status_code == 404 for url in PAGES + visit_pages(visit))


def test_a_coordinator_of_another_area_cannot_see_or_change_a_visit_outside_it(client, kent, visit, visit_data):
    client.force_login(CoordinatorFactory(areas=[kent]).user)

    for url in PAGES:
        assert client.get(url).status_code == 200, url
    for url in visit_pages(visit):
        assert client.get(url).status_code == 404, url
    for url, data in visit_posts(visit, visit_data):
        assert client.post(url, data).status_code == 404, url
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED and visit.date.isoformat() == "2027-03-02"
    assert Assignment.objects.count() == 1


def test_a_coordinator_cannot_plan_a_visit_to_a_school_outside_their_areas(coordinator_client, kent, visit_data):
    outside = SchoolFactory(in_area=kent)

    response = coordinator_client.post("/visits/new/", visit_data(outside))

    assert "Choose a school in your areas" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_coordinator_reaches_every_page_of_their_own_areas(coordinator_client, visit):
    for url in PAGES + visit_pages(visit):
        response = coordinator_client.get(url)
        assert response.status_code == 200 and b"<html" in response.content, url


def test_staff_may_see_visits_in_every_area(staff_client, kent, planned_visit):
    visit = planned_visit(kent, volunteers=1)

    for url in PAGES + visit_pages(visit):
        assert staff_client.get(url).status_code == 200, url
    assert visit.school.name in staff_client.get("/plan/calendar/?week=2027-03-01").content.decode()


def test_the_public_request_page_needs_no_login(client):
    assert "Find my school" in client.get("/request-a-visit/").content.decode()


def test_the_visit_form_cannot_set_the_status_or_the_coordinator(coordinator_client, thames_valley, visit_data):
    someone_else = CoordinatorFactory(areas=[thames_valley]).user
    school = SchoolFactory(in_area=thames_valley)

    coordinator_client.post(
        "/visits/new/", visit_data(school) | {"status": "confirmed", "coordinator": someone_else.pk, "version": "9"}
    )

    visit = Visit.objects.get()
    assert (visit.status, visit.coordinator, visit.version) == (
        Visit.Status.PROPOSED, coordinator_client.coordinator.user, 0
    )


def test_every_planning_post_refuses_a_request_without_the_csrf_token(thames_valley, visit, coordinator, visit_data):

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator.user)
    posts = visit_posts(visit, visit_data) + [("/visits/new/", visit_data(visit.school)), ("/visits/new/check/", {})]

    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/request-a-visit/", {"school": visit.school.urn}).status_code == 403
    assert Visit.objects.count() == 1 and Assignment.objects.count() == 1
