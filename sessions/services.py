"""Operations that span several models: booking volunteers, answering invitations, cover when someone
drops out, saving a visit with its session lines, taking a school's request. Each is all-or-nothing and
says what it changes.

The rules themselves stay on the models (`Visit.problems`, `Volunteer.booking_refusal`,
`AssignmentQuerySet.clashes_with`, `Visit.change_status`); these functions apply them under the locks
that make them hold when two people act at the same moment. Every path that books a volunteer (the
staffing panel, the admin, a cover link) passes the booking gate here; every path that takes someone
off a visit (a decline, a removal, a volunteer leaving, a lapsed clearance) ends in
`keep_confirmation_honest`, so a confirmed visit never stands without its people.

Lock order, everywhere: the visit's row, then volunteers' rows in id order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schools.models import LIVE_VISIT_STATUSES, School
from sessions.models import (
    SCHOOL_CANCEL_REASONS,
    Assignment,
    CancelReason,
    CoverRequest,
    SchoolPageAccess,
    StatusChange,
    Visit,
    VisitNote,
    VisitSession,
    Volunteer,
    year_group_label,
)
from sessions.notifications.emails import notify

# At most this many volunteers are asked to cover at once.
MAX_COVER_REQUESTS = 10

# The database's names for the two constraints that guard bookings (see migration 0004).
BOOKING_CONSTRAINTS = ("assignment_no_double_booking", "assignment_once_per_visit")


def is_booking_conflict(error: IntegrityError) -> bool:
    return any(name in str(error) for name in BOOKING_CONSTRAINTS) or "school_sessions_assignment.visit_id" in str(
        error
    )


def lock_for_booking(*, visit_id: int | None, volunteer_ids) -> None:
    """Lock the visit's row, then the volunteers' rows in id order, until the transaction ends.

    Every path that books a volunteer (the staffing view, the visit form, the admin) takes its locks in
    this order, so two never deadlock, and a second booking waits for the first and then sees it.
    """
    if visit_id:
        list(Visit.objects.select_for_update().filter(pk=visit_id).values_list("pk", flat=True))
    list(
        Volunteer.objects.select_for_update()
        .filter(pk__in=list(volunteer_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _book(*, visit: Visit, volunteer: Volunteer, role: str, status: str) -> Assignment:
    """Create the booking once the caller holds the locks and has applied the rules.

    On PostgreSQL an exclusion constraint refuses any double booking that got past the check; that
    refusal comes back as a ValidationError, never as a database error.
    """
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                visit=visit, volunteer=volunteer, role=role, status=status,
                responded_at=timezone.now() if status == Assignment.Status.ACCEPTED else None,
            )
    except IntegrityError as error:
        # Only reachable when the lock was bypassed (PostgreSQL's exclusion constraint, or the
        # once-per-visit constraint): say what happened instead of failing.
        if not is_booking_conflict(error):
            raise
        if Assignment.objects.filter(visit=visit, volunteer=volunteer).exists():
            raise ValidationError(f"{volunteer.name} is already on this visit.") from None
        raise ValidationError(
            f"{volunteer.name} was booked for another visit at this time a moment ago, "
            "so cannot be booked for this one."
        ) from None


def booking_refusal(*, visit: Visit, volunteer: Volunteer, role: str) -> str | None:
    """Why `volunteer` may not be booked on `visit` as `role` now (None: they may). The caller holds the
    locks. The booking gate: cleared on the visit's date, not already on it, a lead who may lead, one
    lead, no double booking."""
    if visit.is_closed:
        return f"A {visit.get_status_display().lower()} visit cannot be staffed."
    refusal = volunteer.booking_refusal(visit.date)
    if refusal:
        return refusal
    if Assignment.objects.filter(visit=visit, volunteer=volunteer).exists():
        return f"{volunteer.name} is already on this visit."
    if role == Assignment.Role.LEAD and not volunteer.may_lead:
        return cannot_lead(volunteer)
    if role == Assignment.Role.LEAD and visit.assignments.booked().filter(role=Assignment.Role.LEAD).exists():
        return "This visit already has a lead volunteer. Remove them first, or assign as support."
    clash = Assignment.objects.clashes_with(visit, volunteers=[volunteer]).first()
    return clash.clash_message() if clash else None


def cannot_lead(volunteer: Volunteer) -> str:
    """The one message for booking as lead a volunteer who may not lead."""
    return (f"{volunteer.name} cannot be booked as lead: a coordinator has not marked them as able to lead. "
            "Assign them as support.")


def assign_volunteer(*, visit: Visit, volunteer: Volunteer, role: str, by) -> Assignment:
    """Invite `volunteer` to `visit` as lead or support, unless the booking gate refuses it.

    Side effects: locks the visit's and the volunteer's rows until the transaction ends (two
    coordinators booking one volunteer are taken one after the other, and the second sees the first's
    booking); creates an Assignment in status "invited" (the notification receivers email the
    volunteer). Raises ValidationError with a message for the coordinator when the booking is refused;
    nothing is created then.
    """
    if role not in Assignment.Role.values:
        raise ValidationError("Choose lead or support.")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("school").get(pk=visit.pk)
        volunteer = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
        refusal = booking_refusal(visit=visit, volunteer=volunteer, role=role)
        if refusal:
            raise ValidationError(refusal)
        return _book(visit=visit, volunteer=volunteer, role=role, status=Assignment.Status.INVITED)


def keep_confirmation_honest(*, visit: Visit, because: str) -> bool:
    """A confirmed visit that no longer has an accepted lead and enough accepted volunteers goes back to
    proposed by itself, saying why in its history ("automatic: Sam Okafor declined; no lead"), and its
    coordinators are emailed. The caller holds the visit's lock. Returns whether it was unconfirmed."""
    if visit.status != Visit.Status.CONFIRMED:
        return False
    staffing = visit.staffing()
    if staffing.holds:
        return False
    visit.change_status(Visit.Status.PROPOSED, by=None, reason=f"automatic: {because}; {staffing.shortfall()}")
    notify("visit_unconfirmed", visit_id=visit.pk)
    return True


