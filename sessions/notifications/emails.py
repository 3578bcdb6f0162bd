"""The programme's emails: who gets which, built from templates with a plain-text and an HTML part.

Emails are sent from model signals (`sessions/notifications/receivers.py`), so every path that
changes a visit (the coordinator's pages, the admin, services, the volunteer portal) tells the
people concerned; the daily ones (reminders, report nudges, clearance warnings) are chosen in
`sessions/notifications/scheduled.py`.

Each email is a task enqueued after the transaction commits (`notify`); the task reads the state
from the database when it runs (`deliver`). Every link is built with `reverse()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from sessions.models import (
    Assignment,
    CoverRequest,
    TeacherFeedback,
    Unavailability,
    Visit,
    VisitReport,
    Volunteer,
    contact_card,
    year_group_label,
)
from sessions.models.feedback import SCORES
from sessions.notifications.tasks import send_notification

User = get_user_model()


# --- Building and sending


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def page_url(name: str, *args) -> str:
    """The full address of one of the app's pages, by its URL name."""
    return site_url(reverse(name, args=args))


@dataclass
class Email:
    template: str  # templates/email/<template>.txt and .html
    to: list[str]
    subject: str
    context: dict = field(default_factory=dict)

    def message(self) -> EmailMultiAlternatives:
        context = {"subject": self.subject, "portal_url": page_url("portal:home"), **self.context}
        text = render_to_string(f"email/{self.template}.txt", context)
        html = render_to_string(f"email/{self.template}.html", context)
        message = EmailMultiAlternatives(self.subject, text, settings.DEFAULT_FROM_EMAIL, self.to)
        message.attach_alternative(html, "text/html")
        return message


def notify(kind: str, **params) -> None:
    """Send an email of this kind once the current transaction has committed, in the task worker."""
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
    return contact_card(users[0]) if users else None


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
        visit,
        "visit_changed",
        f"Changed: {visit.school.name} is now on {visit.date:%-d %B} at {visit.starts_at:%H:%M}",
        was=was,
    )


def declined(assignment_id: int) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or assignment.status != Assignment.Status.DECLINED:
        return []
    subject = f"{assignment.volunteer.name} can't do {visit.school.name} on {visit.date:%-d %B}"
    return [
        Email(
            "declined",
            addresses(visit_coordinators(visit)),
            subject,
            {
                **visit_context(visit),
                "assignment": assignment,
                "volunteer": assignment.volunteer,
                "visit_url": page_url("planning:visit", visit.pk),
            },
        )
    ]


