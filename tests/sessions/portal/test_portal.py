"""The volunteers' portal: their visits, invitations, clearance, unavailable dates, report and data."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from config.dates import years_after
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    CoordinatorFactory,
    UnavailabilityFactory,
    UserFactory,
    VisitFactory,
    VisitReportFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, Unavailability, Visit, VisitReport

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def today():
    return timezone.localdate()


def invite(volunteer, **visit_kwargs):
    visit = VisitFactory(**visit_kwargs)
    VisitSessionFactory(visit=visit)
    return AssignmentFactory(visit=visit, volunteer=volunteer, status=Assignment.Status.INVITED)


# --- who may see the portal


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/me/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/me/"


def test_a_logged_in_user_who_is_not_a_volunteer_has_no_portal(coordinator_client):
    response = coordinator_client.get("/me/")

    assert response.status_code == 404


def test_a_volunteer_sees_their_visits_and_not_anyone_elses(volunteer_client):
    mine = invite(volunteer_client.volunteer, school__name="Mine Primary")
    invite(VolunteerFactory(), school__name="Theirs Primary")

    html = volunteer_client.get("/me/").content.decode()

    assert "Mine Primary" in html and "Theirs Primary" not in html
    assert f'id="assignment-{mine.pk}"' in html


def test_a_visit_card_shows_school_town_date_times_sessions_co_volunteers_and_status(volunteer_client):
    visit = VisitFactory(school__name="Oak Primary", school__town="Reading", status=Visit.Status.CONFIRMED)
    VisitSessionFactory(visit=visit, year_groups=[5, 6])
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, role=Assignment.Role.LEAD)
    AssignmentFactory(visit=visit, volunteer__user__first_name="Sam", volunteer__user__last_name="Jones")
    AssignmentFactory(
        visit=visit,
        volunteer__user__first_name="Dee",
        volunteer__user__last_name="Clined",
        status=Assignment.Status.DECLINED,
    )

    html = volunteer_client.get("/me/").content.decode()

    assert "Oak Primary, Reading" in html
    assert "Tuesday 2 March 2027" in html and "09:00–10:30" in html
    assert "Assembly for Key Stage 2 (Year 5, Year 6)" in html
    assert "With: Sam Jones (support)" in html and "Dee Clined" not in html
    assert "Confirmed" in html and "You: lead, accepted" in html


def test_each_booked_visit_links_to_its_session_pack_and_a_cancelled_one_does_not(volunteer_client):
    booked = invite(volunteer_client.volunteer)
    cancelled = invite(volunteer_client.volunteer, status=Visit.Status.CANCELLED, date=A_SCHOOL_DAY + timedelta(1))

    html = volunteer_client.get("/me/").content.decode()

    assert f'href="/visits/{booked.visit.pk}/pack.pdf"' in html
    assert f"/visits/{cancelled.visit.pk}/pack.pdf" not in html


def test_past_visits_are_listed_apart_from_the_coming_ones(volunteer_client):
    AssignmentFactory(volunteer=volunteer_client.volunteer, visit__school__name="Past Primary",
                      visit__date=today() - timedelta(days=30), visit__status=Visit.Status.DELIVERED)
    invite(volunteer_client.volunteer, school__name="Future Primary")

    html = volunteer_client.get("/me/").content.decode()

    assert html.index("Future Primary") < html.index("Past visits") < html.index("Past Primary")


@pytest.mark.parametrize("n", [1, 3])
def test_the_visits_page_costs_the_same_queries_for_any_number_of_visits(
    volunteer_client, django_assert_num_queries, n
):
    volunteer = volunteer_client.volunteer
    for i in range(n):
        a = invite(volunteer, date=A_SCHOOL_DAY + timedelta(days=7 * i))
        AssignmentFactory(visit=a.visit)
        AssignmentFactory(volunteer=volunteer, visit__date=today() - timedelta(days=10 + i),
                          visit__status=Visit.Status.CONFIRMED, role=Assignment.Role.LEAD)

    # session, user (with their roles); upcoming: assignments (+visit, school, report, coordinator), sessions,
    # session types, visit assignments (+volunteers, users); past: count, the same four
    with django_assert_num_queries(10):
        response = volunteer_client.get("/me/")

    html = response.content.decode()
    assert html.count('id="assignment-') == n and html.count('class="visit-card" id="past-') == n
    assert html.count("File the visit report") == n


# --- answering invitations


def test_a_volunteer_accepts_an_invitation_in_place_and_the_page_is_told(volunteer_client):
    assignment = invite(volunteer_client.volunteer)

    response = volunteer_client.post(f"/me/invitations/{assignment.pk}/accept/", headers=HTMX)

    html = response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACCEPTED and assignment.responded_at is not None
    assert f'id="assignment-{assignment.pk}"' in html and "<html" not in html
    assert "you are booked. The coordinator has been told." in html
    assert ">Accept<" not in html and "I can no longer go" in html
    assert json.loads(response.headers["HX-Trigger"]) == {"assignmentChanged": {"answer": "accept"}}


def test_accepting_without_htmx_goes_back_to_the_visits_page_with_a_message(volunteer_client):
    assignment = invite(volunteer_client.volunteer, school__name="Elm Primary")

    response = volunteer_client.post(f"/me/invitations/{assignment.pk}/accept/", follow=True)

    assert response.redirect_chain == [("/me/", 302)]
    assert "Elm Primary, 2 March: Thank you: you are booked." in response.content.decode()


def test_a_volunteer_declines_an_invitation_in_place(volunteer_client):
    assignment = invite(volunteer_client.volunteer)

    response = volunteer_client.post(f"/me/invitations/{assignment.pk}/decline/", {"reason": "transport"}, headers=HTMX)

    assignment.refresh_from_db()
    assert (assignment.status, assignment.decline_reason) == (Assignment.Status.DECLINED, "transport")
    html = response.content.decode()
    assert "You have declined. The coordinator has been told." in html
    assert "Decline" not in html.split("</p>")[-1]  # no buttons left on a declined card
    assert "assignmentChanged" in response.headers["HX-Trigger"]


def test_a_decline_without_a_reason_is_refused_with_the_question_and_changes_nothing(volunteer_client):
    assignment = invite(volunteer_client.volunteer)

    response = volunteer_client.post(f"/me/invitations/{assignment.pk}/decline/", headers=HTMX)

    assert "Choose why you cannot go." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.INVITED


def test_another_reason_needs_a_few_words(volunteer_client):
    assignment = invite(volunteer_client.volunteer)

    response = volunteer_client.post(f"/me/invitations/{assignment.pk}/decline/", {"reason": "other"}, headers=HTMX)
    assert "Say in a few words why you cannot go." in response.content.decode()

    volunteer_client.post(f"/me/invitations/{assignment.pk}/decline/", {"reason": "other", "note": "Car broke"},
                          headers=HTMX)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.decline_reason, assignment.decline_note) == ("declined", "other", "Car broke")


def test_an_invitation_to_a_cancelled_visit_cannot_be_accepted_and_says_why(volunteer_client):
    assignment = invite(volunteer_client.volunteer, status=Visit.Status.CANCELLED)

    response = volunteer_client.post(f"/me/invitations/{assignment.pk}/accept/", headers=HTMX)

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.INVITED
    assert "This visit is cancelled." in response.content.decode()
    assert "HX-Trigger" not in response.headers


def test_answering_someone_elses_invitation_is_not_found(volunteer_client):
    theirs = invite(VolunteerFactory())

    response = volunteer_client.post(f"/me/invitations/{theirs.pk}/accept/", headers=HTMX)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Assignment.Status.INVITED


def test_a_coordinator_cannot_answer_a_volunteers_invitation(coordinator_client):
    assignment = invite(VolunteerFactory())

    assert coordinator_client.post(f"/me/invitations/{assignment.pk}/decline/").status_code == 404
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.INVITED


def test_the_invitation_count_is_a_fragment_that_refreshes_after_an_answer(volunteer_client):
    invite(volunteer_client.volunteer)
    invite(volunteer_client.volunteer, date=A_SCHOOL_DAY + timedelta(days=1))

    html = volunteer_client.get("/me/", headers=HTMX).content.decode()

    assert "2 invitations waiting for your answer." in html
    assert 'hx-trigger="assignmentChanged from:body"' in html
    assert "<html" not in html and "visit-card" not in html


# --- clearance


def test_the_clearance_section_shows_each_date_and_when_it_expires(client):
    volunteer = VolunteerFactory(dbs_checked_on=today() - timedelta(days=100), training_on=today() - timedelta(days=50))
    client.force_login(volunteer.user)

    html = client.get("/me/").content.decode()

    assert f"{volunteer.dbs_checked_on:%-d %B %Y}, expires {volunteer.dbs_expires_on:%-d %B %Y}" in html
    assert f"{volunteer.training_on:%-d %B %Y}, expires {volunteer.training_expires_on:%-d %B %Y}" in html
    assert "Cleared." in html and "Warning" not in html


@pytest.mark.parametrize(("days_left", "warned"), [(61, False), (60, True), (1, True)])
def test_a_clear_warning_shows_from_sixty_days_before_clearance_expires(client, days_left, warned):

    expires = today() + timedelta(days=days_left)
    volunteer = VolunteerFactory(dbs_checked_on=years_after(expires, -3), training_on=today() - timedelta(days=10))
    client.force_login(volunteer.user)

    html = client.get("/me/").content.decode()

    assert ("Warning: renew soon." in html) is warned
    if warned:
        assert f"runs out on {expires:%-d %B %Y}, in {days_left} day" in html


def test_an_expired_clearance_is_an_alert_not_a_warning(client):
    volunteer = VolunteerFactory(dbs_checked_on=today() - timedelta(days=4 * 365))
    client.force_login(volunteer.user)

    html = client.get("/me/").content.decode()

    assert f"Not cleared for visits on {today():%-d %B %Y}." in html and "has a DBS check that expired" in html


# --- unavailable dates


def test_a_volunteer_adds_an_unavailable_range_in_place(volunteer_client):
    first = today() + timedelta(days=20)

    response = volunteer_client.post(
        "/me/unavailable/",
        {"starts_on": first.isoformat(), "ends_on": (first + timedelta(days=2)).isoformat(), "reason": "Holiday"},
        headers=HTMX,
    )

    html = response.content.decode()
    absence = volunteer_client.volunteer.unavailabilities.get()
    assert (absence.starts_on, absence.reason) == (first, "Holiday")
    assert 'id="unavailable-form"' in html and "<html" not in html
    assert f"Added: unavailable {first:%-d %B %Y}" in html
    assert json.loads(response.headers["HX-Trigger"]) == {"unavailabilityChanged": {}}


def test_the_list_of_ranges_is_a_fragment_that_refreshes_when_they_change(volunteer_client):
    UnavailabilityFactory(volunteer=volunteer_client.volunteer, starts_on=today(), ends_on=today(), reason="Dentist")

    html = volunteer_client.get("/me/unavailable/", headers=HTMX).content.decode()

    assert 'id="unavailable-list"' in html and "Dentist" in html and "<html" not in html
    assert 'hx-trigger="unavailabilityChanged from:body"' in html


def test_a_range_that_covers_a_booked_visit_is_saved_only_after_the_volunteer_confirms(volunteer_client):
    booked = invite(volunteer_client.volunteer, school__name="Birch Primary")
    data = {"starts_on": "2027-03-01", "ends_on": "2027-03-05", "reason": ""}

    first = volunteer_client.post("/me/unavailable/", data, headers=HTMX).content.decode()

    assert not Unavailability.objects.exists()
    assert "Warning: these dates cover a visit you are on:" in first
    assert "Birch Primary, Tuesday 2 March 2027" in first
    assert "Add anyway and tell the coordinator" in first
    assert 'name="confirm_clash" value="on"' in first

    second = volunteer_client.post("/me/unavailable/", {**data, "confirm_clash": "on"}, headers=HTMX)

    assert volunteer_client.volunteer.unavailabilities.count() == 1
    assert "The coordinator has been told about the visits these dates cover." in second.content.decode()
    assert [p.code for p in booked.visit.problems() if p.is_error][0] == "unavailable"


def test_a_range_ending_before_it_starts_or_in_the_past_is_refused_with_a_reason(volunteer_client):
    backwards = volunteer_client.post(
        "/me/unavailable/", {"starts_on": "2027-03-05", "ends_on": "2027-03-01"}, headers=HTMX
    ).content.decode()
    past = volunteer_client.post(
        "/me/unavailable/", {"starts_on": "2020-03-01", "ends_on": "2020-03-05"}, headers=HTMX
    ).content.decode()

    assert "The last day cannot be before the first day." in backwards
    assert "These dates are in the past" in past
    assert not Unavailability.objects.exists()


def test_adding_a_range_without_htmx_redirects_to_the_list(volunteer_client):
    response = volunteer_client.post(
        "/me/unavailable/", {"starts_on": "2027-04-01", "ends_on": "2027-04-02"}, follow=True
    )

    assert response.redirect_chain == [("/me/unavailable/", 302)]
    assert "Thu 1 April 2027 to Fri 2 April 2027" in response.content.decode()


def test_a_volunteer_removes_their_own_range_in_place_but_not_someone_elses(volunteer_client):
    mine = UnavailabilityFactory(volunteer=volunteer_client.volunteer, starts_on=today(), ends_on=today())
    theirs = UnavailabilityFactory(starts_on=today(), ends_on=today())

    response = volunteer_client.post(f"/me/unavailable/{mine.pk}/remove/", headers=HTMX)
    other = volunteer_client.post(f"/me/unavailable/{theirs.pk}/remove/", headers=HTMX)

    assert not Unavailability.objects.filter(pk=mine.pk).exists()
    assert "Removed:" in response.content.decode() and "<html" not in response.content.decode()
    assert json.loads(response.headers["HX-Trigger"]) == {"unavailabilityChanged": {}}
    assert other.status_code == 404 and Unavailability.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("n", [1, 3])
def test_the_ranges_list_costs_the_same_queries_for_any_number_of_ranges(
    volunteer_client, django_assert_num_queries, n
):
    for i in range(n):
        UnavailabilityFactory(volunteer=volunteer_client.volunteer, starts_on=today() + timedelta(days=i),
                              ends_on=today() + timedelta(days=i))

    with django_assert_num_queries(3):  # session, user (with their roles), ranges
        html = volunteer_client.get("/me/unavailable/", headers=HTMX).content.decode()

    assert html.count('class="range"') == n


# --- the visit report


def past_visit_led_by(volunteer, **kwargs):
    visit = VisitFactory(date=today() - timedelta(days=1), status=Visit.Status.CONFIRMED, **kwargs)
    morning = VisitSessionFactory(visit=visit)
    later = VisitSessionFactory(visit=visit, starts_at=morning.starts_at.replace(hour=10))
    AssignmentFactory(visit=visit, volunteer=volunteer, role=Assignment.Role.LEAD)
    return visit, morning, later


def figures(*lines_and_counts) -> dict[str, str]:
    """The report form's figures: (line, {year group: children}) pairs, every year group of each line."""
    return {f"children_{line.pk}_{year}": str(counts.get(year, 0))
            for line, counts in lines_and_counts for year in line.year_groups}


