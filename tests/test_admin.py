"""The admin as the data entry team uses it: staff in the Data entry group, not superusers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from config.dates import years_after
from schools.factories import SchoolClosureFactory, SchoolContactFactory, SchoolFactory
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    CoordinatorFactory,
    SessionTypeFactory,
    StatusChangeFactory,
    UnavailabilityFactory,
    UserFactory,
    VisitFactory,
    VisitReportFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.groups import DATA_ENTRY_PERMISSIONS
from sessions.models import Assignment, StatusChange, TeacherFeedback, Visit, VisitNote, Volunteer
from stats.factories import FigureFactory, IndicatorFactory, LocalAuthorityFactory, SourceFactory
from stats.models import LocalAuthority

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def a_weekday(days_ahead: int) -> object:
    """A weekday at least `days_ahead` days from today (bank holidays aside: used far from them)."""
    day = today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def programme(thames_valley):
    """One of everything the data entry team types in, named so a page can be recognised."""
    school = SchoolFactory(name="Riverside Primary School", urn=123456, town="Reading", postcode="RG1 2AB",
                           in_area=thames_valley)
    contact = SchoolContactFactory(school=school, name="Jo Marsh")
    volunteer = VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[thames_valley])
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[thames_valley])
    visit = VisitFactory(school=school, coordinator=coordinator.user)
    line = VisitSessionFactory(visit=visit)
    assignment = AssignmentFactory(visit=visit, volunteer=volunteer)
    return {
        "school": school,
        "schoolcontact": contact,
        "volunteer": volunteer,
        "coordinator": coordinator,
        "unavailability": UnavailabilityFactory(volunteer=volunteer, reason="Away walking", starts_on=A_SCHOOL_DAY + timedelta(days=7),
                                                ends_on=A_SCHOOL_DAY + timedelta(days=8)),
        "visit": visit,
        "visitsession": line,
        "assignment": assignment,
        "statuschange": StatusChangeFactory(visit=visit, reason="Dates agreed by phone"),
        "visitreport": VisitReportFactory(visit=VisitFactory(school=school, date=today() - timedelta(days=40),
                                                             status=Visit.Status.CONFIRMED)),
        "teacherfeedback": TeacherFeedback.objects.create(
            visit=VisitFactory(school=school, date=today() - timedelta(days=30), status=Visit.Status.DELIVERED),
            sent_to="head@oak.example.org", rating=4,
        ),
        "sessiontype": SessionTypeFactory(),
        "area": thames_valley,
        "localauthority": LocalAuthority.objects.filter(police_force=thames_valley).first(),
        "source": SourceFactory(title="Child sexual offences in the UK, the test release"),
        "indicator": IndicatorFactory(name="Online grooming offences"),
        "figure": FigureFactory(area=thames_valley, value=4321),
        "schoolclosure": SchoolClosureFactory(school=school, reason="Polling station", starts_on=A_SCHOOL_DAY + timedelta(days=21),
                                              ends_on=A_SCHOOL_DAY + timedelta(days=21)),
        "visitnote": VisitNote.objects.create(visit=visit, author_name="Sam Reid", text="Any Tuesday suits too."),
    }


# (app label, model name, verbose name plural, what the staff may do)
MODELS = [
    (app, model, actions) for (app, model), actions in DATA_ENTRY_PERMISSIONS.items()
]


def url(app: str, model: str, page: str = "", pk: int | None = None) -> str:
    if pk is not None:
        return f"/admin/{app}/{model}/{pk}/{page}/"
    return f"/admin/{app}/{model}/{page + '/' if page else ''}"


@pytest.mark.parametrize(("app", "model", "actions"), MODELS)
def test_every_changelist_lists_its_objects_for_data_entry_staff(staff_client, programme, app, model, actions):
    obj = programme[model]
    # Narrowed to the object where the reference data fills more than a page.
    narrow = {}
    if model == "figure":
        narrow = {"indicator__id__exact": obj.indicator_id}
    elif model in ("area", "localauthority"):
        narrow = {"q": obj.code}
    html = staff_client.get(url(app, model), narrow).content.decode()
    assert str(obj._meta.verbose_name_plural).capitalize() in html
    if model == "figure":
        assert "4,321" in html or "4321" in html
    elif model in ("area", "localauthority"):
        assert obj.name in html
    else:
        assert str(obj).split(" (")[0].split(",")[0] in html.replace("&#x27;", "'")


@pytest.mark.parametrize(("app", "model", "actions"), MODELS)
def test_every_change_page_shows_the_object_editable_or_read_only_as_the_group_allows(
    staff_client, programme, app, model, actions
):
    obj = programme[model]
    html = staff_client.get(url(app, model, "change", obj.pk)).content.decode()
    verb = "Change" if "change" in actions else "View"
    assert f"{verb} {obj._meta.verbose_name}" in html
    if verb == "View":
        assert 'name="_save"' not in html


@pytest.mark.parametrize(("app", "model", "actions"), MODELS)
def test_every_add_page_opens_where_the_group_may_add_and_is_refused_where_not(
    staff_client, programme, app, model, actions
):
    response = staff_client.get(url(app, model, "add"))
    if "add" in actions:
        verbose_name = programme[model]._meta.verbose_name
        assert f"Add {verbose_name}" in response.content.decode()
        assert 'name="_save"' in response.content.decode()
    else:
        assert response.status_code == 403


def test_a_superuser_can_open_the_add_page_of_the_reference_models(admin_client):
    for app, model, title in [
        ("school_sessions", "sessiontype", "Add session type"),
        ("school_sessions", "coordinator", "Add coordinator"),
        ("stats", "area", "Add area"),
        ("stats", "localauthority", "Add local authority"),
    ]:
        assert title in admin_client.get(url(app, model, "add")).content.decode()


def test_someone_who_is_not_staff_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get("/admin/schools/school/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")


def test_staff_outside_the_data_entry_group_see_no_models(client):
    client.force_login(UserFactory(is_staff=True))
    assert "have permission to view or edit anything" in client.get("/admin/").content.decode()
    assert client.get("/admin/schools/school/").status_code == 403


# --- the groups ---------------------------------------------------------------------------------


def test_loading_reference_data_again_keeps_the_groups_and_puts_back_the_data_entry_permissions():
    group = Group.objects.get(name="Data entry")
    group.permissions.clear()
    call_command("load_reference_data", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_area", "add_school", "change_visit", "delete_schoolcontact"} <= codenames
    assert not {"change_area", "delete_school", "delete_visit", "delete_volunteer", "change_statuschange"} & codenames
    assert Group.objects.filter(name__in=["Data entry", "Coordinators", "Volunteers"]).count() == 3
    assert not Group.objects.get(name="Coordinators").permissions.exists()
    assert not Group.objects.get(name="Volunteers").permissions.exists()


# --- schools ------------------------------------------------------------------------------------


@pytest.fixture
def three_schools(thames_valley):
    return [
        SchoolFactory(name="Riverside Primary School", urn=123456, town="Reading", postcode="RG1 2AB",
                      in_area=thames_valley),
        SchoolFactory(name="Hillview Infant School", urn=654321, town="Oxford", postcode="OX4 1AA",
                      in_area=thames_valley),
        SchoolFactory(name="Meadow Junior School", urn=777001, town="Slough", postcode="SL1 9ZZ",
                      in_area=thames_valley),
    ]


@pytest.mark.parametrize(
    ("search", "found"),
    [("riverside", "Riverside"), ("654321", "Hillview"), ("SL1 9ZZ", "Meadow"), ("oxford", "Hillview"),
     ("rg1", "Riverside")],
)
def test_schools_are_found_by_name_urn_postcode_or_town(staff_client, three_schools, search, found):
    html = staff_client.get("/admin/schools/school/", {"q": search}).content.decode()
    names = {"Riverside", "Hillview", "Meadow"}
    assert found in html
    for other in names - {found}:
        assert f"{other} " not in html


def test_the_school_list_shows_the_last_delivered_visit_and_whether_the_school_is_due(staff_client, three_schools):
    riverside, hillview, _ = three_schools
    VisitFactory(school=riverside, date=today() - timedelta(days=100), status=Visit.Status.DELIVERED)
    VisitFactory(school=hillview, date=years_after(today(), -3), status=Visit.Status.DELIVERED)
    html = staff_client.get("/admin/schools/school/").content.decode()
    rows = {name: html[html.index(name):].split("</tr>")[0] for name in ("Riverside", "Hillview", "Meadow")}
    assert "Not due" in rows["Riverside"]
    assert f"{today() - timedelta(days=100):%-d %b %Y}" in rows["Riverside"]
    assert ">Due<" in rows["Hillview"]
    assert "Never visited" in rows["Meadow"] and ">Due<" in rows["Meadow"]


def test_the_due_filter_lists_schools_by_the_programme_rule(staff_client, three_schools):
    riverside = three_schools[0]
    VisitFactory(school=riverside, date=today() - timedelta(days=100), status=Visit.Status.DELIVERED)
    html = staff_client.get("/admin/schools/school/", {"due": "yes"}).content.decode()
    assert "Hillview" in html and "Meadow" in html and "Riverside" not in html
    html = staff_client.get("/admin/schools/school/", {"due": "no"}).content.decode()
    assert "Riverside" in html and "Hillview" not in html


def test_schools_are_filtered_by_police_force_area(staff_client, thames_valley, kent):
    SchoolFactory(name="Oakfield Thames School", in_area=thames_valley)
    SchoolFactory(name="Oakfield Kent School", in_area=kent)
    html = staff_client.get(
        "/admin/schools/school/", {"local_authority__police_force__id__exact": kent.pk}
    ).content.decode()
    assert "Oakfield Kent School" in html and "Oakfield Thames School" not in html


def test_a_school_is_changed_with_a_new_contact_in_one_save(staff_client, thames_valley):
    school = SchoolFactory(name="Riverside Primary School", in_area=thames_valley)
    page = staff_client.get(f"/admin/schools/school/{school.pk}/change/").content.decode()
    assert "School contacts" in page and "Designated safeguarding lead" in page
    data = {
        "name": "Riverside Church of England Primary School", "urn": school.urn, "status": "open",
        "phase": "Primary", "nation": "england", "local_authority": school.local_authority_id,
        "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        # The school's own closures, an inline of its page too (none added here).
        "closures-TOTAL_FORMS": "0", "closures-INITIAL_FORMS": "0", "closures-MIN_NUM_FORMS": "0",
        "closures-MAX_NUM_FORMS": "1000",
        "contacts-0-name": "Sam Lee", "contacts-0-role": "dsl", "contacts-0-email": "dsl@riverside.example",
        "_save": "Save",
    }
    response = staff_client.post(f"/admin/schools/school/{school.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    school.refresh_from_db()
    assert school.name == "Riverside Church of England Primary School"
    assert school.safeguarding_lead.name == "Sam Lee"


# --- export -------------------------------------------------------------------------------------


def test_export_gives_the_selected_schools_as_csv_with_the_list_columns(staff_client, three_schools):
    riverside, hillview, meadow = three_schools
    response = staff_client.post(
        "/admin/schools/school/",
        {"action": "export_as_csv", "index": "0", "_selected_action": [riverside.pk, meadow.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert f"schools-{today():%Y-%m-%d}.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Name", "Urn", "Town", "Postcode"]
    assert rows[0][-2:] == ["Last visit", "Due a visit?"]
    assert [row[0] for row in rows[1:]] == ["Meadow Junior School", "Riverside Primary School"]
    meadow_row = rows[1]
    assert meadow_row[1] == "777001"
    assert meadow_row[4] == "Open"
    assert meadow_row[6] == "Thames Valley"
    assert meadow_row[-2:] == ["Never visited", "Due"]


def test_export_writes_a_formula_looking_name_as_text(staff_client, thames_valley):
    school = SchoolFactory(name="=HYPERLINK(\"http://evil.example\")", in_area=thames_valley)
    response = staff_client.post(
        "/admin/schools/school/", {"action": "export_as_csv", "index": "0", "_selected_action": [school.pk]}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=")


def test_volunteers_export_with_their_clearance(staff_client, thames_valley):
    volunteer = VolunteerFactory(user__first_name="Priya", user__last_name="Patel",
                                 dbs_checked_on=today() - timedelta(days=10), training_on=today() - timedelta(days=10))
    response = staff_client.post(
        "/admin/school_sessions/volunteer/",
        {"action": "export_as_csv", "index": "0", "_selected_action": [volunteer.pk]},
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][0] == "Priya Patel"
    assert rows[1][-2:] == ["Cleared", volunteer.clearance_expires_on.isoformat()]


# --- volunteers ---------------------------------------------------------------------------------


@pytest.fixture
def volunteers_by_clearance():
    day = today()
    recent = day - timedelta(days=30)
    return {
        "cleared": VolunteerFactory(user__last_name="Clearedsoon", dbs_checked_on=recent, training_on=recent),
        "expiring": VolunteerFactory(
            user__last_name="Expiringsoon", dbs_checked_on=years_after(day, -3) + timedelta(days=20), training_on=recent
        ),
        "expired": VolunteerFactory(user__last_name="Expiredcheck", dbs_checked_on=years_after(day, -3),
                                    training_on=recent),
        "untrained": VolunteerFactory(user__last_name="Untrainedyet", dbs_checked_on=recent, training_on=None),
    }


@pytest.mark.parametrize(
    ("choice", "shown"),
    [
        ("cleared", {"cleared", "expiring"}),
        ("expiring", {"expiring"}),
        ("not_cleared", {"expired", "untrained"}),
    ],
)
def test_the_clearance_filter_lists_volunteers_by_the_clearance_rule(staff_client, volunteers_by_clearance, choice,
                                                                     shown):
    html = staff_client.get("/admin/school_sessions/volunteer/", {"clearance": choice}).content.decode()
    for key, volunteer in volunteers_by_clearance.items():
        assert (volunteer.user.last_name in html) == (key in shown), key
        assert volunteer.is_cleared_on(today()) == (key in {"cleared", "expiring"})


def test_the_volunteer_list_says_why_someone_is_not_cleared_and_when_clearance_ends(staff_client,
                                                                                   volunteers_by_clearance):
    html = staff_client.get("/admin/school_sessions/volunteer/").content.decode()
    expired = volunteers_by_clearance["expired"]
    row = html[html.index(expired.user.last_name):].split("</tr>")[0]
    assert "Not cleared: has a DBS check that expired on" in row
    untrained = html[html.index("Untrainedyet"):].split("</tr>")[0]
    assert "has no safeguarding training by that date" in untrained
    # Their DBS check runs for years yet, but they are not cleared: no expiry date to mislead.
    assert 'class="field-clearance_expires">Not cleared<' in untrained


@pytest.mark.parametrize("search", ["Patel", "priya.patel@example.org", "001122334455"])
def test_volunteers_are_found_by_name_email_or_dbs_certificate(staff_client, search):
    VolunteerFactory(user__first_name="Priya", user__last_name="Patel", user__email="priya.patel@example.org",
                     dbs_reference="001122334455")
    VolunteerFactory(user__first_name="Tom", user__last_name="Hughes")
    html = staff_client.get("/admin/school_sessions/volunteer/", {"q": search}).content.decode()
    assert "Priya Patel" in html and "Tom Hughes" not in html


def test_a_new_volunteer_gets_an_account_without_a_password_in_the_volunteers_group(staff_client, thames_valley):
    response = staff_client.post("/admin/school_sessions/volunteer/add/", {
        "first_name": "Siân", "last_name": "Evans", "email": "Sian.Evans@Example.org", "phone": "07700 900123",
        "postcode": "RG1 1AA", "max_travel_km": "25", "areas": [thames_valley.pk], "active": "on",
        "dbs_checked_on": "2026-10-01", "dbs_reference": "009988776655", "dbs_level": "enhanced_barred",
        "training_on": "2026-10-02",
        "email_reminders": "on",
        "unavailabilities-TOTAL_FORMS": "0", "unavailabilities-INITIAL_FORMS": "0",
        "unavailabilities-MIN_NUM_FORMS": "0", "unavailabilities-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    volunteer = Volunteer.objects.get(dbs_reference="009988776655")
    assert (volunteer.user.get_full_name(), volunteer.user.email) == ("Siân Evans", "sian.evans@example.org")
    assert not volunteer.user.has_usable_password()
    assert volunteer.user.groups.filter(name="Volunteers").exists()
    assert list(volunteer.areas.all()) == [thames_valley]


def test_a_volunteer_postcode_that_is_not_a_uk_one_is_refused_in_the_admin(staff_client, thames_valley):
    response = staff_client.post("/admin/school_sessions/volunteer/add/", {
        "first_name": "Siân", "last_name": "Evans", "email": "sian@example.org", "postcode": "XX1 1XX",
        "max_travel_km": "25", "active": "on", "dbs_level": "enhanced_barred",
        "unavailabilities-TOTAL_FORMS": "0", "unavailabilities-INITIAL_FORMS": "0", "_save": "Save",
    })
    assert "Enter a UK postcode such as RG1 4QA." in response.content.decode()
    assert not Volunteer.objects.filter(user__email="sian@example.org").exists()


def test_a_volunteer_cannot_take_an_email_address_another_account_uses(staff_client):
    UserFactory(email="taken@example.org")
    response = staff_client.post("/admin/school_sessions/volunteer/add/", {
        "first_name": "A", "last_name": "B", "email": "Taken@example.org", "active": "on",
        "unavailabilities-TOTAL_FORMS": "0", "unavailabilities-INITIAL_FORMS": "0",
        "_save": "Save",
    })
    assert "Another account already uses this email address" in response.content.decode()
    assert not Volunteer.objects.filter(user__first_name="A").exists()


def test_the_account_of_a_coordinator_who_volunteers_cannot_be_taken_over_from_the_volunteer_page(
    staff_client, thames_valley
):
    coordinator = CoordinatorFactory(areas=[thames_valley], user__email="asha@example.org")
    volunteer = VolunteerFactory(user=coordinator.user)
    page = staff_client.get(f"/admin/school_sessions/volunteer/{volunteer.pk}/change/").content.decode()
    assert "This account can plan visits or use the admin" in page

    staff_client.post(f"/admin/school_sessions/volunteer/{volunteer.pk}/change/", {
        "first_name": "X", "last_name": "Y", "email": "attacker@example.org", "active": "on", "phone": "1",
        "dbs_level": "enhanced_barred", "unavailabilities-TOTAL_FORMS": "0", "unavailabilities-INITIAL_FORMS": "0",
        "_save": "Save",
    })

    coordinator.user.refresh_from_db()
    assert coordinator.user.email == "asha@example.org" and coordinator.user.first_name != "X"


def test_the_account_of_a_staff_member_who_volunteers_is_not_changed_from_the_volunteer_page(staff_client):
    volunteer = VolunteerFactory(user__is_staff=True, user__email="boss@example.org")
    page = staff_client.get(f"/admin/school_sessions/volunteer/{volunteer.pk}/change/").content.decode()
    assert "This account can plan visits or use the admin" in page
    staff_client.post(f"/admin/school_sessions/volunteer/{volunteer.pk}/change/", {
        "first_name": "X", "last_name": "Y", "email": "attacker@example.org", "active": "on", "phone": "1", "dbs_level": "enhanced_barred",
        "max_travel_km": "25",
        "unavailabilities-TOTAL_FORMS": "0", "unavailabilities-INITIAL_FORMS": "0", "_save": "Save",
    })
    volunteer.user.refresh_from_db()
    volunteer.refresh_from_db()
    assert volunteer.user.email == "boss@example.org"
    assert volunteer.phone == "1"


# --- visits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("search", ["Riverside", "123456"])
def test_visits_are_found_by_school_name_or_urn(staff_client, thames_valley, search):
    VisitFactory(school=SchoolFactory(name="Riverside Primary School", urn=123456, in_area=thames_valley))
    VisitFactory(school=SchoolFactory(name="Hillview Infant School", urn=654321, in_area=thames_valley))
    html = staff_client.get("/admin/school_sessions/visit/", {"q": search}).content.decode()
    assert "Riverside Primary School" in html and "Hillview Infant School" not in html


def test_visits_are_filtered_by_status(staff_client, thames_valley):
    VisitFactory(school=SchoolFactory(name="Riverside Primary School", in_area=thames_valley),
                 status=Visit.Status.REQUESTED)
    VisitFactory(school=SchoolFactory(name="Hillview Infant School", in_area=thames_valley))
    html = staff_client.get("/admin/school_sessions/visit/", {"status__exact": "requested"}).content.decode()
    assert "Riverside Primary School" in html and "Hillview Infant School" not in html


def test_the_visit_change_page_shows_status_read_only_with_its_problems_and_lines(staff_client, programme):
    visit = programme["visit"]
    html = staff_client.get(f"/admin/school_sessions/visit/{visit.pk}/change/").content.decode()
    assert 'name="status"' not in html
    assert "Requested, Confirmed, Cancelled (choose the visit in the list and use an action)" in html
    assert "The sessions need 2 volunteers; 1 is assigned." in html
    assert "Visit sessions" in html and "Assignments" in html and "Status history" in html
    assert "Dates agreed by phone" in html


def test_a_new_visit_can_start_only_as_requested_or_proposed(staff_client):
    html = staff_client.get("/admin/school_sessions/visit/add/").content.decode()
    select = html[html.index('name="status"'):].split("</select>")[0]
    assert "Requested" in select and "Proposed" in select
    assert "Confirmed" not in select and "Delivered" not in select


def test_posting_a_status_in_the_change_form_does_not_change_it(staff_client, programme):
    visit = programme["visit"]
    data = {
        "school": visit.school_id, "date": visit.date.isoformat(), "starts_at": "09:00", "ends_at": "10:30",
        "status": "delivered", "notes": "Bring the banner", "pupils_by_year": "{}",
        **_empty_inlines(visit), "_save": "Save",
    }
    response = staff_client.post(f"/admin/school_sessions/visit/{visit.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:4000]
    visit.refresh_from_db()
    assert (visit.status, visit.notes) == (Visit.Status.PROPOSED, "Bring the banner")


def _empty_inlines(visit: Visit) -> dict:
    """The inline management forms, keeping the visit's existing lines and bookings as they are."""
    data = {}
    lines = list(visit.sessions.all())
    data.update({"sessions-TOTAL_FORMS": str(len(lines)), "sessions-INITIAL_FORMS": str(len(lines))})
    for i, line in enumerate(lines):
        data.update({
            f"sessions-{i}-id": line.pk, f"sessions-{i}-visit": visit.pk,
            f"sessions-{i}-session_type": line.session_type_id, f"sessions-{i}-starts_at": "09:00",
            f"sessions-{i}-year_groups": line.year_groups, f"sessions-{i}-pupils": line.pupils,
        })
    bookings = list(visit.assignments.all())
    data.update({"assignments-TOTAL_FORMS": str(len(bookings)), "assignments-INITIAL_FORMS": str(len(bookings))})
    for i, booking in enumerate(bookings):
        data.update({
            f"assignments-{i}-id": booking.pk, f"assignments-{i}-visit": visit.pk,
            f"assignments-{i}-volunteer": booking.volunteer_id, f"assignments-{i}-role": booking.role,
            f"assignments-{i}-status": booking.status,
        })
    data.update({"status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0"})
    return data


