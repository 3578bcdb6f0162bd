"""The programme's emails: who gets which, built from templates with a plain-text and an HTML part.

Emails are sent from model signals, so every path that changes a visit (the coordinator's pages,
the admin, services, the volunteer portal) tells the people concerned:

- an assignment is created → the volunteer is invited (or told they are booked);
- a visit is confirmed or cancelled (a StatusChange row) → its volunteers;
- a proposed or confirmed visit moves to another date or time → its volunteers;
- a volunteer declines → the visit's coordinator, else the coordinators of the school's area;
- a school asks for a visit (a visit created as requested) → the area's coordinators;
- a volunteer marks dates unavailable that cover a visit they are on → that visit's coordinators;
- the lead volunteer files the visit report → the visit's coordinators.

`send_scheduled(today)` (run daily by `manage.py send_reminders`) sends the reminders two days
before a visit, the nudge to file the report the day after, and clearance-expiry warnings to
coordinators, recording each in SentNotification so that nothing is sent twice.

Each email is a task enqueued after the transaction commits (`notify`); the task reads the state
from the database when it runs (`deliver`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_init, post_save
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sessions.models import (
    Assignment,
    Coordinator,
    SentNotification,
    StatusChange,
    Unavailability,
    Visit,
    VisitReport,
    Volunteer,
)

User = get_user_model()

REMINDER_DAYS_BEFORE = 2
REPORT_NUDGE_WITHIN_DAYS = 7  # stop nudging a week after the visit


# --- Building and sending


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@dataclass
class Email:
    template: str  # templates/email/<template>.txt and .html
    to: list[str]
    subject: str
    context: dict = field(default_factory=dict)

    def message(self) -> EmailMultiAlternatives:
        context = {"subject": self.subject, "portal_url": site_url("/me/"), **self.context}
        text = render_to_string(f"email/{self.template}.txt", context)
        html = render_to_string(f"email/{self.template}.html", context)
        message = EmailMultiAlternatives(self.subject, text, settings.DEFAULT_FROM_EMAIL, self.to)
        message.attach_alternative(html, "text/html")
        return message


def notify(kind: str, **params) -> None:
    """Send an email of this kind once the current transaction has committed, in the task worker."""
    from sessions.email_tasks import send_notification

    if kind not in BUILDERS:
        raise ValueError(f"No email called {kind!r}.")
    transaction.on_commit(lambda: send_notification.enqueue(kind, params))


def deliver(kind: str, params: dict) -> int:
    """Build the emails of one kind from the current state and send them; returns how many."""
    emails = [email for email in BUILDERS[kind](**params) if email.to]
    for email in emails:
        email.message().send()
    return len(emails)


# --- Who is told


def visit_with_details(visit_id: int) -> Visit | None:
    return (
        Visit.objects.select_related("school", "coordinator__coordinator")
        .prefetch_related("sessions__session_type", "assignments__volunteer__user")
        .filter(pk=visit_id)
        .first()
    )


def addresses(users: Iterable) -> list[str]:
    seen: list[str] = []
    for user in users:
        if user is not None and user.is_active and user.email and user.email not in seen:
            seen.append(user.email)
    return seen


def area_coordinators(area_ids: Iterable[int]) -> list:
    return list(
        User.objects.filter(coordinator__areas__in=list(area_ids)).distinct().order_by("last_name", "first_name")
    )


def visit_coordinators(visit: Visit) -> list:
    """The visit's own coordinator, else the coordinators of the school's area."""
    if visit.coordinator_id:
        return [visit.coordinator]
    area_id = visit.school.local_authority.police_force_id if visit.school.local_authority_id else None
    return area_coordinators([area_id]) if area_id else []


def coordinator_contact(visit: Visit) -> dict | None:
    """Whom the volunteers contact about the visit: name, email and phone."""
    users = visit_coordinators(visit)
    if not users:
        return None
    user = users[0]
    coordinator = Coordinator.objects.filter(user=user).first()
    return {"name": user.get_full_name() or user.get_username(), "email": user.email,
            "phone": coordinator.phone if coordinator else ""}


def visit_context(visit: Visit) -> dict:
    school = visit.school
    return {
        "visit": visit,
        "school": school,
        "address": ", ".join(school.address_lines),
        "sessions": list(visit.sessions.all()),
        "team": visit.active_assignments(),
        "contact": coordinator_contact(visit),
        "nation": school.nation,
    }


def volunteer_emails(visit: Visit, template: str, subject: str, **extra) -> list[Email]:
    """One email to each volunteer on the visit who has not declined (addresses are not shared)."""
    context = visit_context(visit)
    return [
        Email(template, addresses([a.volunteer.user]), subject,
              {**context, "assignment": a, "volunteer": a.volunteer, **extra})
        for a in visit.active_assignments()
    ]


# --- The emails


def invitation(assignment_id: int) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or visit.is_cancelled or assignment.status == Assignment.Status.DECLINED:
        return []
    booked = assignment.status == Assignment.Status.ACCEPTED
    subject = f"{'You are booked for' if booked else 'Can you help at'} {visit.school.name} on {visit.date:%-d %B}"
    return [Email("invitation", addresses([assignment.volunteer.user]), subject + ("" if booked else "?"),
                  {**visit_context(visit), "assignment": assignment, "volunteer": assignment.volunteer,
                   "booked": booked})]


def confirmation(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.CONFIRMED:
        return []
    return volunteer_emails(visit, "confirmation", f"Confirmed: {visit.school.name} on {visit.date:%-d %B %Y}")


def cancellation(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or not visit.is_cancelled:
        return []
    return volunteer_emails(visit, "cancellation", f"Cancelled: {visit.school.name} on {visit.date:%-d %B %Y}")


def visit_changed(visit_id: int, old_date: str, old_starts_at: str, old_ends_at: str) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status not in (Visit.Status.PROPOSED, Visit.Status.CONFIRMED):
        return []
    was = {"date": date.fromisoformat(old_date), "starts_at": time.fromisoformat(old_starts_at),
           "ends_at": time.fromisoformat(old_ends_at)}
    return volunteer_emails(
        visit, "visit_changed", f"Changed: {visit.school.name} is now on {visit.date:%-d %B} at {visit.starts_at:%H:%M}",
        was=was,
    )


def declined(assignment_id: int) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or assignment.status != Assignment.Status.DECLINED:
        return []
    subject = f"{assignment.volunteer.name} can't do {visit.school.name} on {visit.date:%-d %B}"
    return [Email("declined", addresses(visit_coordinators(visit)), subject,
                  {**visit_context(visit), "assignment": assignment, "volunteer": assignment.volunteer,
                   "visit_url": site_url(f"/visits/{visit.pk}/")})]


def visit_requested(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.REQUESTED:
        return []
    subject = f"Visit requested: {visit.school.name}"
    return [Email("visit_requested", addresses(visit_coordinators(visit)), subject,
                  {**visit_context(visit), "visit_url": site_url(f"/visits/{visit.pk}/")})]


def unavailability_clash(unavailability_id: int) -> list[Email]:
    absence = Unavailability.objects.select_related("volunteer__user").filter(pk=unavailability_id).first()
    if not absence:
        return []
    bookings = list(
        absence.volunteer.bookings_between(absence.starts_on, absence.ends_on)
        .select_related("visit__school__local_authority", "visit__coordinator")
        .order_by("visit__date")
    )
    by_recipient: dict[str, list[Visit]] = {}
    for booking in bookings:
        for email in addresses(visit_coordinators(booking.visit)):
            by_recipient.setdefault(email, []).append(booking.visit)
    subject = f"{absence.volunteer.name} is unavailable for a visit they are on"
    return [
        Email("unavailability_clash", [email], subject,
              {"absence": absence, "volunteer": absence.volunteer,
               "visits": [(v, site_url(f"/visits/{v.pk}/")) for v in visits]})
        for email, visits in by_recipient.items()
    ]


def report_filed(report_id: int) -> list[Email]:
    report = VisitReport.objects.select_related("filed_by__user").filter(pk=report_id).first()
    visit = report and visit_with_details(report.visit_id)
    if not visit:
        return []
    subject = f"Visit report filed: {visit.school.name} on {visit.date:%-d %B}"
    if report.follow_up:
        subject += " (a concern was passed on)"
    return [Email("report_filed", addresses(visit_coordinators(visit)), subject,
                  {**visit_context(visit), "report": report, "visit_url": site_url(f"/visits/{visit.pk}/")})]


def reminder(assignment_id: int) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or visit.status != Visit.Status.CONFIRMED or assignment.status == Assignment.Status.DECLINED:
        return []
    subject = f"Reminder: {visit.school.name} on {visit.date:%A %-d %B} at {visit.starts_at:%H:%M}"
    return [Email("reminder", addresses([assignment.volunteer.user]), subject,
                  {**visit_context(visit), "assignment": assignment, "volunteer": assignment.volunteer,
                   "pack_url": site_url(pack_path(visit.pk))})]


def report_nudge(assignment_id: int, today: str | None = None) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or visit.report_issue(assignment.volunteer, date.fromisoformat(today) if today else None):
        return []
    subject = f"How did it go at {visit.school.name}? Please file the visit report"
    return [Email("report_nudge", addresses([assignment.volunteer.user]), subject,
                  {**visit_context(visit), "assignment": assignment, "volunteer": assignment.volunteer,
                   "report_url": site_url(reverse("portal:report", args=[visit.pk]))})]


def clearance_expiry(volunteer_id: int) -> list[Email]:
    volunteer = Volunteer.objects.select_related("user").filter(pk=volunteer_id).first()
    if not volunteer or not volunteer.clearance_expires_on:
        return []
    recipients = addresses(area_coordinators(volunteer.areas.values_list("pk", flat=True)))
    subject = f"{volunteer.name}'s clearance expires on {volunteer.clearance_expires_on:%-d %B %Y}"
    return [Email("clearance_expiry", recipients, subject, {"volunteer": volunteer})]


def pack_path(visit_id: int) -> str:
    """The session pack's address (the packs app's URL where it exists): built in one place."""
    try:
        return reverse("packs:pack", args=[visit_id])
    except Exception:  # the packs URLs may name their argument; fall back to the documented path
        try:
            return reverse("packs:pack", kwargs={"visit_id": visit_id})
        except Exception:
            return f"/visits/{visit_id}/pack.pdf"


BUILDERS: dict[str, Callable[..., list[Email]]] = {
    fn.__name__: fn
    for fn in (
        invitation, confirmation, cancellation, visit_changed, declined, visit_requested,
        unavailability_clash, report_filed, reminder, report_nudge, clearance_expiry,
    )
}


# --- Scheduled emails (manage.py send_reminders)


def _send_once(kind: str, key: str, email: str, **params) -> bool:
    """Record the email as sent and enqueue it, unless it was sent before. True if enqueued."""
    with transaction.atomic():
        _, created = SentNotification.objects.get_or_create(kind=kind, key=key)
        if created:
            notify(email, **params)
    return created


def send_scheduled(today: date | None = None) -> dict[str, int]:
    """Send every reminder, report nudge and clearance warning due today that was not sent before."""
    today = today or timezone.localdate()
    sent = {"reminders": 0, "report_nudges": 0, "clearance_warnings": 0}

    upcoming = (
        Assignment.objects.active()
        .filter(
            visit__status=Visit.Status.CONFIRMED,
            visit__date__gt=today,
            visit__date__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
            volunteer__email_reminders=True,
        )
        .annotate(visit_date=F("visit__date"))
    )
    for a in upcoming:
        key = f"assignment:{a.pk}:on:{a.visit_date.isoformat()}"
        sent["reminders"] += _send_once(SentNotification.Kind.REMINDER, key, "reminder", assignment_id=a.pk)

    leads = (
        Assignment.objects.active()
        .filter(
            role=Assignment.Role.LEAD,
            visit__status=Visit.Status.CONFIRMED,
            visit__date__lt=today,
            visit__date__gte=today - timedelta(days=REPORT_NUDGE_WITHIN_DAYS),
            visit__report__isnull=True,
            volunteer__email_report_nudges=True,
        )
        .annotate(visit_date=F("visit__date"))
    )
    for a in leads:
        key = f"assignment:{a.pk}:on:{a.visit_date.isoformat()}"
        sent["report_nudges"] += _send_once(SentNotification.Kind.REPORT_NUDGE, key, "report_nudge",
                                            assignment_id=a.pk, today=today.isoformat())

    days = settings.CLEARANCE_WARNING_DAYS
    for volunteer in Volunteer.objects.active().filter(left_on__isnull=True):
        if volunteer.clearance_expires_within(days, today):
            key = f"volunteer:{volunteer.pk}:expires:{volunteer.clearance_expires_on.isoformat()}"
            sent["clearance_warnings"] += _send_once(
                SentNotification.Kind.CLEARANCE_EXPIRY, key, "clearance_expiry", volunteer_id=volunteer.pk
            )
    return sent


# --- Signal receivers (connected in SchoolSessionsConfig.ready)


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
        if instance.status == Visit.Status.REQUESTED:
            notify("visit_requested", visit_id=instance.pk)
        return
    if any(before.get(name) is None for name in ("date", "starts_at", "ends_at")):
        return
    if any(before[name] != getattr(instance, name) for name in ("date", "starts_at", "ends_at")):
        bump_calendar_sequence(instance)
        if instance.status in (Visit.Status.PROPOSED, Visit.Status.CONFIRMED):
            notify(
                "visit_changed",
                visit_id=instance.pk,
                old_date=before["date"].isoformat(),
                old_starts_at=before["starts_at"].isoformat(),
                old_ends_at=before["ends_at"].isoformat(),
            )


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
    elif instance.to_status == Visit.Status.CANCELLED:
        bump_calendar_sequence(instance.visit)
        notify("cancellation", visit_id=instance.visit_id)


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
