"""Term drafts: what the term planner proposed for a coordinator, kept for a week while they choose.

The rows are JSON (each proposed visit with its reasons, each school left out with why): a draft is a
snapshot, not a booking. Nothing in it holds a volunteer or a date; the visits are made only when the
coordinator ticks rows (`sessions.planning.term.create_row`). The daily run (`send_reminders`) deletes
drafts older than TERM_DRAFT_KEEP_DAYS.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from schools.models import academic_year_label
from stats.models import Area


class TermDraft(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Planning"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    class Term(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="term_drafts")
    areas = models.ManyToManyField(Area, related_name="+")
    academic_year = models.PositiveSmallIntegerField(help_text="The year it starts: 2026 for 2026/27.")
    term = models.CharField(max_length=10, choices=Term.choices)
    avoid_weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday … 4 = Friday.")
    monthly_cap = models.PositiveSmallIntegerField(help_text="Most visits a volunteer is proposed for in a month.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=100, blank=True)
    visits = models.JSONField(default=list, blank=True)
    left_out = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Draft of the {self.label}"

    @property
    def label(self) -> str:
        return f"{self.term} term {academic_year_label(self.academic_year)}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
