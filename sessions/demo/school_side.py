"""What schools did on their own visit pages in the demo: most schools with a confirmed visit ahead have
agreed to its date and named their safeguarding lead, fewer with a proposed one; one said its date does not
work and offered others; and one visit was cancelled (the school closed) and rebooked as a new request.
The rest have not answered, so their visits carry the `school_not_confirmed` warning.

Written in bulk, without signals: the demo sends no emails.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from schools.models import SchoolContact
from sessions.models import CancelReason, StatusChange, Visit, VisitSession
from sessions.services import REBOOK_FIELDS

from .context import Demo
from .featured import Featured
from .reference import THAMES_VALLEY

AGREED_SHARE = {Visit.Status.CONFIRMED: 0.8, Visit.Status.PROPOSED: 0.4}
HALLS = ["Main hall; a projector and screen are set up.", "The hall, with a screen; we will lend a laptop.",
         "Library (the hall is used for lunch); a large screen on a stand."]
ARRIVALS = ["Park in the staff car park off the main road; sign in at the front office.",
            "No parking on site: use the leisure centre car park opposite. Main entrance on School Lane.",
            "Two visitor spaces by the office; ring the bell at the front gate."]


def build_school_answers(demo: Demo, featured: list[Featured]) -> list[Featured]:
    """The schools' answers on upcoming visits (not the featured ones, whose problems are the point);
    returns the visits to list after seeding: one with other dates offered, one cancelled and rebooked."""
    today, rng, now = demo.today, demo.rng, timezone.now()
    # The featured visits' problems are the point: their schools have agreed, so the warning does not crowd them.
    featured_visits = [f.visit for f in featured if f.visit.status in AGREED_SHARE]
    for visit in featured_visits:
        visit.school_agreed_by, visit.school_agreed_at = visit.requester_name or "The school office", now
        visit.school_agreed_date, visit.school_agreed_starts_at = visit.date, visit.starts_at
        visit.school_agreed_ends_at = visit.ends_at
    Visit.objects.bulk_update(featured_visits, ["school_agreed_by", "school_agreed_at", "school_agreed_date",
                                                "school_agreed_starts_at", "school_agreed_ends_at"])
    skip = {f.visit.pk for f in featured}
    upcoming = list(
        Visit.objects.filter(date__gt=today, status__in=list(AGREED_SHARE))
        .exclude(pk__in=skip).select_related("school__local_authority__police_force").order_by("date", "pk")
    )
    # Thames Valley (the demo coordinator's area) first, so that the demo coordinator sees these.
    upcoming.sort(key=lambda v: not (v.school.police_force and v.school.police_force.code == THAMES_VALLEY))
    leads = {c.school_id: c for c in SchoolContact.objects.filter(role=SchoolContact.Role.DSL,
                                                                    school__in={v.school_id for v in upcoming})}
    changed, offered = [], None
    for visit in upcoming:
        roll = rng.random()
        lead = leads.get(visit.school_id)
        if roll < AGREED_SHARE[visit.status]:
            visit.school_agreed_by = visit.requester_name or (lead.name if lead else "The school office")
            visit.school_agreed_at = now - timedelta(days=rng.randint(1, 20))
            visit.school_agreed_date, visit.school_agreed_starts_at = visit.date, visit.starts_at
            visit.school_agreed_ends_at = visit.ends_at
            if lead:
                visit.safeguarding_lead_name, visit.safeguarding_lead_role = lead.name, "Designated safeguarding lead"
                visit.safeguarding_lead_phone, visit.safeguarding_lead_email = lead.phone, lead.email
                visit.hall_and_equipment, visit.arrival_instructions = rng.choice(HALLS), rng.choice(ARRIVALS)
                visit.school_details_at = visit.school_agreed_at
            changed.append(visit)
        elif offered is None and visit.status == Visit.Status.PROPOSED:
            offered = visit
            later = [visit.date + timedelta(days=n) for n in (7, 8, 14)]
            visit.school_other_dates = [d.isoformat() for d in later if d.weekday() < 5]
            visit.school_other_dates_note = "Sports day is that week; any morning the week after suits."
            visit.school_other_dates_at = now - timedelta(days=2)
            changed.append(visit)
    Visit.objects.bulk_update(changed, [
        "school_agreed_by", "school_agreed_at", "school_agreed_date", "school_agreed_starts_at",
        "school_agreed_ends_at", "safeguarding_lead_name", "safeguarding_lead_role", "safeguarding_lead_phone",
        "safeguarding_lead_email", "hall_and_equipment", "arrival_instructions", "school_details_at",
        "school_other_dates", "school_other_dates_note", "school_other_dates_at",
    ], batch_size=1000)
    demo.counts["visits the school agreed to"] = sum(1 for v in changed if v.school_agreed_at)
    shown = [Featured("the school offered other dates", offered)] if offered else []
    rebooked = cancel_and_rebook(demo, [v for v in upcoming if v not in changed])
    if rebooked:
        shown.append(Featured("rebooked after the school closed", rebooked))
    return shown


def cancel_and_rebook(demo: Demo, candidates: list[Visit]) -> Visit | None:
    """The first candidate was cancelled because the school closed, and rebooked as a new request (as
    `services.cancel_and_rebook` leaves it, without its emails)."""
    if not candidates:
        return None
    visit, now = candidates[0], timezone.now()
    reason = "Boiler failure: the school is closed that week."
    was = visit.status
    visit.status, visit.cancel_category = Visit.Status.CANCELLED, CancelReason.SCHOOL_CLOSURE
    visit.cancel_reason = reason
    visit.retire_school_token()
    visit.version += 1
    Visit.objects.bulk_update([visit], ["status", "cancel_category", "cancel_reason", "school_token",
                                        "retired_school_token", "version"])
    visit.assignments.update(booked_from=None, booked_until=None)
    StatusChange.objects.bulk_create([StatusChange(visit=visit, from_status=was,
                                                   to_status=Visit.Status.CANCELLED, by=visit.coordinator, at=now,
                                                   reason=reason)])
    new = Visit(
        school=visit.school, date=visit.date + timedelta(days=28), starts_at=visit.starts_at, ends_at=visit.ends_at,
        status=Visit.Status.REQUESTED, coordinator=visit.coordinator, rebooked_from=visit,
        notes=f"Rebooked after the visit on {visit.date:%-d %B %Y} was cancelled ({reason})",
        **{name: getattr(visit, name) for name in REBOOK_FIELDS},
    )
    while new.date.weekday() >= 5:
        new.date += timedelta(days=1)
    Visit.objects.bulk_create([new])
    new = Visit.objects.get(rebooked_from=visit)
    VisitSession.objects.bulk_create([
        VisitSession(visit=new, session_type_id=line.session_type_id, starts_at=line.starts_at,
                     year_groups=list(line.year_groups), pupils=line.pupils, send_adapted=line.send_adapted,
                     welsh_language=line.welsh_language)
        for line in visit.sessions.all()
    ])
    demo.counts["visits cancelled and rebooked"] += 1
    return new