def test_confirming_through_the_action_reports_why_a_visit_cannot_be_confirmed(staff_client, programme):
    visit = programme["visit"]
    response = staff_client.post(
        "/admin/school_sessions/visit/",
        {"action": "confirm", "index": "0", "_selected_action": [visit.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert (f"{visit}: not confirmed. Fix these before confirming: The sessions need 2 volunteers; 1 is assigned. "
            "The visit has no lead volunteer.") in html
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_confirming_a_fully_staffed_visit_records_who_confirmed_it(staff_client, staff_user, programme):
    visit = programme["visit"]
    Assignment.objects.filter(visit=visit).update(role=Assignment.Role.LEAD)
    AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[programme["area"]]))
    response = staff_client.post(
        "/admin/school_sessions/visit/", {"action": "confirm", "index": "0", "_selected_action": [visit.pk]},
        follow=True,
    )
    assert "1 visit marked confirmed." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CONFIRMED
    assert StatusChange.objects.filter(visit=visit, to_status="confirmed", by=staff_user).exists()


def test_cancelling_asks_for_the_reason_first_and_then_cancels(staff_client, programme):
    visit = programme["visit"]
    first = staff_client.post(
        "/admin/school_sessions/visit/", {"action": "cancel", "index": "0", "_selected_action": [visit.pk]}
    )
    assert "Why are these visits cancelled?" in first.content.decode()
    assert str(visit) in first.content.decode()
    empty = staff_client.post(
        "/admin/school_sessions/visit/",
        {"action": "cancel", "apply": "yes", "reason": "", "_selected_action": [visit.pk]},
    )
    assert "Say why the visits are cancelled." in empty.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED
    done = staff_client.post(
        "/admin/school_sessions/visit/",
        {"action": "cancel", "apply": "yes", "reason": "School closed for building work",
         "_selected_action": [visit.pk]},
        follow=True,
    )
    assert "1 visit marked cancelled." in done.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (Visit.Status.CANCELLED, "School closed for building work")


def test_a_cancelled_visit_is_shown_but_not_changed(staff_client, programme):
    visit = VisitFactory(school=programme["school"], status=Visit.Status.CANCELLED)
    html = staff_client.get(f"/admin/school_sessions/visit/{visit.pk}/change/").content.decode()
    assert "View visit" in html and 'name="_save"' not in html
    assert "Nothing: the visit is closed." in html


def test_a_booking_that_would_double_book_a_volunteer_is_refused_with_the_clash(staff_client, programme):
    volunteer = programme["volunteer"]
    other = VisitFactory(school=SchoolFactory(name="Hillview Infant School", in_area=programme["area"]),
                         date=programme["visit"].date)
    data = {
        "school": other.school_id, "date": other.date.isoformat(), "starts_at": "09:30", "ends_at": "11:00",
        "pupils_by_year": "{}", **_empty_inlines(other),
        "assignments-TOTAL_FORMS": "1", "assignments-0-volunteer": volunteer.pk, "assignments-0-role": "support",
        "assignments-0-status": "invited", "_save": "Save",
    }
    html = staff_client.post(f"/admin/school_sessions/visit/{other.pk}/change/", data).content.decode()
    assert "Priya Patel is already at Riverside Primary School 09:00–10:30" in html
    assert not Assignment.objects.filter(visit=other).exists()


# --- query counts -------------------------------------------------------------------------------


def _school(area, i):
    return SchoolFactory(in_area=area)


def _visit(area, i):
    visit = VisitFactory(school=SchoolFactory(in_area=area), coordinator=CoordinatorFactory().user)
    VisitSessionFactory(visit=visit)
    AssignmentFactory(visit=visit)
    return visit


def _volunteer(area, i):
    volunteer = VolunteerFactory(areas=[area])
    UnavailabilityFactory(volunteer=volunteer)
    return volunteer


LISTS = [
    # (changelist, how to make one row, queries: session, user and its permissions, the counts, the page of rows
    # with its prefetches, and the filters' choices and date hierarchy, none of them per row; the admin does not
    # show the site's menu, so the user's roles are not asked)
    ("/admin/schools/school/", _school, 9),
    ("/admin/schools/schoolcontact/", lambda area, i: SchoolContactFactory(school__in_area=area), 7),
    ("/admin/school_sessions/volunteer/", _volunteer, 9),
    ("/admin/school_sessions/coordinator/", lambda area, i: CoordinatorFactory(areas=[area]), 9),
    ("/admin/school_sessions/unavailability/", lambda area, i: UnavailabilityFactory(), 9),
    ("/admin/school_sessions/visit/", _visit, 12),
    ("/admin/school_sessions/visitsession/", lambda area, i: VisitSessionFactory(), 8),
    ("/admin/school_sessions/assignment/", lambda area, i: AssignmentFactory(), 7),
    ("/admin/school_sessions/statuschange/", lambda area, i: StatusChangeFactory(), 9),
    ("/admin/school_sessions/visitreport/", lambda area, i: VisitReportFactory(filed_by=VolunteerFactory()), 9),
    ("/admin/stats/figure/", lambda area, i: FigureFactory(area=area, period=f"20{10 + i}/{11 + i}"), 10),
    ("/admin/stats/localauthority/", lambda area, i: LocalAuthorityFactory(police_force=area), 8),
]


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(("path", "make", "queries"), LISTS, ids=[entry[0] for entry in LISTS])
def test_a_changelist_costs_the_same_queries_for_one_row_or_three(
    staff_client, staff_user, thames_valley, django_assert_num_queries, path, make, queries, n
):
    for i in range(n):
        make(thames_valley, i)
    staff_client.get(path)  # warm the permission and content type caches of this user
    with django_assert_num_queries(queries):
        response = staff_client.get(path)
    html = response.content.decode()
    assert 'id="result_list"' in html
    assert html.count('name="_selected_action"') >= n
