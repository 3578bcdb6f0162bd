"""The visit report's figures: attendance per session and year group, pre-filled from the plan; figures
over the plan or the roll need a confirmation and a reason; impossible ones are refused; a coordinator
corrects a report within 30 days, the reason kept in its history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory, VisitFactory, VisitSessionFactory
from sessions.models import Assignment, SessionType, Visit, VisitReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(volunteer, thames_valley):
    """Yesterday's visit to a school of 210: a KS2 assembly then the Years 5–6 workshop, 30 planned a year."""
    school = SchoolFactory(in_area=thames_valley, name="Oak Primary", pupils=210)
    visit = VisitFactory(school=school, date=timezone.localdate() - timedelta(days=1), status=Visit.Status.CONFIRMED,
                         pupils_by_year={"3": 30, "4": 30, "5": 30, "6": 30})
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"),
                        year_groups=[3, 4, 5, 6], pupils=120)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="workshop-years-5-6"),
                        starts_at=visit.starts_at.replace(hour=10), year_groups=[5, 6], pupils=60)
    AssignmentFactory(visit=visit, volunteer=volunteer, role=Assignment.Role.LEAD)
    return visit


def lines(visit):
    return list(visit.sessions.order_by("starts_at"))


def post(client, visit, assembly: dict, workshop: dict, **extra):
    assembly_line, workshop_line = lines(visit)
    data = {f"children_{assembly_line.pk}_{y}": str(n) for y, n in assembly.items()}
    data |= {f"children_{workshop_line.pk}_{y}": str(n) for y, n in workshop.items()}
    return client.post(f"/me/visits/{visit.pk}/report/", data | extra)


def test_the_form_asks_each_sessions_year_groups_pre_filled_from_the_plan(volunteer_client, visit):
    html = volunteer_client.get(f"/me/visits/{visit.pk}/report/").content.decode()

    assembly, workshop = lines(visit)
    assert html.count('type="number"') == 6
    assert f'name="children_{assembly.pk}_3" value="30"' in html
    assert f'name="children_{workshop.pk}_6" value="30"' in html
    assert "09:00 Assembly for Key Stage 2 (Year 3, Year 4, Year 5, Year 6)" in html
    assert "we count each child once across the visit" in html


def test_a_child_at_the_assembly_and_the_workshop_is_counted_once(volunteer_client, visit):
    response = post(volunteer_client, visit, {3: 28, 4: 30, 5: 29, 6: 31}, {5: 29, 6: 30})

    assert response.status_code == 302
    report = VisitReport.objects.get()
    assert (report.children_reached, report.sessions_delivered) == (118, 2)
    assembly, workshop = lines(visit)
    assert (assembly.children_reached, workshop.children_reached) == (118, 59)
    assert workshop.attendance == {"5": 29, "6": 30}


def test_a_figure_far_over_the_plan_is_not_filed_without_a_confirmation_and_a_reason(volunteer_client, visit):
    html = post(volunteer_client, visit, {3: 30, 4: 30, 5: 45, 6: 30}, {5: 30, 6: 30}).content.decode()

    assert "Year 5: 45 children reached, but 30 were planned." in html
    assert "tick to confirm" in html
    assert "Say why the numbers are higher than planned." in html
    assert not VisitReport.objects.exists()

    html = post(volunteer_client, visit, {3: 30, 4: 30, 5: 45, 6: 30}, {5: 30, 6: 30},
                confirm_unusual="on").content.decode()
    assert "Say why the numbers are higher than planned." in html and not VisitReport.objects.exists()


def test_a_confirmed_figure_over_the_plan_is_filed_with_its_reason(volunteer_client, visit):
    response = post(volunteer_client, visit, {3: 30, 4: 30, 5: 45, 6: 30}, {5: 30, 6: 30},
                    confirm_unusual="on", unusual_reason="A second Year 5 class joined the assembly")

    assert response.status_code == 302
    report = VisitReport.objects.get()
    assert report.children_reached == 135
    assert report.unusual_reason == "A second Year 5 class joined the assembly"


def test_more_children_than_the_schools_roll_needs_a_confirmation(volunteer_client, visit):
    School = type(visit.school)
    School.objects.filter(pk=visit.school.pk).update(pupils=100)

    html = post(volunteer_client, visit, {3: 28, 4: 30, 5: 29, 6: 31}, {5: 29, 6: 30}).content.decode()

    assert "118 children reached is more than the school&#x27;s 100 pupils on roll." in html
    assert not VisitReport.objects.exists()


def test_nine_hundred_in_a_session_of_forty_two_is_refused_naming_the_session_and_year_group(volunteer_client,
                                                                                              visit):
    html = post(volunteer_client, visit, {3: 30, 4: 30, 5: 30, 6: 2400}, {5: 30, 6: 30},
                confirm_unusual="on", unusual_reason="Really").content.decode()

    assert "09:00 Assembly for Key Stage 2, Year 6: 2,400 children is more than any session can hold" in html
    assert not VisitReport.objects.exists()


def test_words_and_fractions_are_refused_with_the_session_and_year_group_named(volunteer_client, visit):
    html = post(volunteer_client, visit, {3: "thirty", 4: "2.5", 5: 30, 6: 30}, {5: 30, 6: 30}).content.decode()

    assert "09:00 Assembly for Key Stage 2, Year 3: give the number of children as a whole number." in html
    assert "09:00 Assembly for Key Stage 2, Year 4: give the number of children as a whole number." in html
    assert not VisitReport.objects.exists()