def _note_drop_out(visit: Visit, today: date | None = None) -> None:
    """A drop-out within COVER_WINDOW_DAYS of the visit leaves it needing cover (the dashboard's top list)."""
    today = today or timezone.localdate()
    if visit.cover_needed_since is None and visit.date - today <= timedelta(days=settings.COVER_WINDOW_DAYS):
        if visit.staffing().needs_cover:
            visit.cover_needed_since = timezone.now()
            Visit.objects.filter(pk=visit.pk).update(cover_needed_since=visit.cover_needed_since)


def remove_assignment(*, assignment: Assignment, by) -> None:
    """Take a volunteer off a visit that has not happened yet.

    Side effects: deletes the Assignment (the volunteer is free at that time again, and the visit
    leaves their calendar feed); emails the volunteer; marks the visit as needing cover when it is
    close; unconfirms a confirmed visit left without its people. Raises ValidationError when the visit
    is delivered or cancelled.
    """
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=assignment.visit_id)
        if visit.is_closed:
            raise ValidationError(f"Volunteers cannot be removed from a {visit.get_status_display().lower()} visit.")
        name = assignment.volunteer.name
        was_booked = assignment.status != Assignment.Status.DECLINED
        Assignment.objects.filter(pk=assignment.pk).delete()
        if was_booked:
            notify("removed", visit_id=visit.pk, volunteer_id=assignment.volunteer_id)
            _note_drop_out(visit)
            keep_confirmation_honest(visit=visit, because=f"{name} was taken off the visit")


def answer_invitation(
    *, assignment: Assignment, accept: bool, reason: str = "", note: str = "", today: date | None = None
) -> None:
    """The volunteer accepts or declines (a decline with a reason from the list).

    Side effects: saves the assignment (the receivers email the coordinator about a decline); after a
    decline, marks the visit as needing cover when it is close and unconfirms a confirmed visit left
    without its people. Raises ValidationError saying why an answer cannot be given.
    """
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=assignment.visit_id)
        assignment = Assignment.objects.select_related("volunteer__user", "visit").get(pk=assignment.pk)
        if accept:
            assignment.accept(today)
            return
        assignment.decline(today, reason=reason, note=note)
        _note_drop_out(visit, today)
        keep_confirmation_honest(visit=visit, because=f"{assignment.volunteer.name} declined")


