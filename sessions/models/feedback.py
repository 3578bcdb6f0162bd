"""Teacher feedback: after a visit is delivered the school's requester is emailed once, with a 1–4
rating as four links and, on the page those open, three more 1–4 questions, "would you like us back?"
and an optional short comment. One response per visit, editable for EDITABLE_DAYS after it was first
given; one reminder REMINDER_AFTER_DAYS after the email when there is no response.

The emailed link's token is its only key (`new_token`: 32 random bytes); nothing else identifies the
visit to the school's browser, and no token is written to a log. Holds no detail about any child: the
comment asks that no child be named.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from sessions.models.people import new_token
from sessions.models.visits import Visit

EDITABLE_DAYS = 14  # a response can be changed this long after it was first given
OPEN_DAYS = 60  # a link nobody answered stops taking a response this long after it was sent
REMINDER_AFTER_DAYS = 7
COMMENT_LENGTH = 500

SCORES = [(4, "Very good"), (3, "Good"), (2, "Fair"), (1, "Poor")]
AGREEMENT = [(4, "Strongly agree"), (3, "Agree"), (2, "Disagree"), (1, "Strongly disagree")]


def score_field(verbose_name: str, choices) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, choices=choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )


class TeacherFeedback(models.Model):
    """The school's feedback on one delivered visit: created when the request is emailed."""

    # The questions on the page after the rating, in order: (field, question). Each is answered 1–4.
    QUESTIONS = [
        ("right_for_ages", "The sessions were right for our pupils' ages"),
        ("pupils_engaged", "Our pupils were engaged"),
        ("volunteers_prepared", "The volunteers were well prepared"),
    ]

    class ComeBack(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Perhaps"
        NO = "no", "No"

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="feedback")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_to = models.EmailField(help_text="The teacher who asked for the visit, when the request was emailed.")
    sent_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    rating = score_field("overall rating of the visit", SCORES)
    right_for_ages = score_field("the sessions were right for our pupils' ages", AGREEMENT)
    pupils_engaged = score_field("our pupils were engaged", AGREEMENT)
    volunteers_prepared = score_field("the volunteers were well prepared", AGREEMENT)
    come_back = models.CharField("would you like us back?", max_length=5, choices=ComeBack.choices, blank=True)
    comment = models.TextField(
        blank=True, max_length=COMMENT_LENGTH, help_text="Optional. The school is asked not to name any child."
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "teacher feedback"
        verbose_name_plural = "teacher feedback"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__range=(1, 4)), name="feedback_rating_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.visit}"

    @property
    def responded(self) -> bool:
        return self.responded_at is not None

    def closes_at(self) -> datetime:
        """When the link stops taking answers: EDITABLE_DAYS after the first answer, or OPEN_DAYS after
        the email when nobody has answered."""
        if self.responded_at:
            return self.responded_at + timedelta(days=EDITABLE_DAYS)
        return self.sent_at + timedelta(days=OPEN_DAYS)

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.closes_at()

    def record(self, now: datetime | None = None, **answers) -> None:
        """Save answers (any of the rating, questions, come_back and comment); the first answer starts
        the EDITABLE_DAYS in which it can be changed. The caller checks `is_open`."""
        now = now or timezone.now()
        for name, value in answers.items():
            setattr(self, name, value)
        if self.responded_at is None:
            self.responded_at = now
        self.updated_at = now
        self.save(update_fields=[*answers, "responded_at", "updated_at"])

    def answers(self) -> list[tuple[str, str]]:
        """(question, answer) for the coordinator's visit page."""
        rows = [("Overall", self.get_rating_display() if self.rating else "Not answered")]
        for name, question in self.QUESTIONS:
            value = getattr(self, name)
            rows.append((question, getattr(self, f"get_{name}_display")() if value else "Not answered"))
        rows.append(("Would you like us back?", self.get_come_back_display() or "Not answered"))
        return rows
