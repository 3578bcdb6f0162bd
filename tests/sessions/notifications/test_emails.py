"""Every email: who gets it, what it says, that it has a plain-text and an HTML part, and that the
scheduled ones are sent once."""

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from config.dates import years_after
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    CoordinatorFactory,
    UnavailabilityFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SentNotification, Visit, VisitReport
from sessions.notifications.scheduled import send_scheduled

pytestmark = pytest.mark.django_db

TODAY = date(2027, 2, 26)  # a Friday: A_SCHOOL_DAY (Tuesday 2 March 2027) is in four days


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def visit(thames_valley, coordinator):
    coordinator.user.email = "asha@example.org"
    coordinator.user.save()
    visit = VisitFactory(
        school__name="Oak Primary", school__town="Reading", school__in_area=thames_valley, coordinator=coordinator.user
    )
    VisitSessionFactory(visit=visit, year_groups=[5, 6])
    return visit


@pytest.fixture
def priya(volunteer):
    volunteer.user.email = "priya@example.org"
    volunteer.user.save()
    return volunteer


def staffed(visit, lead, support=None):
    """Book two volunteers without sending anything (as if long ago)."""
    AssignmentFactory(visit=visit, volunteer=lead, role=Assignment.Role.LEAD)
    AssignmentFactory(visit=visit, volunteer=support or VolunteerFactory(user__email="sam@example.org"))


# --- emails sent when something happens


def test_assigning_a_volunteer_invites_them_by_email_with_both_parts(emails, visit, priya):
    with emails as sent:
        Assignment.objects.create(visit=visit, volunteer=priya, role=Assignment.Role.LEAD)

    [message] = sent
    assert message.to == ["priya@example.org"]
    assert message.subject == "Can you help at Oak Primary on 2 March?"
    assert "as lead volunteer" in message.body and "Tuesday 2 March 2027" in message.body
    assert "Assembly for Key Stage 2 (Year 5, Year 6)" in message.body
    assert "Coordinator: Asha Khan, asha@example.org" in message.body
    assert "accept or decline on your visits page" in html_of(message)


def test_nothing_is_sent_until_the_transaction_commits(django_capture_on_commit_callbacks, visit, priya):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        AssignmentFactory(visit=visit, volunteer=priya, status=Assignment.Status.INVITED)

    assert len(callbacks) == 1 and mail.outbox == []


def test_confirming_a_visit_tells_each_volunteer_on_it_separately(emails, visit, priya, coordinator):
    staffed(visit, priya)
    AssignmentFactory(visit=visit, volunteer=VolunteerFactory(user__email="gone@example.org"),
                      status=Assignment.Status.DECLINED)

    with emails as sent:
        visit.change_status(Visit.Status.CONFIRMED, by=coordinator.user)

    assert sorted(m.to[0] for m in sent) == ["priya@example.org", "sam@example.org"]
    assert all(len(m.to) == 1 for m in sent)
    assert sent[0].subject == "Confirmed: Oak Primary on 2 March 2027"
    assert "The coordinator has confirmed this visit" in html_of(sent[0])


def test_cancelling_a_visit_tells_its_volunteers_why(emails, visit, priya, coordinator):
    staffed(visit, priya)

    with emails as sent:
        visit.change_status(Visit.Status.CANCELLED, by=coordinator.user, reason="Ofsted inspection that week")

    assert sorted(m.to[0] for m in sent) == ["priya@example.org", "sam@example.org"]
    assert sent[0].subject == "Cancelled: Oak Primary on 2 March 2027"
    assert "Reason: Ofsted inspection that week" in sent[0].body
    assert "<strong>cancelled</strong>" in html_of(sent[0])


