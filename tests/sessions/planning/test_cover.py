"""Cover when someone drops out: a drop-out close to the visit marks it as needing cover; Find cover asks
cleared, free volunteers by one-time links; the first to answer is booked and the other links close."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.dates import working_days_after
from sessions import services
from sessions.factories import A_SCHOOL_DAY, UnavailabilityFactory, VolunteerFactory
from sessions.models import Assignment, CoverRequest, Visit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
FIVE_DAYS_BEFORE = A_SCHOOL_DAY - timedelta(days=5)


@pytest.fixture
def dropped(thames_valley, planned_visit, coordinator):
    """A confirmed visit on 2 March 2027 whose lead declined five days before."""
    visit = planned_visit(thames_valley, volunteers=2, coordinator=coordinator.user)
    visit.change_status(Visit.Status.CONFIRMED, by=coordinator.user)
    lead = visit.assignments.get(role=Assignment.Role.LEAD)
    services.answer_invitation(assignment=lead, accept=False, reason="ill", today=FIVE_DAYS_BEFORE)
    visit.refresh_from_db()
    return visit


def test_a_drop_out_within_the_cover_window_marks_the_visit_as_needing_cover(dropped):
    assert dropped.cover_needed_since is not None
    assert dropped.status == Visit.Status.PROPOSED


def test_the_cover_window_is_a_setting(settings, thames_valley, planned_visit):
    settings.COVER_WINDOW_DAYS = 3
    visit = planned_visit(thames_valley, volunteers=2)
    support = visit.assignments.get(role=Assignment.Role.SUPPORT)

    services.answer_invitation(assignment=support, accept=False, reason="work", today=FIVE_DAYS_BEFORE)

    visit.refresh_from_db()
    assert visit.cover_needed_since is None


def test_find_cover_lists_only_cleared_free_volunteers_of_the_area_best_placed_first(
    coordinator_client, dropped, thames_valley, kent
):
    free = VolunteerFactory(user__first_name="Ffion", user__last_name="Free", areas=[thames_valley])
    lapsed = VolunteerFactory(user__first_name="Larry", user__last_name="Lapsed", areas=[thames_valley],
                              dbs_checked_on=date(2023, 1, 1), training_on=date(2026, 1, 1))
    away = VolunteerFactory(user__first_name="Ada", user__last_name="Away", areas=[thames_valley])
    UnavailabilityFactory(volunteer=away, starts_on=A_SCHOOL_DAY, ends_on=A_SCHOOL_DAY)
    elsewhere = VolunteerFactory(user__first_name="Kim", user__last_name="Kent", areas=[kent])

    html = coordinator_client.get(f"/visits/{dropped.pk}/cover/").content.decode()

    assert "Ffion Free" in html
    for name in ("Larry Lapsed", "Ada Away", "Kim Kent"):
        assert name not in html
    assert "Missing: no lead; 1 of 2 volunteers accepted." in html
    assert free and lapsed and elsewhere


def test_asking_volunteers_emails_each_a_one_time_link(coordinator_client, dropped, thames_valley, emails):
    asked = [VolunteerFactory(areas=[thames_valley]) for _ in range(3)]

    with emails as sent:
        response = coordinator_client.post(f"/visits/{dropped.pk}/cover/", {"volunteers": [v.pk for v in asked]})

    assert response.status_code == 302
    links = {}
    for message in sent:
        [volunteer] = [v for v in asked if message.to == [v.user.email]]
        assert message.subject == f"Can you cover {dropped.school.name} on Tuesday 09:00?"
        links[volunteer.pk] = next(line for line in message.body.splitlines() if "/cover/" in line)
    assert len(links) == 3 and len(set(links.values())) == 3
    for volunteer in asked:
        request = CoverRequest.objects.get(visit=dropped, volunteer=volunteer)
        assert links[volunteer.pk].endswith(f"/cover/{request.token}/")


def test_more_than_ten_at_once_is_refused_and_nothing_is_sent(coordinator_client, dropped, thames_valley, emails):
    asked = [VolunteerFactory(areas=[thames_valley]) for _ in range(11)]

    with emails as sent:
        response = coordinator_client.post(f"/visits/{dropped.pk}/cover/", {"volunteers": [v.pk for v in asked]})

    assert "Ask at most 10 volunteers at a time." in response.content.decode()
    assert sent == [] and not CoverRequest.objects.exists()


def test_asking_an_uncleared_volunteer_by_a_forged_post_is_refused_with_the_reason(coordinator_client, dropped,
                                                                                    thames_valley):
    lapsed = VolunteerFactory(user__first_name="Larry", user__last_name="Lapsed", areas=[thames_valley],
                              dbs_checked_on=date(2023, 1, 1), training_on=date(2026, 1, 1))

    response = coordinator_client.post(f"/visits/{dropped.pk}/cover/", {"volunteers": [lapsed.pk]})

    assert "Larry Lapsed cannot be booked: has a DBS check that expired on 1 January 2026." in response.content.decode()
    assert not CoverRequest.objects.exists()


def test_the_first_to_answer_is_booked_as_lead_and_the_others_see_already_covered(client, dropped, thames_valley, emails):
    first, second = (VolunteerFactory(areas=[thames_valley]) for _ in range(2))
    services.send_cover_requests(visit=dropped, volunteers=[first, second], by=None)
    mine, theirs = (CoverRequest.objects.get(volunteer=v) for v in (first, second))

    page = client.get(f"/cover/{mine.token}/").content.decode()
    assert "I can cover this visit" in page
    with emails as sent:
        answer = client.post(f"/cover/{mine.token}/").content.decode()

    assert "You are booked as the lead for" in answer
    booking = dropped.assignments.get(volunteer=first)
    assert (booking.role, booking.status) == (Assignment.Role.LEAD, Assignment.Status.ACCEPTED)
    assert any(m.subject.startswith("Covered:") for m in sent)
    theirs.refresh_from_db()
    assert theirs.outcome == CoverRequest.Outcome.COVERED
    assert "Already covered — thank you." in client.get(f"/cover/{theirs.token}/").content.decode()
    assert "Already covered — thank you." in client.post(f"/cover/{theirs.token}/").content.decode()
    assert not dropped.assignments.filter(volunteer=second).exists()
    dropped.refresh_from_db()
    assert dropped.cover_needed_since is None


def test_after_cover_the_visit_can_be_confirmed_again(dropped, thames_valley, coordinator):
    cover = VolunteerFactory(areas=[thames_valley])
    [request] = services.send_cover_requests(visit=dropped, volunteers=[cover], by=None)

    services.claim_cover(token=request.token)
    dropped.refresh_from_db()
    dropped.change_status(Visit.Status.CONFIRMED, by=coordinator.user)

    dropped.refresh_from_db()
    assert dropped.status == Visit.Status.CONFIRMED and dropped.unconfirmed_at is None


def test_a_second_click_is_answered_the_same_and_books_nothing_more(dropped, thames_valley):
    cover = VolunteerFactory(areas=[thames_valley])
    [request] = services.send_cover_requests(visit=dropped, volunteers=[cover], by=None)

    first = services.claim_cover(token=request.token)
    again = services.claim_cover(token=request.token)

    assert first.booked and again.booked
    assert again.message == f"You are booked for {dropped.school.name}. Thank you."
    assert dropped.assignments.filter(volunteer=cover).count() == 1


def test_a_volunteer_no_longer_eligible_when_they_click_is_refused_with_the_reason(dropped, thames_valley):
    cover = VolunteerFactory(areas=[thames_valley])
    [request] = services.send_cover_requests(visit=dropped, volunteers=[cover], by=None)
    cover.active = False
    cover.save()

    answer = services.claim_cover(token=request.token)

    assert not answer.booked
    assert answer.message == "You cannot be booked for this visit: you are not an active volunteer."
    assert not dropped.assignments.filter(volunteer=cover).exists()


def test_a_volunteer_who_has_since_said_they_are_away_is_refused_with_the_dates(dropped, thames_valley):
    cover = VolunteerFactory(areas=[thames_valley])
    [request] = services.send_cover_requests(visit=dropped, volunteers=[cover], by=None)
    UnavailabilityFactory(volunteer=cover, starts_on=A_SCHOOL_DAY, ends_on=A_SCHOOL_DAY + timedelta(days=2))

    answer = services.claim_cover(token=request.token)

    assert answer.message == "You cannot be booked for this visit: you are away from 2 March to 4 March 2027."
    request.refresh_from_db()
    assert request.outcome == CoverRequest.Outcome.REFUSED


def test_a_link_stops_working_when_the_visit_starts(dropped, thames_valley):
    cover = VolunteerFactory(areas=[thames_valley])
    [request] = services.send_cover_requests(visit=dropped, volunteers=[cover], by=None)

    answer = services.claim_cover(token=request.token, now=datetime.combine(A_SCHOOL_DAY, time(9, 0), tzinfo=LONDON))

    assert not answer.booked and "already started" in answer.message
    assert not dropped.assignments.filter(volunteer=cover).exists()


def test_the_dashboard_puts_a_visit_needing_cover_at_the_top_and_red_within_two_working_days(
    coordinator_client, thames_valley, planned_visit, coordinator
):
    soon = working_days_after(date.today(), 2)  # on a Friday, the Tuesday: the coordinator has Friday and Monday
    visit = planned_visit(thames_valley, volunteers=2, date=soon, coordinator=coordinator.user)
    Visit.objects.filter(pk=visit.pk).update(cover_needed_since=datetime.now(LONDON))
    visit.assignments.filter(role=Assignment.Role.LEAD).delete()

    html = coordinator_client.get("/plan/").content.decode()

    section = html[html.index('id="needs-cover"'):].split("</section>")[0]
    assert visit.school.name in section and "cover-urgent" in section
    assert html.index('id="needs-cover"') < html.index('id="this-week"')