def visit_requested(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.REQUESTED:
        return []
    subject = f"Visit requested: {visit.school.name}"
    return [
        Email(
            "visit_requested",
            addresses(visit_coordinators(visit)),
            subject,
            {**visit_context(visit), "visit_url": page_url("planning:visit", visit.pk)},
        )
    ]


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
        Email(
            "unavailability_clash",
            [email],
            subject,
            {
                "absence": absence,
                "volunteer": absence.volunteer,
                "visits": [(v, page_url("planning:visit", v.pk)) for v in visits],
            },
        )
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
    return [
        Email(
            "report_filed",
            addresses(visit_coordinators(visit)),
            subject,
            {**visit_context(visit), "report": report, "visit_url": page_url("planning:visit", visit.pk)},
        )
    ]


def reminder(assignment_id: int) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or visit.status != Visit.Status.CONFIRMED or assignment.status == Assignment.Status.DECLINED:
        return []
    subject = f"Reminder: {visit.school.name} on {visit.date:%A %-d %B} at {visit.starts_at:%H:%M}"
    return [
        Email(
            "reminder",
            addresses([assignment.volunteer.user]),
            subject,
            {
                **visit_context(visit),
                "assignment": assignment,
                "volunteer": assignment.volunteer,
                "pack_url": page_url("packs:pack", visit.pk),
            },
        )
    ]


def report_nudge(assignment_id: int, today: str | None = None) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or visit.report_issue(assignment.volunteer, date.fromisoformat(today) if today else None):
        return []
    subject = f"How did it go at {visit.school.name}? Please file the visit report"
    return [
        Email(
            "report_nudge",
            addresses([assignment.volunteer.user]),
            subject,
            {
                **visit_context(visit),
                "assignment": assignment,
                "volunteer": assignment.volunteer,
                "report_url": page_url("portal:report", visit.pk),
            },
        )
    ]


def clearance_expiry(volunteer_id: int) -> list[Email]:
    volunteer = Volunteer.objects.select_related("user").filter(pk=volunteer_id).first()
    if not volunteer or not volunteer.clearance_expires_on:
        return []
    recipients = addresses(area_coordinators(volunteer.areas.values_list("pk", flat=True)))
    subject = f"{volunteer.name}'s clearance expires on {volunteer.clearance_expires_on:%-d %B %Y}"
    return [Email("clearance_expiry", recipients, subject, {"volunteer": volunteer})]


def removed(visit_id: int, volunteer_id: int) -> list[Email]:
    """To a volunteer taken off a visit (their assignment is gone, so it is named by ids)."""
    visit = visit_with_details(visit_id)
    volunteer = Volunteer.objects.select_related("user").filter(pk=volunteer_id).first()
    if not visit or not volunteer or visit.assignments.booked().filter(volunteer=volunteer).exists():
        return []
    subject = f"You are no longer on the visit to {visit.school.name} on {visit.date:%-d %B}"
    return [Email("removed", addresses([volunteer.user]), subject, {**visit_context(visit), "volunteer": volunteer})]


def visit_unconfirmed(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.PROPOSED or not visit.unconfirmed_at:
        return []
    subject = f"No longer confirmed: {visit.school.name} on {visit.date:%-d %B}"
    return [Email("visit_unconfirmed", addresses(visit_coordinators(visit)), subject,
                  {**visit_context(visit), "visit_url": page_url("planning:visit", visit.pk)})]


def cover_request(cover_request_id: int) -> list[Email]:
    request = CoverRequest.objects.select_related("volunteer__user").filter(pk=cover_request_id).first()
    visit = request and visit_with_details(request.visit_id)
    if not visit or not request.is_open or visit.is_closed:
        return []
    role = "lead" if not visit.assignments.booked().filter(role=Assignment.Role.LEAD).exists() else "support"
    subject = f"Can you cover {visit.school.name} on {visit.date:%A} {visit.starts_at:%H:%M}?"
    return [Email("cover_request", addresses([request.volunteer.user]), subject,
                  {**visit_context(visit), "volunteer": request.volunteer, "role": role,
                   "claim_url": page_url("portal:cover", request.token)})]


def cover_booked(assignment_id: int) -> list[Email]:
    assignment = Assignment.objects.select_related("volunteer__user").filter(pk=assignment_id).first()
    visit = assignment and visit_with_details(assignment.visit_id)
    if not visit or assignment.status == Assignment.Status.DECLINED:
        return []
    subject = f"Covered: {assignment.volunteer.name} will go to {visit.school.name} on {visit.date:%-d %B}"
    return [Email("cover_booked", addresses(visit_coordinators(visit)), subject,
                  {**visit_context(visit), "assignment": assignment, "volunteer": assignment.volunteer,
                   "visit_url": page_url("planning:visit", visit.pk)})]


def _feedback_email(feedback_id: int, template: str, subject: str, opening: str) -> list[Email]:
    """The school's feedback request (or its reminder): four rating links, each to a page that asks
    before it records anything. Nothing once the school has answered or the link has closed."""
    feedback = TeacherFeedback.objects.filter(pk=feedback_id).first()
    visit = feedback and visit_with_details(feedback.visit_id)
    if not visit or feedback.responded or not feedback.is_open() or visit.status != Visit.Status.DELIVERED:
        return []
    ratings = [(n, label, page_url("feedback:rate", feedback.token, n)) for n, label in SCORES]
    said = {"school": visit.school.name, "day": f"{visit.date:%A %-d %B}"}
    return [Email(template, [feedback.sent_to], subject.format(**said),
                  {**visit_context(visit), "feedback": feedback, "ratings": ratings, "opening": opening.format(**said),
                   "questions_url": page_url("feedback:respond", feedback.token)})]


def feedback_request(feedback_id: int) -> list[Email]:
    return _feedback_email(
        feedback_id, "feedback_request", "How was our visit to {school}? One click to tell us",
        "Thank you for having our Speak Out. Stay Safe. volunteers at {school} on {day}. We would be grateful "
        "for your feedback on the visit.",
    )


def feedback_reminder(feedback_id: int) -> list[Email]:
    return _feedback_email(
        feedback_id, "feedback_reminder", "A reminder: how was our visit to {school}?",
        "A week ago we asked how our Speak Out. Stay Safe. visit to {school} on {day} went. If you have a "
        "minute, we would still be grateful for your feedback; this is the only reminder we send.",
    )
# --- To the school: the requester and the safeguarding lead (one email each address), every one linking
# to the visit's own page (sessions/schools_side/), whose address is its only key.


def school_context(visit: Visit) -> dict:
    """What every email to the school shows: the visit, its sessions, the volunteers' first names only, and
    whom to contact."""
    lines = list(visit.sessions.all())
    return {
        "visit": visit,
        "school": visit.school,
        "sessions": lines,
        "volunteers": [a.volunteer.user.first_name or "a volunteer" for a in visit.active_assignments()],
        "page_url": page_url("schools_side:page", visit.school_token),
        "contact": coordinator_contact(visit),
        "greeting": f"Dear {visit.requester_name}" if visit.requester_name else "Hello",
        "arrive_at": visit.arrival_time(lines),
        "hall_ready": min((line.starts_at for line in lines), default=visit.starts_at),
    }


def school_email(visit: Visit, template: str, subject: str, **extra) -> list[Email]:
    """One email to each of the school's addresses, so that neither sees the other's."""
    context = school_context(visit)
    return [
        Email(f"school/{template}", [address], subject, {**context, **extra}) for address in visit.school_addresses()
    ]


def school_request_received(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.REQUESTED:
        return []
    pupils = [
        (year_group_label(int(year), visit.school.nation), n)
        for year, n in sorted(
            (item for item in visit.pupils_by_year.items() if str(item[0]).isdigit()), key=lambda item: int(item[0])
        )
        if n
    ]
    return school_email(visit, "request_received", f"We have your request for a visit to {visit.school.name}",
                        pupils=pupils)


def school_date_proposed(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.PROPOSED or visit.school_has_agreed:
        return []
    return school_email(visit, "date_proposed",
                        f"Does {visit.date:%A %-d %B} suit you? A Speak Out. Stay Safe. visit to {visit.school.name}")


def school_confirmed(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.CONFIRMED:
        return []
    return school_email(visit, "confirmed", f"Confirmed: Speak Out. Stay Safe. visit on {visit.date:%A %-d %B %Y}")


def school_visit_changed(visit_id: int, old_date: str, old_starts_at: str, old_ends_at: str) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status not in (Visit.Status.PROPOSED, Visit.Status.CONFIRMED):
        return []
    was = {"date": date.fromisoformat(old_date), "starts_at": time.fromisoformat(old_starts_at),
           "ends_at": time.fromisoformat(old_ends_at)}
    subject = f"Changed: your visit is now on {visit.date:%A %-d %B} at {visit.starts_at:%H:%M}"
    return school_email(visit, "changed", subject, was=was)


def school_cancelled(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or not visit.is_cancelled:
        return []
    return school_email(visit, "cancelled", f"Cancelled: Speak Out. Stay Safe. visit on {visit.date:%A %-d %B %Y}",
                        rebooked=visit.rebookings.exists(), request_url=page_url("planning:request"))


def school_reminder(visit_id: int) -> list[Email]:
    visit = visit_with_details(visit_id)
    if not visit or visit.status != Visit.Status.CONFIRMED:
        return []
    return school_email(visit, "reminder",
                        f"Reminder: Speak Out. Stay Safe. visit on {visit.date:%A %-d %B} at {visit.starts_at:%H:%M}")


def school_answered(visit_id: int, answer: str) -> list[Email]:
    """To the visit's coordinators: the school agreed, offered other dates or cancelled on its page."""
    visit = visit_with_details(visit_id)
    if not visit:
        return []
    said = {"agreed": "agreed to the date", "other_dates": "offered other dates", "cancelled": "cancelled"}[answer]
    return [Email("school_answered", addresses(visit_coordinators(visit)), f"{visit.school.name} {said}",
                  {**visit_context(visit), "answer": answer, "visit_url": page_url("planning:visit", visit.pk)})]


BUILDERS: dict[str, Callable[..., list[Email]]] = {
    fn.__name__: fn
    for fn in (
        invitation,
        confirmation,
        cancellation,
        visit_changed,
        declined,
        visit_requested,
        unavailability_clash,
        report_filed,
        reminder,
        report_nudge,
        clearance_expiry,
        removed,
        visit_unconfirmed,
        cover_request,
        cover_booked,
        feedback_request,
        feedback_reminder,
        school_request_received,
        school_date_proposed,
        school_confirmed,
        school_visit_changed,
        school_cancelled,
        school_reminder,
        school_answered,
    )
}