def test_moving_a_confirmed_visit_tells_its_volunteers_the_old_and_new_times(emails, visit, priya):
    staffed(visit, priya)
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CONFIRMED)
    visit = Visit.objects.get(pk=visit.pk)

    with emails as sent:
        visit.date = A_SCHOOL_DAY + timedelta(days=1)
        visit.starts_at, visit.ends_at = time(13, 0), time(14, 30)
        visit.save()

    assert len(sent) == 2
    assert sent[0].subject == "Changed: Oak Primary is now on 3 March at 13:00"
    assert "Was: Tuesday 2 March 2027, 09:00–10:30" in sent[0].body
    assert "Now: Wednesday 3 March 2027, 13:00–14:30" in sent[0].body


def test_saving_a_visit_without_moving_it_sends_nothing(emails, visit, priya):
    staffed(visit, priya)
    visit = Visit.objects.get(pk=visit.pk)

    with emails as sent:
        visit.notes = "Parking at the back"
        visit.save()

    assert sent == []


def test_a_requested_visit_that_moves_tells_no_volunteer(emails, visit, priya):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.REQUESTED)
    staffed(visit, priya)
    visit = Visit.objects.get(pk=visit.pk)

    with emails as sent:
        visit.date = A_SCHOOL_DAY + timedelta(days=7)
        visit.save()

    assert sent == []


def test_a_decline_tells_the_visits_coordinator(emails, visit, priya):
    assignment = AssignmentFactory(visit=visit, volunteer=priya, status=Assignment.Status.INVITED)

    with emails as sent:
        assignment.decline(today=TODAY)

    [message] = sent
    assert message.to == ["asha@example.org"]
    assert message.subject == "Priya Patel can't do Oak Primary on 2 March"
    assert f"/visits/{visit.pk}/" in message.body
    assert "Find another volunteer" in html_of(message)


def test_a_decline_on_a_visit_without_a_coordinator_tells_the_areas_coordinators(emails, visit, priya, thames_valley):
    Visit.objects.filter(pk=visit.pk).update(coordinator=None)
    other = CoordinatorFactory(user__email="ben@example.org", areas=[thames_valley])
    CoordinatorFactory(user__email="kent@example.org")  # another area
    assignment = AssignmentFactory(visit=visit, volunteer=priya, status=Assignment.Status.INVITED)

    with emails as sent:
        Assignment.objects.get(pk=assignment.pk).decline(today=TODAY)

    assert sorted(sent[0].to) == sorted(["asha@example.org", other.user.email])


def test_a_decline_made_in_the_admin_or_anywhere_else_also_tells_the_coordinator(emails, visit, priya):
    assignment = AssignmentFactory(visit=visit, volunteer=priya, status=Assignment.Status.ACCEPTED)
    assignment = Assignment.objects.get(pk=assignment.pk)

    with emails as sent:
        assignment.status = Assignment.Status.DECLINED
        assignment.save()

    assert [m.to for m in sent] == [["asha@example.org"]]


def test_accepting_sends_no_email(emails, visit, priya):
    assignment = AssignmentFactory(visit=visit, volunteer=priya, status=Assignment.Status.INVITED)

    with emails as sent:
        Assignment.objects.get(pk=assignment.pk).accept(today=TODAY)

    assert sent == []


def test_a_schools_request_tells_the_areas_coordinators(emails, thames_valley, coordinator):
    coordinator.user.email = "asha@example.org"
    coordinator.user.save()

    with emails as sent:
        VisitFactory(
            school__in_area=thames_valley,
            school__name="Willow Primary",
            status=Visit.Status.REQUESTED,
            requester_name="Mrs Hughes",
            requester_email="office@willow.example.org",
            preferred_dates="Any Tuesday in March",
            needs_send=True,
        )

    [message] = sent
    assert message.to == ["asha@example.org"]
    assert message.subject == "Visit requested: Willow Primary"
    assert "Asked by: Mrs Hughes, office@willow.example.org" in message.body
    assert "Preferred dates: Any Tuesday in March" in message.body and "SEND adaptations are needed." in message.body


