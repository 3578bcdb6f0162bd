"""Teacher feedback: one email after delivery, a rating from a link (a GET never records it), the short
questions, editable for 14 days, one reminder after 7 days, shown to the coordinator and in the reach report."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from schools.factories import SchoolFactory
from sessions.factories import VisitFactory, VisitReportFactory, VisitSessionFactory
from sessions.feedback.sending import ask_for_feedback, remind_about_feedback
from sessions.feedback.views import MISSES_PER_HOUR, POSTS_PER_LINK_PER_HOUR
from sessions.models import SessionType, TeacherFeedback, Visit
from sessions.notifications.scheduled import send_scheduled

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(thames_valley, coordinator):
    """Last week's visit to Oak Primary, asked for by its deputy head, report filed, ready to mark delivered."""
    school = SchoolFactory(in_area=thames_valley, name="Oak Primary", pupils=210)
    visit = VisitFactory(school=school, date=timezone.localdate() - timedelta(days=7), status=Visit.Status.CONFIRMED,
                         coordinator=coordinator.user, requester_name="Ruth Mensah",
                         requester_email="r.mensah@oak.example.org")
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"))
    VisitReportFactory(visit=visit, children_reached=110)
    return visit


@pytest.fixture
def asked(visit, coordinator, emails):
    with emails as sent:
        visit.change_status(Visit.Status.DELIVERED, by=coordinator.user)
    feedback = TeacherFeedback.objects.get(visit=visit)
    feedback.sent_emails = sent
    return feedback


def test_marking_the_visit_delivered_emails_the_requester_once_with_four_rating_links(asked):
    [message] = asked.sent_emails
    assert message.to == ["r.mensah@oak.example.org"]
    assert message.subject == "How was our visit to Oak Primary? One click to tell us"
    assert "Dear Ruth Mensah" in message.body
    for n, label in [(4, "Very good"), (3, "Good"), (2, "Fair"), (1, "Poor")]:
        assert f"{n} – {label}: {settings.SITE_URL}/feedback/{asked.token}/rate/{n}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="{settings.SITE_URL}/feedback/{asked.token}/rate/4/"' in html
    assert "Please do not name any child" in message.body


def test_asking_again_sends_nothing(asked, emails):
    with emails as sent:
        assert ask_for_feedback(asked.visit) is None
    assert sent == [] and TeacherFeedback.objects.count() == 1


def test_a_visit_booked_without_a_requester_asks_nobody(visit, coordinator, emails):
    Visit.objects.filter(pk=visit.pk).update(requester_email="")
    visit.refresh_from_db()
    with emails as sent:
        visit.change_status(Visit.Status.DELIVERED, by=coordinator.user)
    assert sent == [] and not TeacherFeedback.objects.exists()


def test_opening_a_rating_link_records_nothing_until_the_button_is_pressed(client, asked):
    html = client.get(f"/feedback/{asked.token}/rate/3/").content.decode()

    assert "You chose: <strong>Good</strong>" in html and "Send my rating: good" in html
    asked.refresh_from_db()
    assert (asked.rating, asked.responded_at) == (None, None)

    response = client.post(f"/feedback/{asked.token}/rate/3/")

    assert response.status_code == 302 and response.url == f"/feedback/{asked.token}/"
    asked.refresh_from_db()
    assert asked.rating == 3 and asked.responded_at is not None


def test_pressing_the_button_twice_records_the_rating_once(client, asked):
    client.post(f"/feedback/{asked.token}/rate/4/")
    first = TeacherFeedback.objects.get().responded_at
    client.post(f"/feedback/{asked.token}/rate/4/")

    feedback = TeacherFeedback.objects.get()
    assert (feedback.rating, feedback.responded_at) == (4, first)


def test_the_rating_form_is_protected_against_cross_site_posts(asked):
    from django.test import Client  # noqa: PLC0415

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/feedback/{asked.token}/rate/4/").status_code == 403
    page = strict.get(f"/feedback/{asked.token}/rate/4/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert strict.post(f"/feedback/{asked.token}/rate/4/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_school_answers_the_questions_and_can_change_them(client, asked):
    client.post(f"/feedback/{asked.token}/rate/4/")
    page = client.get(f"/feedback/{asked.token}/").content.decode()
    assert "The sessions were right for our pupils&#x27; ages" in page
    assert "Please do not name a child." in page

    response = client.post(f"/feedback/{asked.token}/", {
        "rating": "4", "right_for_ages": "4", "pupils_engaged": "3", "volunteers_prepared": "4",
        "come_back": "yes", "comment": "  The children talked about it all afternoon.  ",
    })

    assert response.status_code == 302
    feedback = TeacherFeedback.objects.get()
    assert (feedback.rating, feedback.right_for_ages, feedback.pupils_engaged, feedback.volunteers_prepared,
            feedback.come_back, feedback.comment) == (4, 4, 3, 4, "yes", "The children talked about it all afternoon.")

    client.post(f"/feedback/{asked.token}/", {"rating": "3", "come_back": "maybe"})
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.right_for_ages, feedback.come_back) == (3, None, "maybe")


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Overall, how was the visit: choose one of the four answers."),
    ({"rating": "5"}, "Overall, how was the visit: choose one of the four answers."),
    ({"rating": "4", "pupils_engaged": "0"}, "Pupils engaged: choose one of the four answers."),
    ({"rating": "4", "come_back": "always"}, "Would you like us back: choose yes, perhaps or no."),
    ({"rating": "4", "comment": "x" * 501}, "The comment can be at most 500 characters (it has 501)."),
])
def test_bad_answers_are_refused_with_a_message_and_nothing_is_saved(client, asked, data, message):
    html = client.post(f"/feedback/{asked.token}/", data).content.decode()

    assert message in html.replace("&#x27;", "'")
    assert TeacherFeedback.objects.get().responded_at is None