def make_lead(*, visit: Visit, assignment: Assignment, by) -> None:
    """Promote an accepted supporter to lead in one step; the former lead, if any, becomes support.

    Raises ValidationError when the visit is closed or the volunteer has not accepted or is not on it.
    """
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if visit.is_closed:
            raise ValidationError(f"A {visit.get_status_display().lower()} visit cannot be staffed.")
        assignment = visit.assignments.booked().select_related("volunteer__user").filter(pk=assignment.pk).first()
        if assignment is None:
            raise ValidationError("That volunteer is no longer on this visit.")
        if assignment.role == Assignment.Role.LEAD:
            raise ValidationError(f"{assignment.volunteer.name} is already the lead.")
        if assignment.status != Assignment.Status.ACCEPTED:
            raise ValidationError(f"{assignment.volunteer.name} has not accepted yet, so cannot lead.")
        if not assignment.volunteer.may_lead:
            raise ValidationError(cannot_lead(assignment.volunteer))
        for former in visit.assignments.booked().filter(role=Assignment.Role.LEAD):
            former.role = Assignment.Role.SUPPORT
            former.save(update_fields=["role"])
        assignment.role = Assignment.Role.LEAD
        assignment.save(update_fields=["role"])


def volunteer_stopped(*, volunteer: Volunteer, because: str, today: date | None = None) -> int:
    """A volunteer marked inactive (or as having left): every confirmed visit still to come that relied
    on them is unconfirmed, saying why. Returns how many were."""
    today = today or timezone.localdate()
    visit_ids = list(
        volunteer.assignments.booked()
        .filter(visit__status=Visit.Status.CONFIRMED, visit__date__gte=today)
        .values_list("visit_id", flat=True)
    )
    unconfirmed = 0
    for visit_id in visit_ids:
        with transaction.atomic():
            visit = Visit.objects.select_for_update().get(pk=visit_id)
            # Staying on the visit still leaves it without a cleared volunteer: it cannot stay confirmed.
            if visit.status == Visit.Status.CONFIRMED:
                visit.change_status(Visit.Status.PROPOSED, by=None, reason=f"automatic: {volunteer.name} {because}")
                notify("visit_unconfirmed", visit_id=visit.pk)
                unconfirmed += 1
    return unconfirmed


def recheck_confirmed_visits(today: date | None = None) -> int:
    """The daily check: a confirmed visit still to come with a booked volunteer who will not be cleared on
    its date (a DBS check, status check or training lapses first) goes back to proposed, saying who and
    why. Returns how many visits were unconfirmed."""
    today = today or timezone.localdate()
    confirmed = (
        Visit.objects.filter(status=Visit.Status.CONFIRMED, date__gte=today)
        .prefetch_related("assignments__volunteer__user")
        .order_by("date", "pk")
    )
    unconfirmed = 0
    for visit in confirmed:
        lapsing = [
            (a.volunteer, issues)
            for a in visit.assignments.all()
            if a.status != Assignment.Status.DECLINED and (issues := a.volunteer.clearance_issues(visit.date))
        ]
        if not lapsing:
            continue
        with transaction.atomic():
            locked = Visit.objects.select_for_update().get(pk=visit.pk)
            if locked.status != Visit.Status.CONFIRMED:
                continue
            because = "; ".join(f"{volunteer.name} {issues[0]}" for volunteer, issues in lapsing)
            locked.change_status(Visit.Status.PROPOSED, by=None, reason=f"automatic: {because}"[:300])
            notify("visit_unconfirmed", visit_id=locked.pk)
            unconfirmed += 1
    return unconfirmed


# --- Cover when someone drops out


def cover_refusal(*, visit: Visit, volunteer: Volunteer, role: str) -> str | None:
    """Why `volunteer` may not cover `visit` now: the booking gate, or a day they said they are away."""
    refusal = booking_refusal(visit=visit, volunteer=volunteer, role=role)
    if refusal:
        return refusal
    away = volunteer.unavailabilities.filter(starts_on__lte=visit.date, ends_on__gte=visit.date).first()
    if away:
        return f"{volunteer.name} cannot be booked: is away from {away.starts_on:%-d %B} to {away.ends_on:%-d %B %Y}."
    return None


def cover_candidates(visit: Visit, pool, limit: int) -> tuple[list, int]:
    """The `limit` volunteers best placed to cover the visit (the staffing panel's ranking, eligible only)
    and how many may cover it in all."""
    ranking = visit.staffing_options(pool, limit=limit)
    return [option for option in ranking.options if option.eligible], ranking.eligible