def test_the_lead_volunteer_files_the_report_per_session_and_the_totals_are_kept(volunteer_client):
    visit, morning, later = past_visit_led_by(volunteer_client.volunteer)

    response = volunteer_client.post(
        f"/me/visits/{visit.pk}/report/",
        {**figures((morning, {3: 15, 4: 15, 5: 14, 6: 14}), (later, {})), "notes": "Hall was busy",
         "follow_up": "on"},
    )

    assert response.status_code == 302 and response.url == "/me/"
    report = VisitReport.objects.get(visit=visit)
    assert (report.children_reached, report.sessions_delivered, report.follow_up) == (58, 1, True)
    assert report.notes == "Hall was busy" and report.filed_by == volunteer_client.volunteer
    morning.refresh_from_db()
    assert morning.children_reached == 58
    assert morning.attendance == {"3": 15, "4": 15, "5": 14, "6": 14}


def test_filing_the_report_lets_the_coordinator_mark_the_visit_delivered(volunteer_client, coordinator):
    visit, morning, later = past_visit_led_by(volunteer_client.volunteer)
    volunteer_client.post(f"/me/visits/{visit.pk}/report/", figures((morning, {3: 30}), (later, {3: 25})))

    visit.refresh_from_db()
    visit.change_status(Visit.Status.DELIVERED, by=coordinator.user)

    assert visit.status == Visit.Status.DELIVERED


