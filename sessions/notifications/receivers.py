"""Model signal receivers that send the programme's emails (connected in SchoolSessionsConfig.ready):

- an assignment is created → the volunteer is invited (or told they are booked);
- a visit is confirmed or cancelled (a StatusChange row) → its volunteers;
- a proposed or confirmed visit moves to another date or time → its volunteers;
- a volunteer declines → the visit's coordinator, else the coordinators of the school's area;
- a school asks for a visit (a visit created as requested) → the area's coordinators (the school's own
  acknowledgement is sent by `services.request_visit`);
- a date is proposed (a visit created as proposed, or a request moved to proposed), a visit is confirmed,
  changed or cancelled → the school (its requester and safeguarding lead);
- a volunteer marks dates unavailable that cover a visit they are on → that visit's coordinators;
- the lead volunteer files the visit report → the visit's coordinators;
- a visit is marked delivered → the teacher who asked for it, for feedback (`sessions/feedback/sending.py`).

A visit's date, time or cancellation also raises its calendar SEQUENCE, so calendars update the event.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_init, post_save

from sessions.models import Assignment, StatusChange, Unavailability, Visit, VisitReport
from sessions.notifications.emails import notify


def _remember_visit(sender, instance: Visit, **kwargs) -> None:
    # From __dict__, so that a deferred field is never loaded just to be remembered.
    instance._notified_state = {name: instance.__dict__.get(name) for name in ("date", "starts_at", "ends_at")}


def _remember_assignment(sender, instance: Assignment, **kwargs) -> None:
    instance._notified_status = instance.__dict__.get("status")


def visit_saved(sender, instance: Visit, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_notified_state", {})
    _remember_visit(sender, instance)
    if created:
        # A rebooked visit is opened by its coordinator, who needs no email about it.
        if instance.status == Visit.Status.REQUESTED and not instance.rebooked_from_id:
            notify("visit_requested", visit_id=instance.pk)
        elif instance.status == Visit.Status.PROPOSED:
            notify("school_date_proposed", visit_id=instance.pk)
        return
    if any(before.get(name) is None for name in ("date", "starts_at", "ends_at")):
        return
    if any(before[name] != getattr(instance, name) for name in ("date", "starts_at", "ends_at")):
        bump_calendar_sequence(instance)
        if instance.status in (Visit.Status.PROPOSED, Visit.Status.CONFIRMED):
            was = {"old_date": before["date"].isoformat(), "old_starts_at": before["starts_at"].isoformat(),
                   "old_ends_at": before["ends_at"].isoformat()}
            notify("visit_changed", visit_id=instance.pk, **was)
            notify("school_visit_changed", visit_id=instance.pk, **was)


def bump_calendar_sequence(visit: Visit) -> None:
    """Calendars replace an event only when its SEQUENCE rises. An update(), so that it is saved
    whatever fields the caller saved."""
    Visit.objects.filter(pk=visit.pk).update(calendar_sequence=F("calendar_sequence") + 1)
    visit.calendar_sequence = Visit.objects.values_list("calendar_sequence", flat=True).get(pk=visit.pk)


def status_changed(sender, instance: StatusChange, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    if instance.to_status == Visit.Status.CONFIRMED:
        notify("confirmation", visit_id=instance.visit_id)
        notify("school_confirmed", visit_id=instance.visit_id)
    elif instance.to_status == Visit.Status.CANCELLED:
        bump_calendar_sequence(instance.visit)
        notify("cancellation", visit_id=instance.visit_id)
        notify("school_cancelled", visit_id=instance.visit_id)
    elif instance.to_status == Visit.Status.PROPOSED and instance.from_status == Visit.Status.REQUESTED:
        notify("school_date_proposed", visit_id=instance.visit_id)
    elif instance.to_status == Visit.Status.DELIVERED:
        from sessions.feedback.sending import ask_for_feedback  # noqa: PLC0415 — sending imports emails, as this does

        # Once the delivery is saved (the status change is written before the visit's new status).
        visit_id = instance.visit_id
        transaction.on_commit(lambda: ask_for_feedback(Visit.objects.select_related("school").get(pk=visit_id)))


def assignment_saved(sender, instance: Assignment, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_notified_status", None)
    _remember_assignment(sender, instance)
    if created:
        notify("invitation", assignment_id=instance.pk)
    elif instance.status == Assignment.Status.DECLINED and before != Assignment.Status.DECLINED:
        notify("declined", assignment_id=instance.pk)


def unavailability_saved(sender, instance: Unavailability, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    if instance.volunteer.bookings_between(instance.starts_on, instance.ends_on).exists():
        notify("unavailability_clash", unavailability_id=instance.pk)


def report_saved(sender, instance: VisitReport, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    notify("report_filed", report_id=instance.pk)


def connect() -> None:
    post_init.connect(_remember_visit, sender=Visit, dispatch_uid="notifications_visit_init")
    post_init.connect(_remember_assignment, sender=Assignment, dispatch_uid="notifications_assignment_init")
    post_save.connect(visit_saved, sender=Visit, dispatch_uid="notifications_visit")
    post_save.connect(status_changed, sender=StatusChange, dispatch_uid="notifications_status")
    post_save.connect(assignment_saved, sender=Assignment, dispatch_uid="notifications_assignment")
    post_save.connect(unavailability_saved, sender=Unavailability, dispatch_uid="notifications_unavailability")
    post_save.connect(report_saved, sender=VisitReport, dispatch_uid="notifications_report")
