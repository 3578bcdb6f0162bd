"""What schools told the programme through the request form: run after the visits are built.

- Every visit that began as a school's request gets the form's structured answers: the requester's role,
  the weekdays and time of day that suit, a date to avoid, and the school's safeguarding lead (from its
  contacts), so the visit page shows them and a booking against them is the `preference` warning.
- One Thames Valley school with a visit coming has an INSET day of its own (beyond its authority's
  calendar) on the day of that visit: the visit shows the `inset` error, and the calendar names it.
- One school in the demo coordinator's areas with a request waiting (or, in a small demo, a visit being
  arranged) asks again through the form's own path
  (services.request_visit): the request becomes a note on its visit, shown on the visit page and the
  dashboard under "Schools that asked again".
"""

from __future__ import annotations

from datetime import timedelta

from schools.models import SchoolClosure, SchoolContact
from sessions import services
from sessions.models import Visit

from .context import Demo
from .reference import KENT, THAMES_VALLEY

COORDINATOR_AREAS = (THAMES_VALLEY, KENT)
ROLES = [Visit.RequesterRole.HEAD, Visit.RequesterRole.TEACHER, Visit.RequesterRole.OFFICE,
         Visit.RequesterRole.DSL]


def build_request_answers(demo: Demo) -> None:
    rng, today = demo.rng, demo.today
    requested = list(
        Visit.objects.exclude(requester_name="").select_related("school").prefetch_related("school__contacts")
        .order_by("school__urn", "date")
    )
    for visit in requested:
        leads = [c for c in visit.school.contacts.all() if c.role == SchoolContact.Role.DSL]
        visit.requester_role = rng.choice(ROLES)
        if leads:
            lead = leads[0]
            visit.safeguarding_lead_name, visit.safeguarding_lead_phone = lead.name, lead.phone
            visit.safeguarding_lead_email = lead.email
            visit.safeguarding_lead_role = rng.choice(["", "Headteacher", "Deputy headteacher", "Inclusion lead"])
        if rng.random() < 0.6:
            # Mostly what suits the date the school asked for; sometimes a preference the booking misses.
            days = {visit.date.weekday(), rng.randrange(5)} if visit.date.weekday() < 5 else set()
            visit.preferred_weekdays = sorted(days)
        if rng.random() < 0.5:
            visit.preferred_time = "morning" if visit.starts_at.hour < 12 else "afternoon"
        if rng.random() < 0.3:
            visit.dates_to_avoid = [(visit.date + timedelta(days=7 * rng.randint(1, 3))).isoformat()]
    Visit.objects.bulk_update(requested, [
        "requester_role", "safeguarding_lead_name", "safeguarding_lead_role", "safeguarding_lead_phone",
        "safeguarding_lead_email", "preferred_weekdays", "preferred_time", "dates_to_avoid",
    ], batch_size=500)
    demo.counts["requests with the form's answers"] = len(requested)

    upcoming = (Visit.objects.filter(school__local_authority__police_force__code=THAMES_VALLEY, date__gt=today)
                .select_related("school").order_by("date", "pk"))
    proposed = upcoming.filter(status=Visit.Status.PROPOSED).first()
    if proposed:
        SchoolClosure.objects.create(school=proposed.school, kind=SchoolClosure.Kind.INSET, starts_on=proposed.date,
                                     ends_on=proposed.date, reason="Staff training on the new reading scheme")
        demo.counts["schools' own INSET days"] += 1

    # A request waiting in the demo coordinator's areas; failing that (a small demo), a visit being arranged.
    home = (Visit.objects.filter(school__local_authority__police_force__code__in=COORDINATOR_AREAS, date__gt=today,
                                 status__in=(Visit.Status.REQUESTED, Visit.Status.PROPOSED, Visit.Status.CONFIRMED))
            .exclude(pk=proposed.pk if proposed else None).select_related("school"))
    waiting = (home.filter(status=Visit.Status.REQUESTED).order_by("date", "pk").first()
               or home.order_by("-date", "pk").first())
    if waiting:
        first, last = demo.person()
        services.request_visit(asked=services.VisitRequest(
            school=waiting.school,
            first_date=waiting.date + timedelta(days=1 if waiting.date.weekday() < 4 else 3),
            requester_name=f"{first} {last}",
            requester_role=Visit.RequesterRole.HEAD,
            requester_email=f"head@{waiting.school.urn}.school.example.org",
            requester_phone=waiting.school.telephone,
            safeguarding_lead_name=waiting.safeguarding_lead_name,
            safeguarding_lead_phone=waiting.safeguarding_lead_phone,
            safeguarding_lead_email=waiting.safeguarding_lead_email,
            preferred_dates="Our Year 6 are away the week before: any day after that suits.",
            pupils_by_year=waiting.pupils_by_year,
            needs_send=waiting.needs_send,
        ))
        demo.counts["requests added to a visit as a note"] += 1