def send_cover_requests(*, visit: Visit, volunteers: Iterable[Volunteer], by) -> list[CoverRequest]:
    """Ask up to MAX_COVER_REQUESTS volunteers to cover the visit, each by a one-time link in an email.

    Side effects: creates (or reuses the open) CoverRequest per volunteer and emails each. Raises
    ValidationError when the visit does not need cover, too many are chosen, or one of them could not
    be booked now (naming them and why); nothing is sent then.
    """
    volunteers = list(volunteers)
    if not volunteers:
        raise ValidationError("Choose at least one volunteer to ask.")
    if len(volunteers) > MAX_COVER_REQUESTS:
        raise ValidationError(f"Ask at most {MAX_COVER_REQUESTS} volunteers at a time.")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("school").get(pk=visit.pk)
        staffing = visit.staffing()
        if visit.is_closed or not staffing.needs_cover:
            raise ValidationError("This visit does not need cover: it has its lead and volunteers.")
        role = Assignment.Role.LEAD if staffing.lead is None else Assignment.Role.SUPPORT
        refusals = [r for v in volunteers if (r := cover_refusal(visit=visit, volunteer=v, role=role))]
        if refusals:
            raise ValidationError(refusals)
        requests = []
        for volunteer in volunteers:
            request, _created = CoverRequest.objects.get_or_create(
                visit=visit, volunteer=volunteer, outcome=CoverRequest.Outcome.OPEN, defaults={"sent_by": by}
            )
            notify("cover_request", cover_request_id=request.pk)
            requests.append(request)
    return requests


@dataclass(frozen=True)
class CoverAnswer:
    """What a volunteer who followed a cover link is told."""

    booked: bool
    message: str


def claim_cover(*, token: str, now: datetime | None = None) -> CoverAnswer:
    """A volunteer answers "I can" from their cover link.

    While the visit still needs cover, they are booked as accepted (as lead when the visit has none)
    and the coordinators are told; once it is covered, the other open links of the visit close. A
    second click, a link for a covered visit, or one whose visit has started gets a plain answer; a
    volunteer who could not be booked now is told why. The visit's row is locked first, so two clicks
    at the same moment are taken one after the other. Raises CoverRequest.DoesNotExist for an unknown token.
    """
    now = now or timezone.now()
    with transaction.atomic():
        visit_id = CoverRequest.objects.values_list("visit_id", flat=True).get(token=token)
        visit = Visit.objects.select_for_update().select_related("school").get(pk=visit_id)
        request = CoverRequest.objects.select_related("volunteer__user").get(token=token)
        volunteer = Volunteer.objects.select_for_update().select_related("user").get(pk=request.volunteer_id)
        if request.outcome == CoverRequest.Outcome.BOOKED:
            return CoverAnswer(True, f"You are booked for {visit.school.name}. Thank you.")
        if not request.is_open:
            return CoverAnswer(False, "Already covered — thank you.")
        if visit.is_cancelled:
            return _close(
                request, CoverRequest.Outcome.COVERED, "This visit has been cancelled. Thank you all the same."
            )
        if now >= visit.starts:
            return _close(
                request, CoverRequest.Outcome.COVERED, "This visit has already started. Thank you all the same."
            )
        staffing = visit.staffing()
        if visit.is_closed or not staffing.needs_cover:
            return _close(request, CoverRequest.Outcome.COVERED, "Already covered — thank you.")
        role = Assignment.Role.LEAD if staffing.lead is None else Assignment.Role.SUPPORT
        refusal = cover_refusal(visit=visit, volunteer=volunteer, role=role)
        if refusal:
            return _close(
                request, CoverRequest.Outcome.REFUSED, to_the_volunteer(refusal, volunteer.name)
            )
        assignment = _book(visit=visit, volunteer=volunteer, role=role, status=Assignment.Status.ACCEPTED)
        _close(request, CoverRequest.Outcome.BOOKED, "")
        notify("cover_booked", assignment_id=assignment.pk)
        if not visit.staffing().needs_cover:
            Visit.objects.filter(pk=visit.pk).update(cover_needed_since=None)
            for other in visit.cover_requests.filter(outcome=CoverRequest.Outcome.OPEN):
                _close(other, CoverRequest.Outcome.COVERED, "")
    as_role = "the lead" if role == Assignment.Role.LEAD else "a volunteer"
    return CoverAnswer(
        True,
        f"You are booked as {as_role} for {visit.school.name} on {visit.date:%A %-d %B} at "
        f"{visit.starts_at:%H:%M}. Thank you.",
    )


