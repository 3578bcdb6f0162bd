"""The term-calendar import: a CSV of spans per authority and academic year, checked whole, previewed in
the admin, applied all or nothing, replacing the calendars it names."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from schools.factories import TermDateFactory
from schools.models import TermDate
from schools.term_import import apply_terms, plan_terms
from sessions.factories import UserFactory
from stats.models import LocalAuthority

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/schools/termdate/import/"
GOOD = """la_code,academic_year,kind,starts_on,ends_on
E06000037,2026/27,term,2026-09-02,2026-12-18
E06000037,2026/27,half_term,2026-10-24,2026-11-01
E06000037,2026/27,holiday,2026-12-19,2027-01-03
E06000037,2026/27,inset,2027-01-04,2027-01-04
E06000041,2026-27,Holiday,19/12/2026,03/01/2027
"""


@pytest.fixture
def importer_client(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="schools", codename__in=["add_termdate", "delete_termdate", "view_termdate"]))
    client.force_login(user)
    return client


def upload(client, text: str, encoding: str = "utf-8"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile("terms.csv", text.encode(encoding), content_type="text/csv")})


def test_a_good_file_is_planned_by_authority_and_year_and_applied():
    plan = plan_terms(GOOD.encode())

    assert plan.ok and not plan.errors
    assert plan.calendars() == [("West Berkshire", "2026/27", 4), ("Wokingham", "2026/27", 1)]
    assert apply_terms(plan) == 5
    christmas = TermDate.objects.get(local_authority__code="E06000037", kind="holiday")
    assert (christmas.starts_on, christmas.ends_on, christmas.academic_year) == (date(2026, 12, 19), date(2027, 1, 3), 2026)
    assert TermDate.objects.filter(local_authority__code="E06000041").count() == 1


def test_importing_a_calendar_again_replaces_it_and_leaves_other_years_and_authorities_alone():
    west_berkshire = LocalAuthority.objects.get(code="E06000037")
    TermDateFactory(local_authority=west_berkshire, kind="inset", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 2))
    other_year = TermDateFactory(local_authority=west_berkshire, academic_year=2025, starts_on=date(2025, 9, 3),
                                 ends_on=date(2025, 12, 19))
    reading = TermDateFactory(local_authority=LocalAuthority.objects.get(code="E06000038"))

    plan = plan_terms(GOOD.encode())
    assert plan.replaced == 1
    apply_terms(plan)

    assert not TermDate.objects.filter(starts_on=date(2026, 11, 2)).exists()
    assert TermDate.objects.filter(pk__in=[other_year.pk, reading.pk]).count() == 2


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("X99,2026/27,term,2026-09-02,2026-12-18", "Row 2, column la_code: 'X99' is not a local authority held"),
        ("E06000037,2026/28,term,2026-09-02,2026-12-18", "Row 2, column academic_year: '2026/28' is not an academic year"),
        ("E06000037,2026/27,vacation,2026-09-02,2026-12-18", "Row 2, column kind: 'vacation' is not one of term"),
        ("E06000037,2026/27,term,2 Sept,2026-12-18", "Row 2, column starts_on: '2 Sept' is not a date"),
        ("E06000037,2026/27,holiday,2027-01-03,2026-12-19",
         "Row 2, column ends_on: '2026-12-19' is before starts_on (3 January 2027)"),
        ("E06000037,2026/27,holiday,2027-07-24,2027-09-02",
         "Row 2, column ends_on: '2027-09-02' is outside the academic year 2026/27 (1 September 2026 – 31 August 2027)"),
        ("E06000037,2026/27,term", "Row 2: has 3 fields where the header has 5."),
    ],
)
def test_a_bad_row_is_refused_naming_its_row_and_column_and_nothing_is_written(row, error):
    plan = plan_terms(f"la_code,academic_year,kind,starts_on,ends_on\n{row}\n".encode())

    assert not plan.ok
    assert any(message.startswith(error) for message in plan.errors), plan.errors
    with pytest.raises(ValueError):
        apply_terms(plan)
    assert not TermDate.objects.exists()


@pytest.mark.parametrize(
    ("content", "error"),
    [(b"", "The file is empty."), (b"la_code,kind\nE06000037,term\n", "Row 1: missing column(s) academic_year"),
     (b"la_code,academic_year,kind,starts_on,ends_on\n", "Row 2: the file has a header but no term dates."),
     ("la_code,academic_year,kind,starts_on,ends_on\nCaerdydd ŵ,2026/27,term,2026-09-02,2026-12-18\n".encode("utf-16"),
      "the file is not UTF-8")],
)
def test_a_file_that_is_not_a_term_calendar_says_why(content, error):
    assert any(error in message for message in plan_terms(content).errors)


# --- the admin


def test_the_term_dates_list_links_to_the_import(importer_client):
    html = importer_client.get("/admin/schools/termdate/").content.decode()

    assert f'href="{UPLOAD}"' in html and "Import term dates from CSV" in html


def test_the_admin_previews_the_file_then_imports_it_on_confirmation(importer_client):
    response = upload(importer_client, GOOD)
    assert response.status_code == 302 and response["Location"].endswith("/import/preview/")

    html = importer_client.get(response["Location"]).content.decode()
    assert not TermDate.objects.exists()  # nothing until confirmed
    assert "<strong>5</strong> term dates for" in html and "West Berkshire" in html and "Wokingham" in html
    marker = 'name="fingerprint" value="'
    fingerprint = html[html.index(marker) + len(marker):].split('"')[0]

    done = importer_client.post("/admin/schools/termdate/import/confirm/", {"fingerprint": fingerprint}, follow=True)

    assert TermDate.objects.count() == 5
    assert "Imported terms.csv: 5 term dates for 2 calendar(s)" in done.content.decode()


def test_the_admin_shows_every_problem_by_row_and_column_and_offers_no_import(importer_client):
    bad = GOOD + "E06000037,2026/27,holiday,2027-07-24,2027-09-02\nX99,2026/27,term,2026-09-02,2026-12-18\n"

    html = importer_client.get(upload(importer_client, bad)["Location"]).content.decode()

    assert "Nothing can be imported: 2 problems in the file." in html
    assert "Row 7, column ends_on" in html and "Row 8, column la_code" in html
    assert "Import these term dates" not in html
    forged = importer_client.post("/admin/schools/termdate/import/confirm/", {"fingerprint": "x"})
    assert forged.status_code == 302 and not TermDate.objects.exists()


def test_importing_needs_permission_to_add_and_delete_term_dates(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_termdate"]))
    client.force_login(user)

    assert client.get(UPLOAD).status_code == 403