def test_the_report_form_warns_never_to_write_about_a_child(volunteer_client):
    visit, *_ = past_visit_led_by(volunteer_client.volunteer)

    html = volunteer_client.get(f"/me/visits/{visit.pk}/report/").content.decode()

    assert "Never write names or any details about a child" in html
    assert "A concern was passed to the school&#x27;s safeguarding lead" in html
    assert html.count('type="number"') == 8  # two sessions, four year groups each


def test_a_missing_or_negative_count_is_refused_with_a_clear_message(volunteer_client):
    visit, morning, later = past_visit_led_by(volunteer_client.volunteer)

    html = volunteer_client.post(
        f"/me/visits/{visit.pk}/report/", {f"children_{morning.pk}_3": "-1"}
    ).content.decode()

    assert "09:00 Assembly for Key Stage 2, Year 3: the number of children cannot be below 0." in html
    assert "10:00 Assembly for Key Stage 2, Year 4: give the number of children (0 if none came)." in html
    assert not VisitReport.objects.exists()


def test_a_support_volunteer_is_told_only_the_lead_files_the_report(volunteer_client):
    visit, morning, _ = past_visit_led_by(VolunteerFactory())
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer)

    response = volunteer_client.post(f"/me/visits/{visit.pk}/report/", {f"children_{morning.pk}": "5"})

    assert response.status_code == 403
    assert "Only the lead volunteer on this visit files its report." in response.content.decode()
    assert not VisitReport.objects.exists()