def to_the_volunteer(refusal: str, name: str) -> str:
    """A refusal written for the coordinator ("Sam cannot be booked: has …; is …"), said to Sam."""
    told = refusal.replace(f"{name} cannot be booked: ", "You cannot be booked for this visit: ")
    return re.sub(r"(: |; )is ", r"\1you are ", re.sub(r"(: |; )has ", r"\1you have ", told))


def _close(request: CoverRequest, outcome: str, note: str) -> CoverAnswer:
    request.outcome, request.outcome_note, request.answered_at = outcome, note[:300], timezone.now()
    request.save(update_fields=["outcome", "outcome_note", "answered_at"])
    return CoverAnswer(outcome == CoverRequest.Outcome.BOOKED, note)


def save_visit(
    *,
    visit: Visit,
    sessions: Iterable[VisitSession],
    removed: Iterable[VisitSession] = (),
    by,
    seen_version: int | None = None,
) -> Visit:
    """Save a new or changed visit with its session lines, all or nothing.

    A new visit is "proposed" and coordinated by `by`; a requested visit keeps its status and gains
    `by` as its coordinator. A visit whose new time would double-book a volunteer already on it is
    refused (the volunteers' rows are locked while checking, as in `assign_volunteer`). A change made
    from `seen_version` when the visit has been saved since is refused (Visit.CHANGED_MEANWHILE).

    Side effects: saves the Visit (raising its version when it existed), deletes `removed` session
    lines, saves `sessions` on the visit, moves the volunteers' booked time with the visit.
    Raises ValidationError with a message when refused.
    """
    with transaction.atomic():
        volunteers: list[Volunteer] = []
        if visit.pk:
            current = Visit.objects.select_for_update().get(pk=visit.pk)
            if seen_version is not None and seen_version != current.version:
                raise ValidationError(Visit.CHANGED_MEANWHILE)
            if current.is_closed:
                raise ValidationError(f"A {current.get_status_display().lower()} visit cannot be changed.")
            visit.version = current.version + 1
            for name in Visit.SCHOOL_SIDE_FIELDS:
                setattr(visit, name, getattr(current, name))
            if (current.date, current.starts_at, current.ends_at) != (visit.date, visit.starts_at, visit.ends_at):
                # The school agreed to the old date and time: it is asked again (the "changed" email).
                visit.clear_school_agreement()
            booked = Assignment.objects.filter(visit=visit).booked()
            volunteers = list(
                Volunteer.objects.select_for_update().filter(pk__in=booked.values("volunteer_id")).order_by("pk")
            )
        else:
            visit.status = Visit.Status.PROPOSED
        if visit.coordinator_id is None:
            visit.coordinator = by
        if volunteers:
            messages = [
                clash.clash_message() for clash in Assignment.objects.clashes_with(visit, volunteers=volunteers)
            ]
            if messages:
                raise ValidationError(["Moving the visit would double-book its volunteers:", *messages])
        try:
            with transaction.atomic():
                visit.save()
                for line in removed:
                    if line.pk:
                        line.delete()
                for line in sessions:
                    line.visit = visit
                    line.save()
        except IntegrityError as error:
            if not is_booking_conflict(error):
                raise
            raise ValidationError(
                "A volunteer on this visit was booked elsewhere at the new time a moment ago. "
                "Check the problems and try again."
            ) from None
    return visit


