"""What the notifications remember: scheduled emails already sent (sessions/notifications/ sends them)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SentNotification(models.Model):
    """A scheduled email that has been sent, so that `send_reminders` never sends it twice.

    `key` names what the email was about, including the date it was for (a visit moved to
    another date makes a new reminder due).
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Visit reminder"
        REPORT_NUDGE = "report_nudge", "Visit report nudge"
        CLEARANCE_EXPIRY = "clearance_expiry", "Clearance expiry warning"
        SCHOOL_REMINDER = "school_reminder", "Visit reminder to the school"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="notification_sent_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key}"