def test_unavailable_dates_over_a_booked_visit_tell_its_coordinator(emails, visit, priya):
    AssignmentFactory(visit=visit, volunteer=priya)

    with emails as sent:
        UnavailabilityFactory(volunteer=priya, starts_on=A_SCHOOL_DAY, ends_on=A_SCHOOL_DAY + timedelta(3))

    [message] = sent
    assert message.to == ["asha@example.org"]
    assert "Priya Patel is unavailable" in message.subject
    assert "Oak Primary, Tuesday 2 March 2027" in message.body


def test_unavailable_dates_over_no_visit_send_nothing(emails, visit, priya):
    AssignmentFactory(visit=visit, volunteer=priya)

    with emails as sent:
        UnavailabilityFactory(volunteer=priya, starts_on=A_SCHOOL_DAY + timedelta(1), ends_on=A_SCHOOL_DAY + timedelta(3))

    assert sent == []


def test_filing_the_report_tells_the_coordinator_and_flags_a_concern(emails, visit, priya):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CONFIRMED)
    AssignmentFactory(visit=visit, volunteer=priya, role=Assignment.Role.LEAD)
    visit = Visit.objects.get(pk=visit.pk)
    line = visit.sessions.get()

    with emails as sent:
        visit.file_report(by=priya, attendance={line.pk: {line.year_groups[0]: 55}}, follow_up=True,
                          confirmed=True, unusual_reason="Two classes joined", today=A_SCHOOL_DAY)

    [message] = sent
    assert message.to == ["asha@example.org"]
    assert message.subject == "Visit report filed: Oak Primary on 2 March (a concern was passed on)"
    assert "Children reached, each counted once: 55" in message.body
    assert "Higher than planned, confirmed by the lead" not in message.body  # 55 of 60 planned: usual
    assert "A concern was passed to the school's safeguarding lead: yes" in message.body
    assert VisitReport.objects.get().children_reached == 55


def test_a_volunteer_without_an_email_address_is_skipped(emails, visit):
    quiet = VolunteerFactory(user__email="")

    with emails as sent:
        AssignmentFactory(visit=visit, volunteer=quiet, status=Assignment.Status.INVITED)

    assert sent == []


# --- scheduled emails (manage.py send_reminders)


@pytest.fixture
def confirmed(visit, priya):
    staffed(visit, priya)
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CONFIRMED)
    return Visit.objects.get(pk=visit.pk)


def test_a_reminder_goes_two_days_before_a_confirmed_visit(emails, confirmed):
    with emails as sent:
        too_early = send_scheduled(today=A_SCHOOL_DAY - timedelta(days=3))
    assert too_early["reminders"] == 0 and sent == []

    with emails as sent:
        counts = send_scheduled(today=A_SCHOOL_DAY - timedelta(days=2))

    assert counts["reminders"] == 2
    assert sorted(m.to[0] for m in sent) == ["priya@example.org", "sam@example.org"]
    message = next(m for m in sent if m.to == ["priya@example.org"])
    assert message.subject == "Reminder: Oak Primary on Tuesday 2 March at 09:00"
    assert f"/visits/{confirmed.pk}/pack.pdf" in message.body
    assert "Download the session pack" in html_of(message)


def test_running_the_reminders_twice_sends_nothing_twice(emails, confirmed):
    with emails as first:
        call_command("send_reminders", "--date", "2027-02-28", stdout=open("/dev/null", "w"))
    with emails as second:
        counts = send_scheduled(today=date(2027, 3, 1))

    assert len(first) == 2
    assert second == [] and counts["reminders"] == 0
    assert SentNotification.objects.filter(kind="reminder").count() == 2


