"""Operations that span several models: booking volunteers, saving a visit with its session lines,
taking a school's request. Each is all-or-nothing and says what it changes.

The rules themselves stay on the models (`Visit.problems`, `AssignmentQuerySet.clashing`,
`Visit.change_status`); these functions apply them under the locks that make them hold when two
coordinators act at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from schools.models import School
from sessions.models import Assignment, Visit, VisitSession, Volunteer

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


def assign_volunteer(*, visit: Visit, volunteer: Volunteer, role: str, by) -> Assignment:
    """Invite `volunteer` to `visit` as lead or support, unless that would double-book them.

    Side effects: locks the visit's and the volunteer's rows until the transaction ends (two
    coordinators booking one volunteer are taken one after the other, and the second sees the first's
    booking); creates an Assignment in status "invited" (the notification receivers email the
    volunteer). On PostgreSQL an exclusion constraint refuses any double booking that got past the
    check; that refusal comes back as the same ValidationError, never as a database error.

    Raises ValidationError with a message for the coordinator when the booking is refused.
    """
    if role not in Assignment.Role.values:
        raise ValidationError("Choose lead or support.")
    with transaction.atomic():
        # Always visit first, then volunteers: the same order as save_visit, so the two never deadlock.
        visit = Visit.objects.select_for_update().select_related("school").get(pk=visit.pk)
        volunteer = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
        if visit.is_closed:
            raise ValidationError(f"A {visit.get_status_display().lower()} visit cannot be staffed.")
        if Assignment.objects.filter(visit=visit, volunteer=volunteer).exists():
            raise ValidationError(f"{volunteer.name} is already on this visit.")
        if role == Assignment.Role.LEAD:
            lead = visit.assignments.filter(role=Assignment.Role.LEAD).exclude(status=Assignment.Status.DECLINED)
            if lead.exists():
                raise ValidationError(
                    "This visit already has a lead volunteer. Remove them first, or assign as support."
                )
        clash = Assignment.objects.clashes_with(visit, volunteers=[volunteer]).first()
        if clash:
            raise ValidationError(clash.clash_message())
        try:
            with transaction.atomic():
                return Assignment.objects.create(
                    visit=visit, volunteer=volunteer, role=role, status=Assignment.Status.INVITED
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


def remove_assignment(*, assignment: Assignment, by) -> None:
    """Take a volunteer off a visit that has not happened yet.

    Side effects: deletes the Assignment (the volunteer is free at that time again).
    Raises ValidationError when the visit is delivered or cancelled.
    """
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=assignment.visit_id)
        if visit.is_closed:
            raise ValidationError(f"Volunteers cannot be removed from a {visit.get_status_display().lower()} visit.")
        Assignment.objects.filter(pk=assignment.pk).delete()


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


def request_visit(
    *,
    school: School,
    first_date: date,
    preferred_dates: str,
    requester_name: str,
    requester_email: str,
    requester_phone: str,
    pupils_by_year: dict[str, int],
    needs_send: bool,
    needs_welsh: bool,
) -> Visit:
    """Record a school's request for a visit, for the coordinators of the school's area to answer.

    Side effects: creates a Visit in status "requested" with no coordinator, on the school's first
    preferred date (the notification receivers may tell the area's coordinators).
    """
    return Visit.objects.create(
        school=school,
        date=first_date,
        status=Visit.Status.REQUESTED,
        preferred_dates=preferred_dates.strip(),
        requester_name=requester_name.strip(),
        requester_email=requester_email.strip(),
        requester_phone=requester_phone.strip(),
        pupils_by_year={key: n for key, n in pupils_by_year.items() if n},
        needs_send=needs_send,
        needs_welsh=needs_welsh,
    )
