"""Only cleared, accepted volunteers stand in front of children: the booking gate, the confirmation
gate, a confirmed visit that loses its people, make lead, and what a volunteer taken off a visit hears."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from sessions import services
from sessions.factories import A_SCHOOL_DAY, AssignmentFactory, VolunteerFactory
from sessions.models import Assignment, StatusChange, Visit, Volunteer

pytestmark = pytest.mark.django_db

LAPSED = {"dbs_checked_on": date(2023, 4, 12), "training_on": date(2026, 1, 1)}  # DBS expired 12 April 2026


def confirmed_visit(area, planned_visit, coordinator, **kwargs) -> Visit:
    visit = planned_visit(area, volunteers=2, coordinator=coordinator.user, **kwargs)
    # Cleared since January, so that a visit soon after today counts too.
    Volunteer.objects.filter(assignments__visit=visit).update(dbs_checked_on=date(2026, 1, 5), training_on=date(2026, 1, 5))
    visit.change_status(Visit.Status.CONFIRMED, by=coordinator.user)
    return visit


# --- The booking gate


def test_a_volunteer_whose_dbs_check_expired_cannot_be_invited_and_nothing_is_created(
    coordinator_client, thames_valley, planned_visit, HTMX
):
    visit = planned_visit(thames_valley, volunteers=2)
    visit.change_status(Visit.Status.CONFIRMED, by=coordinator_client.coordinator.user)
    glen = VolunteerFactory(user__first_name="Glen", user__last_name="Burns", areas=[thames_valley], **LAPSED)

    response = coordinator_client.post(
        f"/visits/{visit.pk}/assign/", {"volunteer": glen.pk, "role": "support"}, headers=HTMX
    )

    html = response.content.decode()
    assert "Glen Burns cannot be booked: has a DBS check that expired on 12 April 2026." in html
    assert not Assignment.objects.filter(volunteer=glen).exists()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CONFIRMED


def test_the_staffing_panel_shows_an_uncleared_volunteer_greyed_with_the_reason_and_no_assign_button(
    coordinator_client, thames_valley, planned_visit
):
    visit = planned_visit(thames_valley)
    VolunteerFactory(user__first_name="Glen", user__last_name="Burns", areas=[thames_valley], **LAPSED)

    html = coordinator_client.get(f"/visits/{visit.pk}/staffing/", headers={"HX-Request": "true"}).content.decode()

    row = html[html.index("Glen Burns"):].split("</tr>")[0]
    assert "has a DBS check that expired on 12 April 2026" in row
    assert "Assign" not in row
    assert 'class="candidate ineligible"' in html[: html.index("Glen Burns")].rsplit("<tr", 1)[1]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"dbs_level": "enhanced"}, "has a DBS check at the enhanced (no barred list check) level"),
        ({"dbs_level": "basic"}, "has a DBS check at the basic level"),
        ({"dbs_update_service": True, "dbs_checked_on": date(2020, 1, 1), "dbs_status_checked_on": date(2025, 6, 1)},
         "has a DBS Update Service status check that was due on 1 June 2026"),
        ({"active": False}, "is not an active volunteer"),
    ],
)
def test_the_gate_refuses_every_kind_of_uncleared_volunteer_in_the_service(thames_valley, planned_visit, changes, reason):
    visit = planned_visit(thames_valley)
    volunteer = VolunteerFactory(areas=[thames_valley], **changes)

    with pytest.raises(services.ValidationError) as refused:
        services.assign_volunteer(visit=visit, volunteer=volunteer, role="lead", by=None)

    assert reason in refused.value.messages[0]
    assert not visit.assignments.exists()


def test_the_admins_assignment_form_applies_the_same_gate(staff_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley)
    glen = VolunteerFactory(user__first_name="Glen", user__last_name="Burns", areas=[thames_valley], **LAPSED)

    response = staff_client.post(
        "/admin/school_sessions/assignment/add/",
        {"visit": visit.pk, "volunteer": glen.pk, "role": "support", "status": "invited", "_save": "Save"},
    )

    assert "Glen Burns cannot be booked: has a DBS check that expired on 12 April 2026." in response.content.decode()
    assert not Assignment.objects.filter(volunteer=glen).exists()


def test_a_forged_assign_post_for_a_volunteer_outside_the_area_changes_nothing(
    coordinator_client, thames_valley, kent, planned_visit, HTMX
):
    visit = planned_visit(thames_valley)
    stranger = VolunteerFactory(areas=[kent])

    response = coordinator_client.post(f"/visits/{visit.pk}/assign/", {"volunteer": stranger.pk, "role": "lead"},
                                       headers=HTMX)

    assert "That volunteer cannot be found." in response.content.decode()
    assert not visit.assignments.exists()


# --- The confirmation gate through the pages


def test_confirming_a_visit_whose_volunteers_are_only_invited_is_refused_saying_who(
    coordinator_client, thames_valley, planned_visit, HTMX
):
    visit = planned_visit(thames_valley, volunteers=2)
    visit.assignments.update(status=Assignment.Status.INVITED)

    response = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "confirmed", "version": visit.version},
                                       headers=HTMX)

    html = response.content.decode()
    assert "Fix these before confirming:" in html
    assert html.count("has not answered the invitation sent on") == 2
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_the_problems_panel_says_what_confirming_would_refuse(coordinator_client, thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)
    visit.assignments.update(status=Assignment.Status.INVITED)

    html = coordinator_client.get(f"/visits/{visit.pk}/problems/", headers={"HX-Request": "true"}).content.decode()

    assert "No problems found" not in html
    assert "has not answered the invitation" in html


def test_mark_as_delivered_is_not_offered_before_the_visit(coordinator_client, thames_valley, planned_visit, coordinator):
    visit = confirmed_visit(thames_valley, planned_visit, coordinator)  # 2 March 2027: still to come

    html = coordinator_client.get(f"/visits/{visit.pk}/").content.decode()

    assert "Mark as delivered" not in html
    assert f"It can be marked delivered on or after {visit.date:%-d %B %Y}" in html


# --- Losing cover


def test_a_lead_who_declines_unconfirms_the_visit_which_says_why_and_tells_the_coordinator(
    thames_valley, planned_visit, coordinator, emails
):
    coordinator.user.email = "asha@example.org"
    coordinator.user.save()
    visit = confirmed_visit(thames_valley, planned_visit, coordinator)
    lead = visit.assignments.get(role=Assignment.Role.LEAD)

    with emails as sent:
        services.answer_invitation(assignment=lead, accept=False, reason="ill", today=A_SCHOOL_DAY - timedelta(days=20))

    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED
    change = StatusChange.objects.filter(visit=visit).latest("at")
    assert (change.from_status, change.to_status, change.by) == ("confirmed", "proposed", None)
    assert change.reason == f"automatic: {lead.volunteer.name} declined; no lead; 1 of 2 volunteers accepted"
    assert visit.history.latest().history_change_reason.startswith("Status changed to proposed (automatic:")
    [unconfirmed] = [m for m in sent if m.subject.startswith("No longer confirmed")]
    assert unconfirmed.to == ["asha@example.org"]
    assert "no lead" in unconfirmed.body
    assert visit.cover_needed_since is None  # twenty days away: not yet "needs cover"


def test_a_supporter_who_declines_leaves_a_visit_short_and_unconfirmed(thames_valley, planned_visit, coordinator):
    visit = confirmed_visit(thames_valley, planned_visit, coordinator)
    support = visit.assignments.get(role=Assignment.Role.SUPPORT)

    services.answer_invitation(assignment=support, accept=False, reason="work", today=A_SCHOOL_DAY - timedelta(days=20))

    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED
    assert visit.unconfirmed_reason.endswith("declined; 1 of 2 volunteers accepted")


def test_a_removed_volunteer_is_emailed_the_visit_leaves_their_feed_and_the_visit_is_unconfirmed(
    coordinator_client, thames_valley, planned_visit, coordinator, emails
):
    visit = confirmed_visit(thames_valley, planned_visit, coordinator)
    support = visit.assignments.get(role=Assignment.Role.SUPPORT)
    feed = f"/calendar/{support.volunteer.calendar_token}.ics"
    assert f"visit-{visit.pk}@" in coordinator_client.get(feed).content.decode()

    with emails as sent:
        coordinator_client.post(f"/visits/{visit.pk}/assignments/{support.pk}/remove/")

    [told] = [m for m in sent if m.to == [support.volunteer.user.email]]
    assert told.subject == f"You are no longer on the visit to {visit.school.name} on 2 March"
    assert f"visit-{visit.pk}@" not in coordinator_client.get(feed).content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED and "was taken off the visit" in visit.unconfirmed_reason


def test_a_volunteer_marked_inactive_in_the_admin_unconfirms_their_visits(staff_client, thames_valley, planned_visit,
                                                                          coordinator):
    visit = confirmed_visit(thames_valley, planned_visit, coordinator)
    volunteer = visit.assignments.get(role=Assignment.Role.SUPPORT).volunteer

    response = staff_client.post(
        "/admin/school_sessions/volunteer/",
        {"action": "mark_as_left", "index": "0", "_selected_action": [volunteer.pk]},
        follow=True,
    )

    assert "1 confirmed visit(s) went back to proposed" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED
    assert visit.unconfirmed_reason == f"automatic: {volunteer.name} left the programme"


def test_the_daily_check_unconfirms_a_visit_whose_volunteer_will_not_be_cleared_on_the_day(
    thames_valley, planned_visit, coordinator
):
    visit = confirmed_visit(thames_valley, planned_visit, coordinator)
    volunteer = visit.assignments.get(role=Assignment.Role.SUPPORT).volunteer
    volunteer.training_on = date(2024, 2, 1)  # lapses on 1 February 2027, before the visit on 2 March
    volunteer.save()
    untouched = confirmed_visit(thames_valley, planned_visit, coordinator, date=A_SCHOOL_DAY + timedelta(days=1))

    call_command("send_reminders", "--date", "2027-01-15", stdout=open("/dev/null", "w"))

    visit.refresh_from_db()
    untouched.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED
    assert visit.unconfirmed_reason == (
        f"automatic: {volunteer.name} has safeguarding training that expired on 1 February 2027"
    )
    assert untouched.status == Visit.Status.CONFIRMED


def test_the_dashboard_lists_visits_that_were_confirmed_and_now_need_attention_first(
    coordinator_client, thames_valley, planned_visit, coordinator
):
    soon = date.today() + timedelta(days=20)
    while soon.weekday() >= 5:
        soon += timedelta(days=1)
    visit = confirmed_visit(thames_valley, planned_visit, coordinator, date=soon)
    lead = visit.assignments.get(role=Assignment.Role.LEAD)
    services.answer_invitation(assignment=lead, accept=False, reason="transport")

    html = coordinator_client.get("/plan/").content.decode()

    section = html[html.index("Was confirmed, now needs attention"):]
    assert visit.school.name in section.split("</section>")[0]
    assert html.index("Was confirmed, now needs attention") < html.index("This week")


# --- Make lead


def test_make_lead_promotes_an_accepted_supporter_and_the_former_lead_becomes_support(
    coordinator_client, thames_valley, planned_visit, HTMX
):
    visit = planned_visit(thames_valley, volunteers=2)
    lead = visit.assignments.get(role=Assignment.Role.LEAD)
    support = visit.assignments.get(role=Assignment.Role.SUPPORT)

    response = coordinator_client.post(f"/visits/{visit.pk}/assignments/{support.pk}/make-lead/", headers=HTMX)

    assert f"{support.volunteer.name} is now the lead." in response.content.decode()
    lead.refresh_from_db()
    support.refresh_from_db()
    assert (support.role, lead.role) == ("lead", "support")
    assert visit.assignments.count() == 2  # nobody re-invited


def test_make_lead_refuses_someone_who_has_not_accepted(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)
    invited = AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[thames_valley]), status="invited")

    with pytest.raises(services.ValidationError, match="has not accepted yet, so cannot lead"):
        services.make_lead(visit=visit, assignment=invited, by=None)
    invited.refresh_from_db()
    assert invited.role == "support"