@dataclass(frozen=True)
class VisitRequest:
    """What a school asked for through the public request form (sessions/planning/request.py)."""

    school: School
    first_date: date
    requester_name: str
    requester_role: str
    requester_email: str
    requester_phone: str
    safeguarding_lead_name: str = ""
    safeguarding_lead_role: str = ""
    safeguarding_lead_phone: str = ""
    safeguarding_lead_email: str = ""
    preferred_dates: str = ""
    preferred_weekdays: tuple[int, ...] = ()
    preferred_time: str = ""
    dates_to_avoid: tuple[str, ...] = ()  # ISO dates
    pupils_by_year: dict[str, int] | None = None
    needs_send: bool = False
    needs_welsh: bool = False

    def visit_fields(self) -> dict:
        return {
            "date": self.first_date,
            "requester_name": self.requester_name.strip(),
            "requester_role": self.requester_role,
            "requester_email": self.requester_email.strip(),
            "requester_phone": self.requester_phone.strip(),
            "safeguarding_lead_name": self.safeguarding_lead_name.strip(),
            "safeguarding_lead_role": self.safeguarding_lead_role.strip(),
            "safeguarding_lead_phone": self.safeguarding_lead_phone.strip(),
            "safeguarding_lead_email": self.safeguarding_lead_email.strip(),
            "preferred_dates": self.preferred_dates.strip(),
            "preferred_weekdays": sorted(set(self.preferred_weekdays)),
            "preferred_time": self.preferred_time,
            "dates_to_avoid": sorted(set(self.dates_to_avoid)),
            "pupils_by_year": {key: n for key, n in (self.pupils_by_year or {}).items() if n},
            "needs_send": self.needs_send,
            "needs_welsh": self.needs_welsh,
        }

    def in_words(self) -> str:
        """The request as a coordinator reads it in a note on the visit it was added to."""
        asked = Visit(**self.visit_fields())
        lines = [f"First choice: {self.first_date:%A %-d %B %Y}."]
        if asked.preferred_dates:
            lines.append(f"Other dates that suit: {asked.preferred_dates}")
        if asked.preferences:
            lines.append(f"Preferences: {'; '.join(asked.preferences)}.")
        if asked.pupils_by_year:
            counts = "; ".join(f"{year_group_label(int(year), self.school.nation)}: {n}"
                               for year, n in sorted(asked.pupils_by_year.items(), key=lambda item: int(item[0])))
            lines.append(f"Pupils: {counts}.")
        needs = [need for need, wanted in (("SEND adaptations", self.needs_send),
                                           ("sessions in Welsh", self.needs_welsh)) if wanted]
        if needs:
            lines.append(f"Needs: {' and '.join(needs)}.")
        if asked.safeguarding_lead_name:
            lead = ", ".join(filter(None, (asked.safeguarding_lead_name, asked.safeguarding_lead_role,
                                           asked.safeguarding_lead_phone, asked.safeguarding_lead_email)))
            lines.append(f"Safeguarding lead: {lead}.")
        return "\n".join(lines)


@dataclass(frozen=True)
class RequestOutcome:
    visit: Visit
    # Set when the school already had a live visit: the request was added to it as this note.
    note: VisitNote | None = None

    @property
    def is_new(self) -> bool:
        return self.note is None


def request_visit(*, asked: VisitRequest) -> RequestOutcome:
    """Record a school's request for a visit, for the coordinators of the school's area to answer.

    Side effects: when the school has no visit requested, proposed or confirmed, creates a Visit in status
    "requested" with no coordinator, on the school's first choice of date (the notification receivers tell
    the area's coordinators). When it has one, no second visit is made: the request is added to the
    earliest such visit as a VisitNote, which its page and the planners' dashboard show. The school's row
    is locked meanwhile, so two requests sent at the same moment make one visit and one note. A new visit's
    requester is emailed what they asked for, with the link to the visit's own page.
    """
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=asked.school.pk).first()
        live = Visit.objects.filter(school=asked.school, status__in=LIVE_VISIT_STATUSES).order_by("created_at", "pk")
        existing = live.first()
        if existing is None:
            visit = Visit.objects.create(school=asked.school, status=Visit.Status.REQUESTED, **asked.visit_fields())
            notify("school_request_received", visit_id=visit.pk)
            return RequestOutcome(visit=visit)
        # Kept in English whatever language the school used the form in: coordinators read it.
        with translation.override("en-gb"):
            role = str(Visit.RequesterRole(asked.requester_role).label) if asked.requester_role else ""
        note = VisitNote.objects.create(
            visit=existing,
            author_name=asked.requester_name.strip(),
            author_role=str(role),
            author_email=asked.requester_email.strip(),
            author_phone=asked.requester_phone.strip(),
            text=asked.in_words(),
        )
        return RequestOutcome(visit=existing, note=note)


# --- Cancelling (by the coordinator or the school) and rebooking