def test_a_visit_moved_to_a_new_date_gets_a_new_reminder(emails, confirmed):
    with emails as first:
        send_scheduled(today=A_SCHOOL_DAY - timedelta(days=2))

    confirmed.date = A_SCHOOL_DAY + timedelta(days=7)
    confirmed.save()
    with emails as unchanged_window:
        send_scheduled(today=A_SCHOOL_DAY - timedelta(days=1))
    with emails as second:
        send_scheduled(today=A_SCHOOL_DAY + timedelta(days=5))
    with emails as third:
        send_scheduled(today=A_SCHOOL_DAY + timedelta(days=6))

    assert len(first) == 2
    # The change notice went with the move; no reminder is due for the old date any more.
    assert all(m.subject.startswith("Changed:") for m in unchanged_window) or unchanged_window == []
    assert sorted(m.subject for m in second) == ["Reminder: Oak Primary on Tuesday 9 March at 09:00"] * 2
    assert third == []


def test_a_volunteer_who_turned_reminders_off_gets_none(emails, confirmed, priya):
    priya.email_reminders = False
    priya.save()

    with emails as sent:
        send_scheduled(today=A_SCHOOL_DAY - timedelta(days=2))

    assert [m.to for m in sent] == [["sam@example.org"]]


def test_a_proposed_or_cancelled_visit_gets_no_reminder(emails, visit, priya):
    staffed(visit, priya)

    with emails as sent:
        send_scheduled(today=A_SCHOOL_DAY - timedelta(days=2))

    assert sent == []


def test_the_lead_is_nudged_to_file_the_report_the_day_after_once(emails, confirmed):
    with emails as on_the_day:
        send_scheduled(today=A_SCHOOL_DAY)
    with emails as day_after:
        counts = send_scheduled(today=A_SCHOOL_DAY + timedelta(days=1))
    with emails as again:
        send_scheduled(today=A_SCHOOL_DAY + timedelta(days=2))

    assert on_the_day == [] and again == []
    assert counts["report_nudges"] == 1
    [message] = day_after
    assert message.to == ["priya@example.org"]
    assert message.subject == "How did it go at Oak Primary? Please file the visit report"
    assert f"/me/visits/{confirmed.pk}/report/" in message.body
    assert "Never write names or details of any child" in message.body


def test_no_nudge_once_the_report_is_filed_or_when_nudges_are_off(emails, confirmed, priya):
    priya.email_report_nudges = False
    priya.save()

    with emails as sent:
        counts = send_scheduled(today=A_SCHOOL_DAY + timedelta(days=1))

    assert counts["report_nudges"] == 0 and sent == []


def test_coordinators_are_warned_once_of_a_clearance_expiring_within_sixty_days(emails, thames_valley, coordinator):
    coordinator.user.email = "asha@example.org"
    coordinator.user.save()
    today = date(2027, 1, 10)
    expiring = VolunteerFactory(
        user__first_name="Jo", user__last_name="Bloggs", areas=[thames_valley],
        dbs_checked_on=years_after(today + timedelta(days=60), -3), training_on=today - timedelta(days=5),
    )
    VolunteerFactory(areas=[thames_valley], dbs_checked_on=years_after(today + timedelta(days=61), -3),
                     training_on=today - timedelta(days=5))

    with emails as sent:
        counts = send_scheduled(today=today)
    with emails as again:
        send_scheduled(today=today)
    with emails as next_day:
        send_scheduled(today=today + timedelta(days=1))

    assert counts["clearance_warnings"] == 1 and again == []
    assert len(next_day) == 1 and "Jo Bloggs" not in next_day[0].subject  # the other one is now due
    [message] = sent
    assert message.to == ["asha@example.org"]
    assert message.subject == f"Jo Bloggs's clearance expires on {expiring.clearance_expires_on:%-d %B %Y}"
    assert "DBS check: expires" in message.body


def test_the_command_says_what_it_sent(confirmed, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2027-02-28")

    assert ("Sent 2 visit reminder(s), 0 report nudge(s) and 0 clearance warning(s) to volunteers and "
            "coordinators; 1 visit reminder(s) and 0 feedback reminder(s) to schools.") in capsys.readouterr().out
