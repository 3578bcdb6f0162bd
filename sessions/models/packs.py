"""Session packs: their editable content, the rendered PDFs kept in storage, who downloaded them, and
batches of packs built in the background (sessions/packs/ renders and serves them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sessions.models.visits import SessionType, Visit
from stats.models import Area


class PackContent(models.Model):
    """One editable section of the session pack: per session type, or shared by every pack, in one language.

    Staff edit the text in the admin; the pack's cache key covers it, so a change gives a new pack.
    The format of each section is described by `sessions.packs.content.SECTION_HELP`. Every section
    says who wrote it and who reviewed it when; changing the text clears the review, and Welsh text
    is "awaiting review by a Welsh speaker" until staff mark it reviewed.
    """

    class Section(models.TextChoices):
        # Per session type
        KEY_MESSAGES = "key_messages", "Key messages"
        GROUND_RULES = "ground_rules", "Ground rules"
        INTERRUPTING = "interrupting", "Protective interrupting: the words to use"
        OUTLINE = "outline", "Outline with timings"
        STORY = "story", "Story to read aloud"
        CARDS = "cards", "Picture and scenario cards"
        EQUIPMENT = "equipment", "Equipment to bring"
        WORDS_TO_USE = "words_to_use", "Words to use"
        WORDS_TO_AVOID = "words_to_avoid", "Words to avoid"
        QUESTIONS = "questions", "Questions children often ask"
        CLOSING = "closing", "How to close"
        PUPIL_HANDOUT = "pupil_handout", "Pupil handout"
        PUPIL_HANDOUT_SEND = "pupil_handout_send", "Pupil handout, SEND-adapted"
        # Shared by every pack
        ARRIVAL = "arrival", "Arrival and sign-in"
        AFTER_INTERRUPTING = "after_interrupting", "After stopping a disclosure in front of the group"
        SAFEGUARDING = "safeguarding", "If a child tells you something"
        STAFF_CONCERNS = "staff_concerns", "A concern about a member of staff"
        FEELINGS = "feelings", "Feelings faces"
        LOCAL_PICTURE = "local_picture", "Using the local picture with adults"

    SHARED_SECTIONS = (
        Section.ARRIVAL, Section.AFTER_INTERRUPTING, Section.SAFEGUARDING, Section.STAFF_CONCERNS, Section.FEELINGS,
        Section.LOCAL_PICTURE,
    )

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        WELSH = "cy", "Welsh (Cymraeg)"

    session_type = models.ForeignKey(
        SessionType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pack_contents",
        help_text="Leave empty for a section shared by every pack.",
    )
    section = models.CharField(max_length=20, choices=Section.choices)
    language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.ENGLISH,
        help_text="Welsh text is used for Welsh-medium schools and sessions delivered in Welsh; "
        "where a Welsh section is missing the English one is used.",
    )
    body = models.TextField()
    author = models.CharField(max_length=200, default="", help_text="Who wrote this text (a person or team).")
    source_note = models.TextField(
        blank=True, help_text="Where any wording taken from others comes from (for example Childline's own words)."
    )
    reviewed_by = models.CharField(
        max_length=200, blank=True,
        help_text="Who checked this text (the safeguarding lead; for Welsh, a Welsh speaker). "
        "Cleared when the text changes.",
    )
    reviewed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_type__min_age", "session_type__name", "section", "language"]
        verbose_name = "pack content"
        verbose_name_plural = "pack content"
        constraints = [
            models.UniqueConstraint(
                fields=["session_type", "section", "language"], name="pack_content_once_per_section_language"
            ),
            models.UniqueConstraint(
                fields=["section", "language"], condition=Q(session_type__isnull=True),
                name="pack_content_shared_once_per_language",
            ),
        ]

    def __str__(self) -> str:
        language = " (Welsh)" if self.language == self.Language.WELSH else ""
        return f"{self.session_type or 'Every pack'}: {self.get_section_display()}{language}"

    @property
    def is_reviewed(self) -> bool:
        return self.counts_as_reviewed(self.reviewed_by, self.reviewed_on)

    @staticmethod
    def counts_as_reviewed(reviewed_by: str, reviewed_on) -> bool:
        """A section is reviewed when both who checked it and when are recorded."""
        return bool(reviewed_by and reviewed_on)

    @property
    def review_status(self) -> str:
        if self.is_reviewed:
            return f"Reviewed by {self.reviewed_by} on {self.reviewed_on:%-d %B %Y}"
        if self.language == self.Language.WELSH:
            return "Awaiting review by a Welsh speaker"
        return "Awaiting review"

    def clean(self) -> None:
        from sessions.packs.content import validate_section  # noqa: PLC0415 — content.py imports these models

        validate_section(self)

    def save(self, *args, **kwargs) -> None:
        # A review covers the words reviewed: new words need a new review.
        if self.pk and self.reviewed_on:
            before = PackContent.objects.filter(pk=self.pk).values_list("body", flat=True).first()
            if before is not None and before != self.body:
                self.reviewed_by, self.reviewed_on = "", None
        super().save(*args, **kwargs)


class StoredPack(models.Model):
    """A rendered pack in media storage, named by the key over everything it was made from."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="packs")
    key = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="packs/")
    pages = models.PositiveSmallIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Pack for {self.visit_id} ({self.key[:12]})"


class PackDownload(models.Model):
    """Who downloaded which visit's pack and when: references only, no personal data copied."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    visit = models.ForeignKey(Visit, null=True, on_delete=models.SET_NULL, related_name="pack_downloads")
    pack_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Pack for visit {self.visit_id} downloaded by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class PackBatch(models.Model):
    """A coordinator's request for every pack in an area and date range, built as one ZIP by a task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pack_batches")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    first_date = models.DateField()
    last_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="pack-batches/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "pack batches"

    def __str__(self) -> str:
        return f"Packs for {self.area} {self.first_date} to {self.last_date}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