def cancel_reason_text(category: str, text: str) -> str:
    """The reason as the visit's history keeps it: the coordinator's or school's own words, else the
    category's (the category itself is kept apart, in `cancel_category`). Raises ValidationError for a
    category not on the list, or "other" without words."""
    if category not in CancelReason.values:
        raise ValidationError("Choose why the visit is cancelled.")
    text = " ".join(text.split())
    if category == CancelReason.OTHER and not text:
        raise ValidationError("Say in a few words why the visit is cancelled.")
    return text[:250] or str(CancelReason(category).label)


def cancel_visit(*, visit: Visit, category: str, text: str = "", by, seen_version: int | None = None,
                 by_school: str = "") -> Visit:
    """Cancel the visit with a reason from the list (`CancelReason`), by a coordinator (`by`) or by the
    school on its own page (`by` None, `by_school` the name the school gave).

    Side effects: the status change and its history (the receivers email the volunteers and the school);
    records the reason's category; gives the school's page a new address, so the old link stops working.
    Raises ValidationError when the reason is missing or the visit cannot be cancelled.
    """
    reason = cancel_reason_text(category, text)
    if by_school:
        reason = f"{StatusChange.BY_SCHOOL}{by_school[:60]}. {reason}"
    with transaction.atomic():
        current = Visit.objects.select_for_update().get(pk=visit.pk)
        if seen_version is not None:
            current.version = seen_version
        current.change_status(Visit.Status.CANCELLED, by=by, reason=reason[:300])
        current.cancel_category = category
        fields = ["cancel_category", *current.retire_school_token()]
        current._change_reason = "Cancelled"
        current.save(update_fields=fields)
    return current


# What "Cancel and rebook" copies to the new request: who asked, how many pupils, what they wanted.
REBOOK_FIELDS = (
    "requester_name", "requester_role", "requester_email", "requester_phone", "preferred_dates", "pupils_by_year",
    "needs_send", "needs_welsh", "preferred_weekdays", "preferred_time", "dates_to_avoid", "safeguarding_lead_name",
    "safeguarding_lead_role", "safeguarding_lead_phone", "safeguarding_lead_email", "hall_and_equipment",
    "arrival_instructions",
)


def cancel_and_rebook(*, visit: Visit, category: str, text: str = "", by, seen_version: int | None = None,
                      today: date | None = None) -> Visit:
    """Cancel the visit (as `cancel_visit`) and open a new request for the same school, coordinated by
    `by`, with the school's contact, pupils, session lines and wishes copied; returns the new visit.

    Its date is the cancelled visit's, or (when that has passed) the first weekday a fortnight from today:
    a starting point the coordinator changes when proposing a date. All or nothing.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        cancelled = cancel_visit(visit=visit, category=category, text=text, by=by, seen_version=seen_version)
        day = cancelled.date if cancelled.date > today else today + timedelta(days=14)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        new = Visit(
            school=cancelled.school, date=day, starts_at=cancelled.starts_at, ends_at=cancelled.ends_at,
            status=Visit.Status.REQUESTED, coordinator=by, rebooked_from=cancelled,
            notes=f"Rebooked after the visit on {cancelled.date:%-d %B %Y} was cancelled ({cancelled.cancel_reason}).",
            **{name: getattr(cancelled, name) for name in REBOOK_FIELDS},
        )
        new._change_reason = "Rebooked"
        new.save()
        for line in cancelled.sessions.all():
            VisitSession.objects.create(
                visit=new, session_type_id=line.session_type_id, starts_at=line.starts_at,
                year_groups=list(line.year_groups), pupils=line.pupils, send_adapted=line.send_adapted,
                welsh_language=line.welsh_language,
            )
    return new


# --- The school's own page (sessions/schools_side/): the token is the school's only key


def school_page_issue(visit: Visit, today: date | None = None) -> str | None:
    """Why the school cannot change anything on its page now (None: it can), in the page's language."""
    today = today or timezone.localdate()
    if visit.is_cancelled:
        return _("This visit has been cancelled.")
    if visit.status == Visit.Status.DELIVERED or visit.date < today:
        return _("This visit has already taken place.")
    return None


def _school_visit(visit: Visit, today: date | None) -> Visit:
    current = Visit.objects.select_for_update().get(pk=visit.pk)
    issue = school_page_issue(current, today)
    if issue:
        raise ValidationError(issue)
    return current


def log_school_page(visit: Visit, action: str) -> None:
    """Record what the school did on its page (no token, nothing it typed)."""
    SchoolPageAccess.objects.create(visit=visit, action=action)