def test_answers_can_be_changed_for_14_days_then_the_link_closes(client, asked):
    client.post(f"/feedback/{asked.token}/rate/4/")
    TeacherFeedback.objects.update(responded_at=timezone.now() - timedelta(days=15))

    html = client.get(f"/feedback/{asked.token}/").content.decode()
    assert "This feedback link has closed" in html and 'name="rating"' not in html
    client.post(f"/feedback/{asked.token}/", {"rating": "1"})
    client.post(f"/feedback/{asked.token}/rate/1/")
    assert TeacherFeedback.objects.get().rating == 4


def test_one_reminder_after_seven_days_without_an_answer(asked, emails):
    now = timezone.now()
    with emails as sent:
        assert remind_about_feedback(now + timedelta(days=6)) == 0
        assert remind_about_feedback(now + timedelta(days=7, minutes=1)) == 1
        assert remind_about_feedback(now + timedelta(days=8)) == 0
    [reminder] = sent
    assert reminder.subject == "A reminder: how was our visit to Oak Primary?"
    assert f"/feedback/{asked.token}/rate/4/" in reminder.body
    assert "this is the only reminder we send" in reminder.body


def test_no_reminder_once_the_school_has_answered(client, asked, emails):
    client.post(f"/feedback/{asked.token}/rate/2/")
    with emails as sent:
        assert send_scheduled(today=timezone.localdate() + timedelta(days=9))["feedback_reminders"] == 0
    assert sent == []


def test_the_daily_run_sends_the_reminder_once(asked, emails):
    later = timezone.localdate() + timedelta(days=8)
    with emails as sent:
        assert send_scheduled(today=later)["feedback_reminders"] == 1
        assert send_scheduled(today=later)["feedback_reminders"] == 0
    assert [m.subject for m in sent] == ["A reminder: how was our visit to Oak Primary?"]


def test_an_address_that_tries_many_unknown_links_is_turned_away(client, asked):
    for n in range(MISSES_PER_HOUR):
        assert client.get(f"/feedback/{'x' * 40}{n:03d}/").status_code == 404

    assert client.get(f"/feedback/{asked.token}/").status_code == 429
    response = client.post(f"/feedback/{asked.token}/rate/1/")

    assert response.status_code == 429
    assert TeacherFeedback.objects.get().rating is None


def test_schools_sharing_one_address_are_not_held_back_by_each_others_answers(client, asked, visit):
    for _ in range(MISSES_PER_HOUR + 5):
        assert client.get(f"/feedback/{asked.token}/").status_code == 200


def test_one_link_takes_a_limited_number_of_answers_an_hour(client, asked):
    for _ in range(POSTS_PER_LINK_PER_HOUR):
        client.post(f"/feedback/{asked.token}/rate/3/")

    assert client.post(f"/feedback/{asked.token}/", {"rating": "1"}).status_code == 429
    assert TeacherFeedback.objects.get().rating == 3


def test_the_coordinator_sees_the_answers_on_the_visit_page(coordinator_client, client, asked):
    client.post(f"/feedback/{asked.token}/", {"rating": "3", "pupils_engaged": "4", "come_back": "yes",
                                             "comment": "Calm and clear."})

    html = coordinator_client.get(f"/visits/{asked.visit.pk}/").content.decode()

    assert "Teacher feedback" in html
    assert "<dt>Overall</dt><dd>Good</dd>" in html
    assert "<dt>Our pupils were engaged</dt><dd>Strongly agree</dd>" in html
    assert "<dt>Would you like us back?</dt><dd>Yes</dd>" in html
    assert "Calm and clear." in html


def test_the_token_never_appears_in_a_log_line(client, asked, caplog):
    client.get(f"/feedback/{asked.token}/rate/4/")
    client.post(f"/feedback/{asked.token}/rate/4/")

    assert caplog.records
    assert all(asked.token not in record.getMessage() for record in caplog.records)