def test_the_model_refuses_numbers_for_a_year_group_the_session_is_not_for(volunteer, visit):
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    assembly, workshop = lines(visit)
    with pytest.raises(ValidationError, match="is not for Year 3"):
        visit.file_report(by=volunteer, attendance={assembly.pk: {3: 30}, workshop.pk: {3: 5}})
    assert not VisitReport.objects.exists()


# --- Correcting a report


@pytest.fixture
def filed(visit, volunteer):
    assembly, workshop = lines(visit)
    visit.file_report(by=volunteer, attendance={assembly.pk: {3: 28, 4: 30, 5: 29, 6: 31},
                                                workshop.pk: {5: 29, 6: 30}})
    return VisitReport.objects.get()


def correction(visit, **figures) -> dict:
    assembly, workshop = lines(visit)
    data = {f"children_{assembly.pk}_{y}": str(n) for y, n in {3: 28, 4: 30, 5: 29, 6: 31}.items()}
    data |= {f"children_{workshop.pk}_{y}": str(n) for y, n in {5: 29, 6: 30}.items()}
    data |= {key: str(value) for key, value in figures.items()}
    return data


def test_a_coordinator_corrects_a_report_and_the_reason_is_kept_in_its_history(coordinator_client, visit, filed):
    assembly, _ = lines(visit)
    response = coordinator_client.post(
        f"/visits/{visit.pk}/report/",
        correction(visit, **{f"children_{assembly.pk}_3": 18}, reason="Year 3 had a school trip: 18 came"),
    )

    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.children_reached == 108
    assert filed.correction_reason == "Year 3 had a school trip: 18 came"
    last = filed.history.order_by("-history_date").first()
    assert (last.children_reached, last.correction_reason, last.history_user) == (
        108, "Year 3 had a school trip: 18 came", coordinator_client.coordinator.user)
    assert last.history_change_reason.startswith("Corrected: Year 3 had a school trip")
    page = coordinator_client.get(f"/visits/{visit.pk}/report/").content.decode()
    assert "Year 3 had a school trip: 18 came" in page


def test_a_correction_without_a_reason_is_refused_and_changes_nothing(coordinator_client, visit, filed):
    html = coordinator_client.post(f"/visits/{visit.pk}/report/", correction(visit, reason=" ")).content.decode()

    assert "Say why you are correcting the report." in html
    filed.refresh_from_db()
    assert filed.corrected_at is None


def test_a_report_filed_more_than_30_days_ago_cannot_be_corrected(coordinator_client, visit, filed):
    VisitReport.objects.filter(pk=filed.pk).update(filed_at=timezone.now() - timedelta(days=31))

    response = coordinator_client.post(f"/visits/{visit.pk}/report/", correction(visit, reason="Late fix"))

    assert response.status_code == 403
    assert "reports can be corrected for 30 days after filing" in response.content.decode()
    filed.refresh_from_db()
    assert (filed.children_reached, filed.corrected_at) == (118, None)


def test_a_report_filed_29_days_ago_can_still_be_corrected(coordinator_client, visit, filed):
    VisitReport.objects.filter(pk=filed.pk).update(filed_at=timezone.now() - timedelta(days=29))

    response = coordinator_client.post(f"/visits/{visit.pk}/report/", correction(visit, reason="Recounted"))

    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.corrected_at is not None


def test_the_visit_page_shows_the_report_and_offers_the_correction(coordinator_client, visit, filed):
    html = coordinator_client.get(f"/visits/{visit.pk}/").content.decode()

    assert "<dt>Children reached, each counted once</dt><dd>118</dd>" in html
    assert f'href="/visits/{visit.pk}/report/"' in html


def test_a_coordinator_of_another_area_finds_no_report_to_correct(client, kent, visit, filed):
    from sessions.factories import CoordinatorFactory  # noqa: PLC0415

    client.force_login(CoordinatorFactory(areas=[kent]).user)

    assert client.get(f"/visits/{visit.pk}/report/").status_code == 404
    assert client.post(f"/visits/{visit.pk}/report/", correction(visit, reason="x")).status_code == 404


def test_an_old_report_filed_as_session_totals_is_recounted_once_per_child():
    """The data migration's rule: each session's single number shared across its year groups by the plan,
    then counted by year group."""
    from sessions.models.attendance import children_reached, planned_by_year, split_evenly  # noqa: PLC0415

    planned = planned_by_year({}, [([3, 4, 5, 6], 120), ([5, 6], 60)])
    assembly = split_evenly(116, [3, 4, 5, 6], planned)
    workshop = split_evenly(58, [5, 6], planned)

    assert sum(assembly.values()) == 116 and sum(workshop.values()) == 58
    assert children_reached([assembly, workshop]) == 116  # not 174: the workshop's children were at the assembly


def test_the_coordinator_is_told_why_the_numbers_are_higher_than_planned(volunteer_client, visit, coordinator,
                                                                        emails):
    coordinator.user.email = "asha@example.org"
    coordinator.user.save()
    with emails as sent:
        post(volunteer_client, visit, {3: 30, 4: 30, 5: 45, 6: 30}, {5: 30, 6: 30},
             confirm_unusual="on", unusual_reason="A second Year 5 class joined the assembly")

    [message] = sent
    assert message.to == ["asha@example.org"]
    assert "Children reached, each counted once: 135" in message.body
    assert "Higher than planned, confirmed by the lead: A second Year 5 class joined the assembly" in message.body


def test_staff_see_a_filed_reports_figures_read_only_in_the_admin(staff_client, filed):
    html = staff_client.get(f"/admin/school_sessions/visitreport/{filed.pk}/change/").content.decode()

    assert 'name="children_reached"' not in html and 'name="follow_up"' in html