def school_confirm_details(*, visit: Visit, details: dict, today: date | None = None) -> Visit:
    """The school confirms its safeguarding lead, the hall and equipment, parking and arrival.

    Side effects: saves those fields and when they were confirmed; records the action.
    """
    fields = ["safeguarding_lead_name", "safeguarding_lead_role", "safeguarding_lead_phone",
              "safeguarding_lead_email", "hall_and_equipment", "arrival_instructions"]
    with transaction.atomic():
        current = _school_visit(visit, today)
        for name in fields:
            setattr(current, name, details[name])
        current.school_details_at = timezone.now()
        current._change_reason = "The school confirmed its details"
        current.save(update_fields=[*fields, "school_details_at", "updated_at"])
        log_school_page(current, SchoolPageAccess.Action.DETAILS)
    return current


def school_agree(*, visit: Visit, name: str, seen: str, today: date | None = None) -> Visit:
    """The school agrees to the proposed date and time (`seen`: `Visit.when_key` of what it was shown).

    Side effects: records who agreed, when, and to which date and time; clears any other dates it had
    offered; records the action; tells the coordinators. Raises ValidationError when the visit has no
    proposed date yet or its date or time changed while the school was reading.
    """
    with transaction.atomic():
        current = _school_visit(visit, today)
        if current.status == Visit.Status.REQUESTED:
            raise ValidationError(_("The coordinator has not proposed a date yet: we will email you when they do."))
        if seen != when_key(current):
            raise ValidationError(
                _("The date or time of this visit changed while you were reading. Please check it again.")
            )
        current.school_agreed_by, current.school_agreed_at = " ".join(name.split())[:200], timezone.now()
        current.school_agreed_date = current.date
        current.school_agreed_starts_at, current.school_agreed_ends_at = current.starts_at, current.ends_at
        current.school_other_dates, current.school_other_dates_note, current.school_other_dates_at = [], "", None
        current._change_reason = "The school agreed to the date"
        current.save(update_fields=[
            "school_agreed_by", "school_agreed_at", "school_agreed_date", "school_agreed_starts_at",
            "school_agreed_ends_at", "school_other_dates", "school_other_dates_note", "school_other_dates_at",
            "updated_at",
        ])
        log_school_page(current, SchoolPageAccess.Action.AGREED)
        notify("school_answered", visit_id=current.pk, answer="agreed")
    return current


def school_offer_dates(*, visit: Visit, dates: list[date], note: str = "", today: date | None = None) -> Visit:
    """The school says the proposed date does not work and offers others (the caller has checked them).

    Side effects: saves the dates and note (the visit's `school_not_confirmed` warning shows them to the
    coordinator), withdraws any earlier agreement, records the action, tells the coordinators.
    """
    with transaction.atomic():
        current = _school_visit(visit, today)
        current.school_other_dates = sorted({d.isoformat() for d in dates})
        current.school_other_dates_note = " ".join(note.split())[:500]
        current.school_other_dates_at = timezone.now()
        fields = ["school_other_dates", "school_other_dates_note", "school_other_dates_at", "updated_at"]
        fields += current.clear_school_agreement()
        current._change_reason = "The school offered other dates"
        current.save(update_fields=fields)
        log_school_page(current, SchoolPageAccess.Action.OTHER_DATES)
        notify("school_answered", visit_id=current.pk, answer="other_dates")
    return current


def school_cancel(*, visit: Visit, category: str, text: str, name: str, today: date | None = None) -> Visit:
    """The school cancels the visit on its own page, with a reason from its list.

    Side effects: as `cancel_visit` (the page's address changes); records the action; tells the coordinators.
    """
    if category not in SCHOOL_CANCEL_REASONS:
        raise ValidationError("Choose why the visit is cancelled.")
    with transaction.atomic():
        current = _school_visit(visit, today)
        current = cancel_visit(visit=current, category=category, text=text, by=None,
                               by_school=" ".join(name.split()) or "the school")
        log_school_page(current, SchoolPageAccess.Action.CANCELLED)
        notify("school_answered", visit_id=current.pk, answer="cancelled")
    return current


def when_key(visit: Visit) -> str:
    """The date and times a school was shown, to refuse an answer to a date that has since changed."""
    return f"{visit.date.isoformat()}T{visit.starts_at:%H:%M}-{visit.ends_at:%H:%M}"
