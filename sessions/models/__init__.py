"""The models of the sessions app (label `school_sessions`), re-exported so that
`from sessions.models import Visit` works wherever it is written, migrations included.

- people.py: coordinators, volunteers and their clearance (`Volunteer.is_cleared_on`), unavailability.
- visits.py: session types, visits and their workflow (`Visit.change_status`), session lines,
  assignments and the double-booking rule, reports.
- problems.py: the rules behind `Visit.problems()`, one function each; bank holidays.
- packs.py: the session packs' editable content, stored PDFs, downloads and batches.
- notifications.py: which scheduled emails have been sent.
- attendance.py: children reached, each counted once (the counting rule), and the checks on a report's figures.
- feedback.py: the school's teacher feedback on a delivered visit.
- school_page.py: what schools did on their own visit page (no tokens, nothing they typed).
- drafts.py: the term planner's drafts, kept for a week.
"""

from sessions.models.people import (
    COORDINATORS_GROUP,
    DATA_ENTRY_GROUP,
    VOLUNTEERS_GROUP,
    Coordinator,
    Unavailability,
    Volunteer,
    VolunteerQuerySet,
    contact_card,
    new_token,
    person_name,
)
from sessions.models.visits import (
    CORRECTION_WINDOW_DAYS,
    SCHOOL_CANCEL_REASONS,
    YEAR_GROUP_CHOICES,
    Assignment,
    AssignmentQuerySet,
    CancelReason,
    CoverRequest,
    DeclineReason,
    SessionType,
    StaffingOption,
    StatusChange,
    Visit,
    VisitNote,
    VisitQuerySet,
    VisitReport,
    VisitSession,
    token_digest,
    year_group_ages,
    year_group_label,
    year_groups_label,
    year_groups_taught,
)

from sessions.models.problems import HOLIDAY_SUBDIVISIONS, Problem, bank_holiday_name, bank_holidays  # isort: skip
from sessions.models.notifications import SentNotification  # isort: skip
from sessions.models.packs import PackBatch, PackContent, PackDownload, StoredPack  # isort: skip
from sessions.models.feedback import TeacherFeedback  # isort: skip
from sessions.models.school_page import SchoolPageAccess  # isort: skip
from sessions.models.drafts import TermDraft  # isort: skip

__all__ = [
    "CORRECTION_WINDOW_DAYS",
    "COORDINATORS_GROUP",
    "DATA_ENTRY_GROUP",
    "HOLIDAY_SUBDIVISIONS",
    "VOLUNTEERS_GROUP",
    "SCHOOL_CANCEL_REASONS",
    "YEAR_GROUP_CHOICES",
    "Assignment",
    "AssignmentQuerySet",
    "CancelReason",
    "Coordinator",
    "CoverRequest",
    "DeclineReason",
    "PackBatch",
    "PackContent",
    "PackDownload",
    "Problem",
    "SchoolPageAccess",
    "SentNotification",
    "SessionType",
    "StaffingOption",
    "StatusChange",
    "StoredPack",
    "TeacherFeedback",
    "TermDraft",
    "Unavailability",
    "Visit",
    "VisitQuerySet",
    "VisitReport",
    "VisitNote",
    "VisitSession",
    "Volunteer",
    "VolunteerQuerySet",
    "bank_holiday_name",
    "bank_holidays",
    "contact_card",
    "new_token",
    "person_name",
    "year_group_ages",
    "token_digest",
    "year_group_label",
    "year_groups_label",
    "year_groups_taught",
]
