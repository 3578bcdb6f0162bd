"""Retention: volunteers who left more than VOLUNTEER_RETENTION_YEARS ago are anonymised.

Their personal values go (name, email, phone, postcode, DBS certificate number and dates, training date,
unavailable dates, login) from the live tables and from the history tables; their visits and assignments
stay, so the programme's counts (visits delivered, children reached, reach by area) do not change.
"""

from __future__ import annotations

from datetime import date

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from config.dates import years_before
from sessions.models import Volunteer

REASON = "Anonymised under the retention policy"
# The values an anonymised volunteer (and every history row of them) keeps for these fields.
BLANKED = {"phone": "", "postcode": "", "dbs_reference": "", "dbs_checked_on": None, "training_on": None}


def retention_cut_off(today: date) -> date:
    """Volunteers who left before this day are past the retention period."""
    return years_before(today, settings.VOLUNTEER_RETENTION_YEARS)


def due_for_anonymising(today: date | None = None):
    today = today or timezone.localdate()
    return Volunteer.objects.filter(left_on__lt=retention_cut_off(today), anonymised_on__isnull=True)


def anonymise_leavers(today: date | None = None, *, dry_run: bool = False) -> int:
    """Anonymise every volunteer past the retention period, all or nothing; returns how many."""
    today = today or timezone.localdate()
    with transaction.atomic():
        volunteers = list(due_for_anonymising(today).select_related("user").select_for_update(of=("self",)))
        if dry_run:
            return len(volunteers)
        for volunteer in volunteers:
            anonymise(volunteer, today)
    return len(volunteers)


def anonymise(volunteer: Volunteer, today: date) -> None:
    user = volunteer.user
    _forget_sign_ins_and_admin_entries(user, volunteer)
    user.username = f"anonymised-volunteer-{volunteer.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    volunteer.unavailabilities.all().delete()
    for field, value in BLANKED.items():
        setattr(volunteer, field, value)
    volunteer.active = False
    volunteer.email_reminders = volunteer.email_report_nudges = False
    volunteer.anonymised_on = today
    volunteer.calendar_token = Volunteer._meta.get_field("calendar_token").get_default()
    volunteer._change_reason = REASON
    volunteer.save()
    user.groups.clear()  # after save(), which puts every volunteer in the Volunteers group
    # The history keeps when and what changed, not who the person was.
    volunteer.history.all().update(**BLANKED)


def _forget_sign_ins_and_admin_entries(user, volunteer: Volunteer) -> None:
    """Failed sign-ins (django-axes) keep the username; the admin's log keeps the name it showed."""
    AccessAttempt.objects.filter(username=user.get_username()).delete()
    AccessFailureLog.objects.filter(username=user.get_username()).delete()
    for obj in (user, volunteer):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).update(object_repr=f"anonymised {obj._meta.verbose_name} {obj.pk}", change_message="")
