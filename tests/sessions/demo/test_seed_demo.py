import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.utils import timezone

from schools.factories import SchoolFactory
from schools.geography import distance_km, district_point
from schools.models import School, SchoolContact
from sessions import access
from sessions.demo import DEMO_LOGINS, DEMO_PASSWORD
from sessions.models import Assignment, Coordinator, Unavailability, Visit, VisitReport, VisitSession, Volunteer

pytestmark = pytest.mark.django_db

SMALL = ["--schools", "40", "--volunteers", "20", "--visits", "40"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def digest() -> str:
    """A fingerprint of the demo data by natural keys (not primary keys, tokens or timestamps)."""
    rows = [
        *School.objects.values_list("urn", "name", "town", "postcode", "status", "low_age", "high_age",
                                    "nation", "welsh_medium", "pupils", "local_authority__code"),
        *SchoolContact.objects.values_list("school__urn", "role", "name", "email"),
        *Volunteer.objects.values_list("user__username", "user__first_name", "dbs_checked_on", "training_on",
                                       "dbs_update_service", "active", "postcode"),
        *Unavailability.objects.values_list("volunteer__user__username", "starts_on", "ends_on"),
        *Coordinator.objects.values_list("user__username", "areas__code"),
        *Visit.objects.values_list("school__urn", "date", "starts_at", "ends_at", "status", "requester_name"),
        *VisitSession.objects.values_list("visit__school__urn", "visit__date", "session_type__slug", "pupils"),
        *Assignment.objects.values_list("visit__school__urn", "visit__date", "volunteer__user__username",
                                        "role", "status"),
        *VisitReport.objects.values_list("visit__school__urn", "visit__date", "children_reached", "follow_up"),
    ]
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def remove_demo_data() -> None:
    Visit.objects.all().delete()
    School.objects.all().delete()
    Unavailability.objects.all().delete()
    Volunteer.objects.all().delete()
    Coordinator.objects.all().delete()
    get_user_model().objects.all().delete()


def test_the_demo_has_visits_in_every_status_in_the_past_and_the_coming_months():
    seed(*SMALL)

    today = timezone.localdate()
    statuses = Counter(Visit.objects.values_list("status", flat=True))
    assert set(statuses) == set(Visit.Status.values)
    assert Visit.objects.filter(date__lt=today, status=Visit.Status.DELIVERED).exists()
    assert Visit.objects.filter(date__gt=today, status=Visit.Status.CONFIRMED).exists()
    assert not Visit.objects.filter(date__lt=timezone.localdate() - timezone.timedelta(days=3 * 365)).exists()
    # Every delivered visit has its report, and only delivered visits have one.
    assert VisitReport.objects.count() == statuses[Visit.Status.DELIVERED]
    assert not VisitReport.objects.exclude(visit__status=Visit.Status.DELIVERED).exists()


def test_every_demo_school_has_a_designated_safeguarding_lead_and_some_a_deputy():
    seed(*SMALL)

    assert School.objects.count() == 40
    assert not School.objects.exclude(contacts__role=SchoolContact.Role.DSL).exists()
    assert SchoolContact.objects.filter(role=SchoolContact.Role.DEPUTY_DSL).exists()
    forces = set(School.objects.values_list("local_authority__police_force__code", flat=True))
    assert {"E23000029", "W15000003"} <= forces
    assert School.objects.filter(nation=School.Nation.WALES, local_authority__code__startswith="W").exists()
    assert not School.objects.filter(nation=School.Nation.WALES, local_authority__code__startswith="E").exists()


def test_demo_volunteers_are_a_mix_of_cleared_expiring_and_not_cleared():
    seed(*SMALL)

    today = timezone.localdate()
    volunteers = list(Volunteer.objects.select_related("user"))
    cleared = [v for v in volunteers if v.is_cleared_on(today)]
    expiring = [v for v in cleared if v.clearance_expires_within(60, today)]
    assert len(volunteers) == 20
    assert len(cleared) > len(volunteers) // 2
    assert expiring
    assert len(cleared) < len(volunteers)
    assert any(v.dbs_update_service for v in volunteers)
    assert Unavailability.objects.exists()


def test_some_demo_visits_have_the_problems_a_coordinator_should_see():
    output = seed(*SMALL)

    upcoming = Visit.objects.filter(date__gte=timezone.localdate()).select_related("school")
    codes = Counter(problem.code for visit in upcoming for problem in visit.problems())
    for code in ("double_booked", "not_cleared", "bank_holiday", "understaffed", "age_unsuitable", "unavailable",
                 "no_lead", "not_accepted", "year_groups_outside_ages", "session_outside_visit"):
        assert codes[code] >= 1, code
    # Each rule about sessions and times shows on the visit built to show it, not everywhere by accident.
    assert codes["year_groups_outside_ages"] == codes["session_outside_visit"] == 1
    past = Visit.objects.filter(date__lt=timezone.localdate()).select_related("school")
    assert any(line.startswith("a past visit still proposed (") and "date_past" in line
               for line in output.split(": "))
    assert sum(p.code == "date_past" for visit in past for p in visit.problems()) <= 5
    assert "double booking (double_booked)" in output
    # The visits with problems are in the demo coordinator's area, where they will be seen.
    coordinator = Coordinator.objects.get(user__username="coordinator")
    assert set(coordinator.areas.values_list("code", flat=True)) == {"E23000029", "E23000032"}
    troubled = [v for v in upcoming if any(p.code == "double_booked" for p in v.problems())]
    assert all(v in access.visible_visits(coordinator.user) for v in troubled)
    # The demo writes in bulk, then works out every visit's stored errors once: they are the rules' answer.
    for visit in Visit.objects.with_signals():
        assert visit.stored_error_codes == visit.signal_codes, visit
    # and every school's last visit
    latest = dict(Visit.objects.filter(status=Visit.Status.DELIVERED).values("school").annotate(last=Max("date"))
                  .values_list("school", "last"))
    assert latest and dict(School.objects.values_list("pk", "last_visit_on")) == {
        pk: latest.get(pk) for pk in School.objects.values_list("pk", flat=True)}


def test_the_demo_shows_a_visit_needing_cover_and_an_update_service_status_check_due():
    seed(*SMALL)
    today = timezone.localdate()

    [dropped] = Visit.objects.filter(cover_needed_since__isnull=False)
    assert dropped.status == Visit.Status.PROPOSED and dropped.unconfirmed_reason.startswith("automatic: ")
    assert 0 <= (dropped.date - today).days <= 7
    assert dropped.assignments.filter(status="declined", decline_reason="ill").exists()
    assert dropped.cover_requests.filter(outcome="").exists()
    assert dropped.staffing().needs_cover
    due = [v for v in Volunteer.objects.filter(areas__code="E23000029") if v.kept_by_status_check
           and v.clearance_expires_within(60, today) and v.is_cleared_on(today)]
    assert due and "Update Service status check due" in due[0].dbs_summary


def test_the_demo_volunteer_has_invitations_and_accepted_visits_ahead():
    seed(*SMALL)

    volunteer = Volunteer.objects.get(user__username="volunteer")
    ahead = Assignment.objects.filter(volunteer=volunteer, visit__date__gte=timezone.localdate())
    assert volunteer.is_cleared_on(timezone.localdate())
    assert ahead.filter(status=Assignment.Status.INVITED).exists()
    assert ahead.filter(status=Assignment.Status.ACCEPTED, visit__status=Visit.Status.CONFIRMED).exists()
    assert list(volunteer.areas.values_list("code", flat=True)) == ["E23000029"]


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.username)
def test_each_demo_user_can_log_in_with_the_printed_password(client, login):
    seed(*SMALL)
    printed = StringIO()
    call_command("demo_logins", stdout=printed)

    assert DEMO_PASSWORD in printed.getvalue()
    assert "http://127.0.0.1:8000/" in printed.getvalue()
    response = client.post("/accounts/login/", {"username": login.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_the_demo_staff_users_have_their_roles():
    seed(*SMALL)
    User = get_user_model()

    assert User.objects.get(username="admin").is_superuser
    data_entry = User.objects.get(username="dataentry")
    assert data_entry.is_staff and not data_entry.is_superuser
    assert list(data_entry.groups.values_list("name", flat=True)) == ["Data entry"]
    # Everyone else gets an unusable password: only the demo logins can log in.
    others = User.objects.exclude(username__in=[login.username for login in DEMO_LOGINS])
    assert others.exists() and not any(user.has_usable_password() for user in others)


def test_the_same_seed_gives_the_same_data_and_another_seed_different_data():
    seed(*SMALL, "--seed", "7")
    first = digest()
    remove_demo_data()
    seed(*SMALL, "--seed", "7")
    again = digest()
    remove_demo_data()
    seed(*SMALL, "--seed", "8")

    assert again == first
    assert digest() != first


def test_if_empty_leaves_a_database_with_schools_alone():
    SchoolFactory(name="Our Own Primary School")

    output = seed(*SMALL, "--if-empty")

    assert School.objects.get().name == "Our Own Primary School"
    assert not Visit.objects.exists()
    assert "already has 1 school" in output


def test_too_small_a_demo_is_refused_with_the_reason():
    with pytest.raises(CommandError, match="at least 20 schools"):
        seed("--schools", "5")


def test_the_demo_places_schools_near_their_postcode_district_and_gives_volunteers_skills():
    seed(*SMALL)

    placed = School.objects.exclude(easting=None)
    assert placed.count() >= School.objects.filter(local_authority__police_force__code="E23000029").count() > 0
    for school in placed:
        assert distance_km(school.location, district_point(school.postcode)) < 4  # within the district
    volunteers = Volunteer.objects.all()
    assert volunteers.filter(may_lead=True).exists() and volunteers.filter(may_lead=False).exists()
    # Whoever leads a demo visit may lead: the demo is what the booking gate would allow.
    assert not Assignment.objects.filter(role="lead", volunteer__may_lead=False).exists()


def test_no_demo_report_counts_more_children_than_the_school_has_and_most_schools_gave_feedback():
    from sessions.models import TeacherFeedback  # noqa: PLC0415
    from sessions.models.attendance import children_reached  # noqa: PLC0415

    seed("--schools", "60", "--volunteers", "30", "--visits", "120")

    reports = list(VisitReport.objects.select_related("visit__school"))
    assert reports
    lines: dict[int, list] = {}
    for visit_id, attendance in VisitSession.objects.filter(visit__report__isnull=False).values_list(
        "visit_id", "attendance"
    ):
        lines.setdefault(visit_id, []).append(attendance)
    for report in reports:
        school = report.visit.school
        assert report.children_reached == children_reached(lines[report.visit_id]), report.visit
        if school.pupils:
            assert report.children_reached <= school.pupils, report.visit
        assert report.visit.check_figures(
            {line.pk: line.attendance for line in report.visit.sessions.all()}
        ).unusual == [], report.visit
    delivered = Visit.objects.filter(status=Visit.Status.DELIVERED).count()
    answered = TeacherFeedback.objects.filter(responded_at__isnull=False)
    assert answered.count() > delivered // 2
    assert set(answered.values_list("rating", flat=True)) >= {2, 3, 4}
    assert answered.exclude(comment="").exists()
    assert TeacherFeedback.objects.filter(responded_at__isnull=True).exists()


def test_the_demo_has_schools_that_agreed_one_that_offered_dates_and_a_cancel_and_rebook():
    seed(*SMALL)
    today = timezone.localdate()

    upcoming = Visit.objects.filter(date__gt=today, status__in=["proposed", "confirmed"])
    agreed = [v for v in upcoming if v.school_has_agreed]
    waiting = [v for v in upcoming if not v.school_has_agreed]
    assert agreed and waiting
    assert all("school_not_confirmed" not in {p.code for p in v.problems()} for v in agreed[:3])
    assert all("school_not_confirmed" in {p.code for p in v.problems()} for v in waiting[:3])
    assert any(v.safeguarding_lead_name for v in agreed)
    assert Visit.objects.exclude(school_other_dates=[]).filter(school_other_dates_at__isnull=False).exists()
    rebooked = Visit.objects.get(rebooked_from__isnull=False)
    assert rebooked.status == "requested" and rebooked.sessions.exists()
    assert (rebooked.rebooked_from.status, rebooked.rebooked_from.cancel_category) == ("cancelled", "school_closure")
    assert rebooked.rebooked_from.retired_school_token
