"""When the school is asked for feedback: once, when the visit is marked delivered (`ask_for_feedback`,
from the status change's receiver), and reminded once `REMINDER_AFTER_DAYS` later if nobody has
answered (`remind_about_feedback`, from the daily `send_reminders`). Running either again sends nothing twice:
the TeacherFeedback row is the record that the request went, its `reminded_at` that the reminder did."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sessions.models import TeacherFeedback, Visit
from sessions.models.feedback import REMINDER_AFTER_DAYS
from sessions.notifications.emails import notify


def ask_for_feedback(visit: Visit, now: datetime | None = None) -> TeacherFeedback | None:
    """Email the school's requester the feedback request, unless already asked or there is nobody to ask
    (a visit a coordinator booked has no requester's email)."""
    if visit.status != Visit.Status.DELIVERED or not visit.requester_email:
        return None
    with transaction.atomic():
        feedback, created = TeacherFeedback.objects.get_or_create(
            visit=visit, defaults={"sent_to": visit.requester_email, "sent_at": now or timezone.now()}
        )
        if created:
            notify("feedback_request", feedback_id=feedback.pk)
    return feedback if created else None


def remind_about_feedback(now: datetime | None = None) -> int:
    """The one reminder, REMINDER_AFTER_DAYS after the request, to schools that have not answered."""
    now = now or timezone.now()
    sent = 0
    due = TeacherFeedback.objects.filter(
        responded_at__isnull=True, reminded_at__isnull=True, sent_at__lte=now - timedelta(days=REMINDER_AFTER_DAYS)
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Claimed by the update: two runs at once cannot both send it.
            if TeacherFeedback.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                notify("feedback_reminder", feedback_id=pk)
                sent += 1
    return sent
