"""The daily emails (`manage.py send_reminders`): reminders before a visit, the nudge to file the
report after it, clearance-expiry warnings to coordinators, the school's reminder three days before, and
the one reminder to a school that has not given its feedback (`sessions/feedback/sending.py`). Each is
recorded in SentNotification, so nothing is sent twice however often the command runs.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sessions.feedback.sending import remind_about_feedback
from sessions.models import Assignment, SentNotification, Visit, Volunteer
from sessions.notifications.emails import notify

REMINDER_DAYS_BEFORE = 2
SCHOOL_REMINDER_DAYS_BEFORE = 3
REPORT_NUDGE_WITHIN_DAYS = 7  # stop nudging a week after the visit


def _send_once(kind: str, key: str, email: str, **params) -> bool:
    """Record the email as sent and enqueue it, unless it was sent before. True if enqueued."""
    with transaction.atomic():
        _, created = SentNotification.objects.get_or_create(kind=kind, key=key)
        if created:
            notify(email, **params)
    return created


def send_scheduled(today: date | None = None) -> dict[str, int]:
    """Send every reminder, report nudge and clearance warning due today that was not sent before."""
    today = today or timezone.localdate()
    sent = {"reminders": 0, "report_nudges": 0, "clearance_warnings": 0, "feedback_reminders": 0}

    upcoming = (
        Assignment.objects.active()
        .filter(
            visit__status=Visit.Status.CONFIRMED,
            visit__date__gt=today,
            visit__date__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
            volunteer__email_reminders=True,
        )
        .annotate(visit_date=F("visit__date"))
    )
    for a in upcoming:
        key = f"assignment:{a.pk}:on:{a.visit_date.isoformat()}"
        sent["reminders"] += _send_once(SentNotification.Kind.REMINDER, key, "reminder", assignment_id=a.pk)

    leads = (
        Assignment.objects.active()
        .filter(
            role=Assignment.Role.LEAD,
            visit__status=Visit.Status.CONFIRMED,
            visit__date__lt=today,
            visit__date__gte=today - timedelta(days=REPORT_NUDGE_WITHIN_DAYS),
            visit__report__isnull=True,
            volunteer__email_report_nudges=True,
        )
        .annotate(visit_date=F("visit__date"))
    )
    for a in leads:
        key = f"assignment:{a.pk}:on:{a.visit_date.isoformat()}"
        sent["report_nudges"] += _send_once(SentNotification.Kind.REPORT_NUDGE, key, "report_nudge",
                                            assignment_id=a.pk, today=today.isoformat())

    sent["school_reminders"] = 0
    # The school's reminder, three days before (or on the first run after that, should a day be missed);
    # its key names the date, so a visit moved to another date is reminded again.
    for visit_id, day in Visit.objects.filter(
        status=Visit.Status.CONFIRMED, date__gt=today, date__lte=today + timedelta(days=SCHOOL_REMINDER_DAYS_BEFORE)
    ).values_list("pk", "date"):
        key = f"visit:{visit_id}:on:{day.isoformat()}"
        sent["school_reminders"] += _send_once(SentNotification.Kind.SCHOOL_REMINDER, key, "school_reminder",
                                               visit_id=visit_id)

    days = settings.CLEARANCE_WARNING_DAYS
    for volunteer in Volunteer.objects.active().filter(left_on__isnull=True):
        if volunteer.clearance_expires_within(days, today):
            key = f"volunteer:{volunteer.pk}:expires:{volunteer.clearance_expires_on.isoformat()}"
            sent["clearance_warnings"] += _send_once(
                SentNotification.Kind.CLEARANCE_EXPIRY, key, "clearance_expiry", volunteer_id=volunteer.pk
            )
    sent["feedback_reminders"] = remind_about_feedback(
        timezone.make_aware(datetime.combine(today, time(7, 0))) if today != timezone.localdate() else None
    )
    return sent
