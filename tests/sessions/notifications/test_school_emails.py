"""The emails to the school: to the requester and the safeguarding lead (once when the same address), each
with a text and an HTML part and the link to the visit's own page; the reminder three days before, sent once.
And the volunteers' emails say truly whether the school has agreed."""

from datetime import date, time, timedelta

import pytest

from schools.factories import SchoolFactory
from sessions import services
from sessions.factories import AssignmentFactory, CoordinatorFactory, VolunteerFactory
from sessions.models import Assignment, SentNotification, Visit
from sessions.notifications.scheduled import send_scheduled

pytestmark = pytest.mark.django_db

JO, HELEN = "jo@riverside.sch.uk", "h.ward@riverside.sch.uk"


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def visit(thames_valley, planned_visit):
    coordinator = CoordinatorFactory(areas=[thames_valley], user__first_name="Asha", user__last_name="Khan",
                                     user__email="asha@example.org")
    return planned_visit(thames_valley, volunteers=2, coordinator=coordinator.user, requester_name="Jo Bloggs",
                         requester_email=JO, safeguarding_lead_name="Helen Ward", safeguarding_lead_email=HELEN,
                         starts_at=time(9, 0), ends_at=time(10, 30))


def to_school(sent) -> list:
    return [m for m in sent if set(m.to) & {JO, HELEN, JO.upper()}]


def page_link(visit) -> str:
    visit.refresh_from_db()
    return f"/school-visit/{visit.school_token}/"


def test_the_request_received_email_restates_what_was_asked(thames_valley, emails):
    school = SchoolFactory(in_area=thames_valley, name="Riverside Primary")

    with emails as sent:
        visit = services.request_visit(asked=services.VisitRequest(
            school=school, first_date=date(2027, 3, 2), preferred_dates="Any Tuesday in March",
            requester_name="Jo Bloggs", requester_role="teacher", requester_email=JO,
            requester_phone="01632 960 111", pupils_by_year={"5": 30, "6": 28, "1": 0}, needs_send=True,
        )).visit

    [message] = to_school(sent)
    assert message.to == [JO]
    assert message.subject == "We have your request for a visit to Riverside Primary"
    for said in ("Dear Jo Bloggs,", "First choice of date: Tuesday 2 March 2027", "Any Tuesday in March",
                 "Year 5: 30; Year 6: 28", "Some pupils need SEND adaptations.", page_link(visit)):
        assert said in message.body
        assert said.replace("Dear Jo Bloggs,", "Dear Jo Bloggs") in html_of(message)
    assert "Year 1" not in message.body


def test_a_proposed_date_is_emailed_with_the_accept_link_to_both_addresses(visit, emails):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.REQUESTED)
    visit.refresh_from_db()

    with emails as sent:
        visit.change_status(Visit.Status.PROPOSED, by=None)

    messages = to_school(sent)
    assert sorted(m.to[0] for m in messages) == [HELEN, JO]
    for message in messages:
        assert message.subject == f"Does Tuesday 2 March suit you? A Speak Out. Stay Safe. visit to {visit.school.name}"
        assert page_link(visit) in message.body and page_link(visit) in html_of(message)
        assert "Accept the date" in html_of(message)
        assert "Volunteers: Priya, Tom" in message.body and "Patel" not in message.body


def test_the_same_address_for_requester_and_lead_gets_one_email(visit, emails):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.REQUESTED, safeguarding_lead_email=JO.upper())
    visit.refresh_from_db()

    with emails as sent:
        visit.change_status(Visit.Status.PROPOSED, by=None)

    assert [m.to for m in to_school(sent)] == [[JO]]


def test_confirming_tells_the_school_and_asks_for_what_is_missing(visit, emails):
    Assignment.objects.filter(visit=visit).update(status=Assignment.Status.ACCEPTED)
    Visit.objects.filter(pk=visit.pk).update(safeguarding_lead_name="")
    visit.refresh_from_db()

    with emails as sent:
        visit.change_status(Visit.Status.CONFIRMED, by=None)

    [message, _] = sorted(to_school(sent), key=lambda m: m.to[0] != JO)
    assert message.subject == "Confirmed: Speak Out. Stay Safe. visit on Tuesday 2 March 2027"
    assert "You have not yet agreed to this date and time" in message.body
    assert "Please tell us your designated safeguarding lead" in message.body
    volunteers = [m for m in sent if m.subject.startswith("Confirmed: ") and m not in to_school(sent)]
    assert volunteers and all("The school has not yet agreed to this date and time" in m.body for m in volunteers)


def test_the_volunteers_are_told_when_the_school_has_agreed(visit, emails):
    services.school_agree(visit=visit, name="Jo", seen=services.when_key(visit))
    volunteer = VolunteerFactory(areas=[visit.school.police_force], user__email="sam@example.org")

    with emails as sent:
        AssignmentFactory(visit=visit, volunteer=volunteer)

    [invitation] = [m for m in sent if m.to == ["sam@example.org"]]
    assert "The school has agreed to this date and time." in invitation.body
    assert "has agreed to this date and time" in html_of(invitation)


def test_the_reminder_goes_three_days_before_with_the_real_times_and_only_once(visit, emails):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CONFIRMED)
    line = visit.sessions.get()
    line.starts_at = time(9, 15)
    line.save()
    today = visit.date - timedelta(days=3)

    with emails as sent:
        first = send_scheduled(today=today)
        again = send_scheduled(today=today)
        later = send_scheduled(today=today + timedelta(days=1))

    assert (first["school_reminders"], again["school_reminders"], later["school_reminders"]) == (1, 0, 0)
    messages = [m for m in to_school(sent) if m.subject.startswith("Reminder")]
    assert sorted(m.to[0] for m in messages) == [HELEN, JO]
    body = messages[0].body
    assert "Our volunteers arrive at 9:00" in body
    assert "Please have the hall ready at 9:15" in body
    assert "A teacher stays in the room throughout every session." in body
    assert "Your safeguarding lead, Helen Ward" in body
    assert SentNotification.objects.filter(kind="school_reminder").count() == 1


def test_no_reminder_to_the_school_four_days_before_or_for_a_proposed_visit(visit, emails):
    with emails as sent:
        send_scheduled(today=visit.date - timedelta(days=3))
        Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CONFIRMED)
        send_scheduled(today=visit.date - timedelta(days=4))

    assert not [m for m in to_school(sent) if m.subject.startswith("Reminder")]


def test_a_visit_without_school_addresses_emails_no_school(visit, emails):
    Visit.objects.filter(pk=visit.pk).update(requester_email="", safeguarding_lead_email="",
                                             status=Visit.Status.REQUESTED)
    visit.refresh_from_db()

    with emails as sent:
        visit.change_status(Visit.Status.PROPOSED, by=None)

    assert not [m for m in sent if "Does Tuesday" in m.subject]


def test_every_school_email_links_the_page_and_has_both_parts(visit, emails):
    with emails as sent:
        services.school_confirm_details(visit=visit, details={
            "safeguarding_lead_name": "Helen Ward", "safeguarding_lead_role": "DSL",
            "safeguarding_lead_phone": "01632 960 222", "safeguarding_lead_email": HELEN,
            "hall_and_equipment": "", "arrival_instructions": ""})
        services.cancel_visit(visit=visit, category="weather", by=None)

    [jo, helen] = sorted(to_school(sent), key=lambda m: m.to[0] != JO)
    for message in (jo, helen):
        assert page_link(visit) in message.body and page_link(visit) in html_of(message)
        assert "Reason: Weather" in message.body
