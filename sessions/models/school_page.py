"""What is recorded of schools using their own visit page (sessions/schools_side/): which visit, what was
done and when. Like the record of pack downloads: references only, never the page's address (its token)
nor anything the school typed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sessions.models.visits import Visit


class SchoolPageAccess(models.Model):
    class Action(models.TextChoices):
        VIEWED = "viewed", "Opened the page"
        DETAILS = "details", "Confirmed its details"
        AGREED = "agreed", "Agreed to the date"
        OTHER_DATES = "other_dates", "Offered other dates"
        CANCELLED = "cancelled", "Cancelled the visit"

    visit = models.ForeignKey(Visit, null=True, on_delete=models.SET_NULL, related_name="school_page_accesses")
    action = models.CharField(max_length=20, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["visit", "at"], name="school_page_access_visit")]

    def __str__(self) -> str:
        return f"School page of visit {self.visit_id}: {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"