def test_the_report_cannot_be_filed_before_the_visit(volunteer_client):
    visit = VisitFactory(status=Visit.Status.CONFIRMED)
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, role=Assignment.Role.LEAD)

    response = volunteer_client.get(f"/me/visits/{visit.pk}/report/")

    assert "The report can be filed on or after the day of the visit." in response.content.decode()


def test_a_filed_report_is_shown_not_filed_again(volunteer_client):
    visit, *_ = past_visit_led_by(volunteer_client.volunteer)
    VisitReportFactory(visit=visit, children_reached=77)

    html = volunteer_client.get(f"/me/visits/{visit.pk}/report/").content.decode()

    assert "The report is filed." in html and "Children reached, each counted once: 77" in html and 'name="notes"' not in html


def test_the_report_page_of_someone_elses_visit_is_not_found(volunteer_client):
    visit, *_ = past_visit_led_by(VolunteerFactory())

    assert volunteer_client.get(f"/me/visits/{visit.pk}/report/").status_code == 404


# --- their own data and email choices


def test_a_volunteer_sees_what_the_app_holds_about_them(volunteer_client):
    volunteer = volunteer_client.volunteer
    invite(volunteer, school__name="Ash Primary")
    UnavailabilityFactory(volunteer=volunteer, reason="Surgery")

    html = volunteer_client.get("/me/details/").content.decode()

    assert volunteer.dbs_reference in html and volunteer.phone in html and volunteer.user.email in html
    assert "Ash Primary" in html and "Surgery" in html
    assert "DBS certificate number" in html


