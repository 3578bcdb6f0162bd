"""The school's own page for its visit: what it shows, the four answers, the token as the only key."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions import services
from sessions.factories import CoordinatorFactory
from sessions.models import CancelReason, SchoolPageAccess, StatusChange, Visit

pytestmark = pytest.mark.django_db

LEAD = {
    "safeguarding_lead_name": "Helen Ward",
    "safeguarding_lead_role": "Designated safeguarding lead",
    "safeguarding_lead_phone": "01235 111222",
    "safeguarding_lead_email": "h.ward@riverside.sch.uk",
    "hall_and_equipment": "Main hall; a projector and screen.",
    "arrival_instructions": "Park in the staff car park; main entrance.",
}


@pytest.fixture
def visit(thames_valley, planned_visit):
    coordinator = CoordinatorFactory(areas=[thames_valley], user__first_name="Asha", user__last_name="Khan",
                                     user__email="asha@example.org", phone="01632 960 000")
    visit = planned_visit(thames_valley, volunteers=2, coordinator=coordinator.user,
                          requester_name="Jo Bloggs", requester_email="jo@riverside.sch.uk")
    return visit


def url(visit, name="page"):
    return reverse(f"schools_side:{name}", args=[visit.school_token])


def test_the_page_shows_the_visit_with_volunteers_by_first_name_only(client, visit):
    html = client.get(url(visit)).content.decode()

    assert visit.school.name in html
    assert "Tuesday 2 March 2027" in html and "09:00–10:30" in html
    assert "Assembly" in html
    assert "Priya, Tom" in html
    assert "Patel" not in html and "Jones" not in html
    assert "Asha Khan" in html and "asha@example.org" in html
    assert "A teacher stays in the room throughout every session." in html
    assert "We propose this date and time. Does it suit you?" in html


def test_opening_the_page_is_recorded_without_the_token(client, visit):
    client.get(url(visit))

    [access] = SchoolPageAccess.objects.all()
    assert (access.visit, access.action) == (visit, SchoolPageAccess.Action.VIEWED)
    assert visit.school_token not in str(access) and visit.school_token not in repr(vars(access))


def test_the_page_is_never_cached_and_sends_no_referrer(client, visit):
    response = client.get(url(visit))

    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_wrong_token_is_a_404_page_that_names_no_visit(client, visit):
    response = client.get(reverse("schools_side:page", args=["x" * 43]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "We cannot find a visit at this address" in html
    assert visit.school.name not in html and "Asha" not in html


def test_the_school_agrees_to_the_date_and_it_is_recorded_on_the_visit(client, visit, emails):
    with emails as sent:
        response = client.post(url(visit, "agree"), {"name": "Jo Bloggs", "seen": "2027-03-02T09:00-10:30"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.school_has_agreed
    assert visit.school_agreed_by == "Jo Bloggs"
    assert (visit.school_agreed_date, visit.school_agreed_starts_at) == (date(2027, 3, 2), time(9, 0))
    assert "school_not_confirmed" not in {p.code for p in visit.problems()}
    [told] = sent
    assert told.to == ["asha@example.org"] and "agreed" in told.subject
    assert "Jo Bloggs agreed to this date and time" in client.get(url(visit)).content.decode()


def test_until_the_school_agrees_the_visit_carries_a_warning_not_an_error(visit):
    [problem] = [p for p in visit.problems() if p.code == "school_not_confirmed"]

    assert not problem.is_error
    assert "has not yet agreed" in problem.message


def test_agreeing_to_a_date_that_changed_while_reading_is_refused(client, visit):
    response = client.post(url(visit, "agree"), {"name": "Jo", "seen": "2027-03-01T09:00-10:30"})

    assert response.status_code == 200
    assert "changed while you were reading" in response.content.decode()
    visit.refresh_from_db()
    assert visit.school_agreed_at is None


def test_a_request_cannot_be_agreed_before_a_date_is_proposed(client, visit):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.REQUESTED)

    response = client.post(url(visit, "agree"), {"name": "Jo", "seen": "2027-03-02T09:00-10:30"})

    assert "has not proposed a date yet" in response.content.decode()
    visit.refresh_from_db()
    assert visit.school_agreed_at is None


def test_the_coordinator_moving_the_date_clears_the_agreement_and_tells_the_school(coordinator_client, visit, emails,
                                                                                    visit_data):
    visit.school_agreed_by, visit.school_agreed_at = "Jo", timezone.now()
    visit.school_agreed_date, visit.school_agreed_starts_at, visit.school_agreed_ends_at = visit.date, time(9), time(10, 30)
    visit.save()
    data = visit_data(visit.school, date="2027-03-03")
    data["version"] = visit.version
    line = visit.sessions.get()
    data |= {"sessions-INITIAL_FORMS": "1", "sessions-0-id": str(line.pk)}

    with emails as sent:
        coordinator_client.post(reverse("planning:visit_edit", args=[visit.pk]), data)

    visit.refresh_from_db()
    assert visit.date == date(2027, 3, 3)
    assert not visit.school_has_agreed and visit.school_agreed_at is None
    to_school = [m for m in sent if m.to == ["jo@riverside.sch.uk"]]
    assert [m.subject for m in to_school] == ["Changed: your visit is now on Wednesday 3 March at 09:00"]
    assert url(visit) in to_school[0].body


def test_the_school_offers_other_dates_the_coordinator_sees(client, visit):
    response = client.post(url(visit, "other_dates"),
                           {"date_1": "2027-03-09", "date_2": "2027-03-10", "note": "Any morning"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.school_offered_dates == [date(2027, 3, 9), date(2027, 3, 10)]
    [problem] = [p for p in visit.problems() if p.code == "school_not_confirmed"]
    assert "Tuesday 9 March 2027, Wednesday 10 March 2027" in problem.message
    assert "Any morning" in problem.message


@pytest.mark.parametrize(("day", "message"), [
    ("2027-03-06", "Choose a weekday: 6 March 2027 is a weekend."),
    ("2020-03-02", "Choose a date after today."),
    ("2030-03-04", "Choose a date within the next 15 months."),
    ("31 Febtember", "Give the date as day, month and year."),
    ("", "Give at least one date that would work."),
])
def test_other_dates_must_be_future_weekdays(client, visit, day, message):
    response = client.post(url(visit, "other_dates"), {"date_1": day})

    assert response.status_code == 200
    assert message in response.content.decode()
    visit.refresh_from_db()
    assert visit.school_other_dates == []


def test_the_school_confirms_its_safeguarding_lead_and_arrival(client, visit):
    response = client.post(url(visit, "details"), LEAD)

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.safeguarding_lead_name == "Helen Ward"
    assert visit.safeguarding_lead_email == "h.ward@riverside.sch.uk"
    assert visit.arrival_instructions.startswith("Park in the staff car park")
    assert visit.school_details_at is not None
    assert "we have your safeguarding lead" in client.get(url(visit)).content.decode()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("safeguarding_lead_name", "", "Give the safeguarding lead&#x27;s name."),
    ("safeguarding_lead_phone", "call me", "Give the phone number with its area code"),
    ("safeguarding_lead_email", "not an email", "Give the safeguarding lead&#x27;s email address, like"),
    ("hall_and_equipment", "x" * 1001, "Keep this to 1000 characters."),
])
def test_bad_details_are_refused_naming_the_field(client, visit, field, value, message):
    response = client.post(url(visit, "details"), LEAD | {field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    visit.refresh_from_db()
    assert visit.safeguarding_lead_name == ""


def test_an_htmx_answer_returns_only_its_part_of_the_page(client, visit, HTMX):
    response = client.post(url(visit, "details"), LEAD, headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="details"')
    assert "Thank you: we have your safeguarding lead" in html


def test_the_school_cancels_and_the_old_link_stops_working(client, visit, emails):
    old = visit.school_token

    with emails as sent:
        response = client.post(url(visit, "cancel"), {"reason": "school_closure", "text": "Flooding", "name": "Jo"})

    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    assert visit.cancel_category == CancelReason.SCHOOL_CLOSURE
    assert visit.school_token != old
    assert response.url == url(visit)
    change = StatusChange.objects.get(visit=visit, to_status="cancelled")
    assert change.by is None and change.by_label == "the school, on its visit page"
    gone = client.get(reverse("schools_side:page", args=[old]))
    assert gone.status_code == 404
    assert "Please contact the NSPCC schools coordinator for Thames Valley: Asha Khan." in gone.content.decode()
    assert "This visit is cancelled." in client.get(url(visit)).content.decode()
    subjects = {(tuple(m.to), m.subject) for m in sent}
    assert (("jo@riverside.sch.uk",), "Cancelled: Speak Out. Stay Safe. visit on Tuesday 2 March 2027") in subjects
    assert (("asha@example.org",), f"{visit.school.name} cancelled") in subjects
    assert all(old not in m.body for m in sent)


def test_cancelling_for_another_reason_needs_words(client, visit):
    response = client.post(url(visit, "cancel"), {"reason": "other", "text": "", "name": "Jo"})

    assert "Say in a few words why you are cancelling." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_a_school_cannot_say_no_volunteers_could_go(client, visit):
    response = client.post(url(visit, "cancel"), {"reason": "no_volunteers", "name": "Jo"})

    assert "Choose why you are cancelling." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_a_past_visit_takes_no_answers(client, visit):
    Visit.objects.filter(pk=visit.pk).update(date=timezone.localdate() - timedelta(days=1))

    response = client.post(url(visit, "details"), LEAD)

    assert "This visit has already taken place." in response.content.decode()
    visit.refresh_from_db()
    assert visit.safeguarding_lead_name == ""


def test_answers_are_rate_limited_per_address_and_page(client, visit):
    for _ in range(20):
        client.post(url(visit, "other_dates"), {"date_1": "2027-03-06"})

    response = client.post(url(visit, "details"), LEAD)

    assert response.status_code == 429
    assert "Please wait an hour" in response.content.decode()
    visit.refresh_from_db()
    assert visit.safeguarding_lead_name == ""


def test_the_page_works_in_welsh(client, visit):
    client.cookies["django_language"] = "cy"

    html = client.get(url(visit)).content.decode()

    assert 'lang="cy"' in html
    assert "Eich ymweliad Speak Out. Stay Safe." in html
    assert "Rydym yn cynnig y dyddiad a'r amser hwn. A yw'n gyfleus i chi?" in html
    assert "Dydd Mawrth 2 Mawrth 2027" in html
    assert "Mae athro neu athrawes yn aros yn yr ystafell drwy gydol pob sesiwn." in html
    refused = client.post(url(visit, "other_dates"), {"date_1": "2027-03-06"}).content.decode()
    assert "Dewiswch ddiwrnod o&#x27;r wythnos: mae 6 Mawrth 2027 ar benwythnos." in refused


def test_no_login_is_used_the_page_is_the_same_signed_in(client, visit, volunteer):
    anonymous = client.get(url(visit)).content.decode()
    client.force_login(volunteer.user)

    signed_in = client.get(url(visit)).content.decode()

    assert "Priya, Tom" in anonymous and "Priya, Tom" in signed_in


def test_a_coordinators_save_never_writes_back_an_older_copy_of_the_schools_answers(visit):
    stale = Visit.objects.get(pk=visit.pk)
    services.school_confirm_details(visit=visit, details=LEAD)
    stale.notes = "Bring the large puppets."

    services.save_visit(visit=stale, sessions=[], by=None)

    visit.refresh_from_db()
    assert visit.notes == "Bring the large puppets."
    assert visit.safeguarding_lead_name == "Helen Ward" and visit.school_details_at is not None
