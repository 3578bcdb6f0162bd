"""The models of the sessions app (label `school_sessions`), re-exported so that
`from sessions.models import Visit` works wherever it is written, migrations included.

- people.py: coordinators, volunteers and their clearance (`Volunteer.is_cleared_on`), unavailability.
- visits.py: session types, visits and their workflow (`Visit.change_status`), session lines,
  assignments and the double-booking rule, reports.
- problems.py: the rules behind `Visit.problems()`, one function each; bank holidays.
- packs.py: the session packs' editable content, stored PDFs, downloads and batches.
- notifications.py: which scheduled emails have been sent.
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
    YEAR_GROUP_CHOICES,
    Assignment,
    AssignmentQuerySet,
    CoverRequest,
    DeclineReason,
    SessionType,
    StaffingOption,
    StatusChange,
    Visit,
    VisitQuerySet,
    VisitReport,
    VisitSession,
    year_group_label,
    year_groups_label,
)

from sessions.models.problems import HOLIDAY_SUBDIVISIONS, Problem, bank_holiday_name, bank_holidays  # isort: skip
from sessions.models.notifications import SentNotification  # isort: skip
from sessions.models.packs import PackBatch, PackContent, PackDownload, StoredPack  # isort: skip
from sessions.models.drafts import TermDraft  # isort: skip

__all__ = [
    "COORDINATORS_GROUP",
    "DATA_ENTRY_GROUP",
    "HOLIDAY_SUBDIVISIONS",
    "VOLUNTEERS_GROUP",
    "YEAR_GROUP_CHOICES",
    "Assignment",
    "AssignmentQuerySet",
    "Coordinator",
    "CoverRequest",
    "DeclineReason",
    "PackBatch",
    "PackContent",
    "PackDownload",
    "Problem",
    "SentNotification",
    "SessionType",
    "StaffingOption",
    "StatusChange",
    "StoredPack",
    "TermDraft",
    "Unavailability",
    "Visit",
    "VisitQuerySet",
    "VisitReport",
    "VisitSession",
    "Volunteer",
    "VolunteerQuerySet",
    "bank_holiday_name",
    "bank_holidays",
    "contact_card",
    "new_token",
    "person_name",
    "year_group_label",
    "year_groups_label",
]
