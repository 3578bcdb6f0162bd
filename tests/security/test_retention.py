"""Volunteers who left more than the retention period ago are anonymised; their visits still count."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection
from django.test import Client

from sessions.factories import AssignmentFactory, UnavailabilityFactory, VisitReportFactory, VolunteerFactory
from sessions.models import Assignment, Visit, Volunteer

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)
PERSONAL = ["imogenf", "Imogen", "Fairweather", "imogen.fairweather@example.org", "07700 900123", "OX14 3ZZ", "001234567890"]


@pytest.fixture
def leaver(thames_valley, settings, planned_visit):
    settings.VOLUNTEER_RETENTION_YEARS = 6
    volunteer = VolunteerFactory(
        areas=[thames_valley], user__username="imogenf", user__first_name="Imogen", user__last_name="Fairweather",
        user__email="imogen.fairweather@example.org", phone="07700 900123", postcode="OX14 3ZZ",
        dbs_reference="001234567890", active=False, left_on=date(2020, 11, 27),
    )
    volunteer.phone = "07700 900123"  # a second history row holding the values
    volunteer.save()
    visit = planned_visit(thames_valley, date=date(2019, 3, 5), status=Visit.Status.DELIVERED)
    AssignmentFactory(visit=visit, volunteer=volunteer, role="lead", status="accepted")
    VisitReportFactory(visit=visit, filed_by=volunteer)
    UnavailabilityFactory(volunteer=volunteer)
    LogEntry.objects.log_actions(user_id=volunteer.user_id, queryset=[volunteer], action_flag=CHANGE,
                                 change_message="Changed phone.")
    Client().post("/accounts/login/", {"username": "imogenf", "password": "wrong"})  # a failed sign-in
    return volunteer


def every_text_value() -> str:
    """Every text column of every table in the database, as one string."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values += [str(v) for row in cursor.fetchall() for v in row if isinstance(v, str)]
    return "\n".join(values)


def test_a_volunteer_who_left_more_than_six_years_ago_keeps_no_personal_value_anywhere(leaver):
    assert all(value in every_text_value() for value in PERSONAL)

    call_command("anonymise_leavers", "--date", TODAY.isoformat(), stdout=StringIO())

    text = every_text_value()
    assert [value for value in PERSONAL if value in text] == []
    leaver.refresh_from_db()
    leaver.user.refresh_from_db()
    assert leaver.anonymised_on == TODAY and not leaver.user.is_active and not leaver.user.has_usable_password()
    assert not leaver.unavailabilities.exists()


def test_the_programme_counts_are_the_same_after_anonymising(leaver):
    before = (Visit.objects.count(), Assignment.objects.count(), leaver.assignments.count(),
              Visit.objects.filter(report__isnull=False).count())

    call_command("anonymise_leavers", "--date", TODAY.isoformat(), stdout=StringIO())

    after = (Visit.objects.count(), Assignment.objects.count(), leaver.assignments.count(),
             Visit.objects.filter(report__isnull=False).count())
    assert after == before


def test_someone_who_left_within_the_period_or_is_still_active_is_untouched(leaver, thames_valley):
    recent = VolunteerFactory(areas=[thames_valley], user__first_name="Nadia", active=False,
                              left_on=date(2020, 11, 28))
    current = VolunteerFactory(areas=[thames_valley], user__first_name="Sunil")

    out = StringIO()
    call_command("anonymise_leavers", "--date", TODAY.isoformat(), stdout=out)

    assert "1 volunteer(s) who left before 28 November 2020 (6-year retention) were anonymised." in out.getvalue()
    assert set(Volunteer.objects.filter(anonymised_on__isnull=True).values_list("user__first_name", flat=True)) == {
        "Nadia", "Sunil"}
    assert recent and current


def test_running_it_again_changes_nothing(leaver):
    call_command("anonymise_leavers", "--date", TODAY.isoformat(), stdout=StringIO())
    rows = leaver.history.count()
    out = StringIO()

    call_command("anonymise_leavers", "--date", TODAY.isoformat(), stdout=out)

    assert out.getvalue().startswith("0 volunteer(s)")
    assert leaver.history.count() == rows


def test_a_dry_run_says_how_many_and_changes_nothing(leaver):
    out = StringIO()

    call_command("anonymise_leavers", "--dry-run", "--date", TODAY.isoformat(), stdout=out)

    assert "1 volunteer(s) who left before 28 November 2020 (6-year retention) would be anonymised." in out.getvalue()
    assert all(value in every_text_value() for value in PERSONAL)