def test_a_volunteer_downloads_their_data_as_json(volunteer_client):
    volunteer = volunteer_client.volunteer
    invite(volunteer, school__name="Ash Primary")

    response = volunteer_client.get("/me/details.json")

    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == volunteer.user.email
    assert data["volunteer"]["dbs_certificate_number"] == volunteer.dbs_reference
    assert data["visits"][0]["school"] == "Ash Primary" and data["visits"][0]["answer"] == "Invited"


def test_a_volunteer_downloads_their_data_as_csv(volunteer_client):
    volunteer = volunteer_client.volunteer
    UnavailabilityFactory(volunteer=volunteer, reason="Surgery")

    response = volunteer_client.get("/me/details.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "item", "field", "value"]
    assert ["volunteer", "", "postcode", volunteer.postcode] in rows
    assert ["unavailable_dates", "1", "reason", "Surgery"] in rows


def test_someone_who_is_not_a_volunteer_has_no_data_download(coordinator_client):
    assert coordinator_client.get("/me/details.json").status_code == 404


def test_a_volunteer_turns_off_reminders_in_place(volunteer_client):
    response = volunteer_client.post("/me/details/", {"email_report_nudges": "on"}, headers=HTMX)

    volunteer_client.volunteer.refresh_from_db()
    assert volunteer_client.volunteer.email_reminders is False
    assert volunteer_client.volunteer.email_report_nudges is True
    html = response.content.decode()
    assert "Your email choices are saved." in html and "<html" not in html
    assert json.loads(response.headers["HX-Trigger"]) == {"preferencesSaved": {}}


def test_email_choices_also_save_without_htmx(volunteer_client):
    response = volunteer_client.post("/me/details/", {}, follow=True)

    volunteer_client.volunteer.refresh_from_db()
    assert not volunteer_client.volunteer.email_reminders and not volunteer_client.volunteer.email_report_nudges
    assert "Your email choices are saved." in response.content.decode()


def test_the_portal_pages_carry_no_inline_script_or_style(volunteer_client):
    invite(volunteer_client.volunteer)
    for url in ("/me/", "/me/unavailable/", "/me/details/", "/calendar/"):
        html = volunteer_client.get(url).content.decode()
        assert "<script>" not in html and "<style" not in html and 'style="' not in html and "hx-on" not in html


def test_a_user_with_no_volunteer_record_but_a_login_gets_404_everywhere_in_the_portal(client):
    client.force_login(UserFactory())

    for url in ("/me/", "/me/unavailable/", "/me/details/", "/calendar/"):
        assert client.get(url).status_code == 404


def test_a_coordinator_who_is_also_a_volunteer_sees_only_the_visits_they_are_on(client, thames_valley):
    user = UserFactory()
    CoordinatorFactory(user=user, areas=[thames_valley])
    volunteer = VolunteerFactory(user=user)
    invite(volunteer, school__name="Mine Primary")
    VisitFactory(school__in_area=thames_valley, school__name="Area Primary")
    client.force_login(user)

    html = client.get("/me/").content.decode()

    assert "Mine Primary" in html and "Area Primary" not in html


# --- where they travel from


def test_a_volunteer_sets_their_postcode_and_how_far_they_travel_in_place(volunteer_client):
    response = volunteer_client.post("/me/details/", {"postcode": " ox14 1aa", "max_travel_km": "40",
                                                      "save_travel": "1"}, headers=HTMX)

    volunteer = volunteer_client.volunteer
    volunteer.refresh_from_db()
    assert (volunteer.postcode, volunteer.max_travel_km) == ("OX14 1AA", 40)
    html = response.content.decode()
    assert "Your travel details are saved." in html and "<html" not in html
    assert volunteer.email_reminders is True  # the other form is left alone


@pytest.mark.parametrize("typed", ["XX1 1XX", "RG1", "hello", "RG1 4QAZ"])
def test_a_postcode_that_is_not_a_uk_one_is_refused_with_an_example(volunteer_client, typed):
    before = volunteer_client.volunteer.postcode

    response = volunteer_client.post("/me/details/", {"postcode": typed, "max_travel_km": "25",
                                                      "save_travel": "1"}, headers=HTMX)

    assert "Enter a UK postcode such as RG1 4QA." in response.content.decode()
    volunteer_client.volunteer.refresh_from_db()
    assert volunteer_client.volunteer.postcode == before


def test_a_northern_irish_postcode_is_accepted_though_its_distance_is_unknown(volunteer_client):
    response = volunteer_client.post("/me/details/", {"postcode": "BT1 1AA", "max_travel_km": "25",
                                                      "save_travel": "1"}, follow=True)

    volunteer_client.volunteer.refresh_from_db()
    assert volunteer_client.volunteer.postcode == "BT1 1AA" and volunteer_client.volunteer.location is None
    assert "Your travel details are saved." in response.content.decode()


def test_the_travel_limit_must_be_a_sensible_number(volunteer_client):
    response = volunteer_client.post("/me/details/", {"postcode": "RG1 4QA", "max_travel_km": "0",
                                                      "save_travel": "1"}, headers=HTMX)

    assert "greater than or equal to 1" in response.content.decode()
