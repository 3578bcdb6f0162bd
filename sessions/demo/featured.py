"""The visits built on purpose: the demo volunteer's own, and those with problems to see.

In Thames Valley, the demo coordinator's area, a few upcoming visits carry the problems a
coordinator should see (a double booking, a DBS check or training that will have expired by the
visit date, a bank holiday, too few volunteers, a session for the wrong ages, a Year 2 workshop
booked for older year groups, a session that starts before its visit, a volunteer who said they are
away, and a confirmed visit whose lead dropped out this week, which went back to proposed by itself
and needs cover, with one volunteer already asked); last week, a visit that took place while still
proposed. `manage.py seed_demo` lists them with what `visit.problems()` says of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils import timezone

from schools.models import School
from sessions.models import Assignment, CoverRequest, StatusChange, Visit, Volunteer, bank_holiday_name

from .dates import next_days, school_days
from .reference import THAMES_VALLEY
from .visits import Line, Plan, VisitPlanner

FEATURED_VISITS = 14  # the most build_featured_visits() builds: they count towards the visits asked for
RESERVED_PRIMARIES = 13  # enough primary schools for every visit below that is not at the infant school


@dataclass
class Featured:
    """A deliberately troubled visit, reported after seeding with what `visit.problems()` says."""

    label: str
    visit: Visit


@dataclass(frozen=True)
class Reserved:
    """Thames Valley schools kept out of the random visits, for the visits built on purpose."""

    infant: School
    primaries: list[School]


def reserve_schools(schools_by_force: dict[str, list[School]]) -> Reserved:
    """Take the reserved schools out of Thames Valley's open schools (in place)."""
    home = schools_by_force[THAMES_VALLEY]
    infants = [s for s in home if (s.low_age, s.high_age) == (4, 7)]
    primaries = [s for s in home if (s.low_age, s.high_age) == (4, 11)]
    reserved = Reserved(infant=infants[0], primaries=primaries[:RESERVED_PRIMARIES])
    taken = {reserved.infant.pk, *(s.pk for s in reserved.primaries)}
    schools_by_force[THAMES_VALLEY] = [s for s in home if s.pk not in taken]
    return reserved


def build_featured_visits(planner: VisitPlanner, reserved: Reserved, me: Volunteer) -> list[Featured]:
    """The demo volunteer's (`me`) own visits, and the troubled visits a coordinator should see."""
    S, A = Visit.Status, Assignment.Status
    today, tv = planner.demo.today, THAMES_VALLEY
    primaries = list(reserved.primaries)
    plans: list[tuple[str, Plan]] = []
    days = next_days(today + timedelta(days=3), 40)

    def visit(label: str, school: School, day: date, status: str, volunteers: list[Volunteer],
              statuses: list[str] | None = None, starts_at: time | None = None,
              lines: list[Line] | None = None) -> Plan:
        plan = planner.plan_visit(school, day, status, volunteers=volunteers, statuses=statuses,
                                  starts_at=starts_at, lines=lines)
        plans.append((label, plan))
        return plan

    def others(day: date, k: int, exclude: list[Volunteer] | None = None) -> list[Volunteer]:
        return planner.pick(tv, day, k, exclude=[me, *(exclude or [])])

    # The demo volunteer: an accepted visit and an invitation soon, and one delivered last term.
    free_days = [d for d in days if planner.free(me, d)]
    day = free_days[0]
    visit("", primaries.pop(), day, S.CONFIRMED, [me, *others(day, 1)])
    day = free_days[3]
    visit("", primaries.pop(), day, S.PROPOSED, [me, *others(day, 1)], statuses=[A.INVITED, A.INVITED])
    past = [d for d in school_days(today - timedelta(days=120), today - timedelta(days=30),
                                   [School.Nation.ENGLAND]) if planner.free(me, d)]
    if past:
        day = past[0]
        visit("", primaries.pop(), day, S.DELIVERED, [me, *others(day, 1)])

    # A double booking: one volunteer on two overlapping visits on the same day.
    day = days[8]
    pair = others(day, 3)
    visit("double booking", primaries.pop(), day, S.CONFIRMED, pair[:2], starts_at=time(9, 0))
    planner.booked.discard((pair[0].pk, day))
    visit("double booking", primaries.pop(), day, S.PROPOSED, [pair[0], pair[2]],
          statuses=[A.INVITED, A.INVITED], starts_at=time(9, 30))

    # A DBS check or training that will have expired by the visit date.
    expiring = next(v for v in planner.volunteers.by_force[tv][1:] if v.is_cleared_on(today)
                    and v.clearance_expires_within(60, today))
    expiry = expiring.clearance_expires_on
    day = next_days(expiry + timedelta(days=7), 1)[0]
    visit("clearance expired by the visit date", primaries.pop(), day, S.PROPOSED,
          [expiring, *others(day, 1, exclude=[expiring])], statuses=[A.ACCEPTED, A.INVITED])

    # A bank holiday: the school asked for the first bank holiday after Christmas.
    day = today + timedelta(days=1)
    while not (day.weekday() < 5 and bank_holiday_name(day, School.Nation.ENGLAND)
               and not (day.month == 12 or day.month == 1 and day.day <= 3)):
        day += timedelta(days=1)
    visit("bank holiday", primaries.pop(), day, S.PROPOSED, others(day, 2), statuses=[A.INVITED, A.INVITED])

    # Too few volunteers: one invited where the sessions need two.
    day = days[12]
    visit("understaffed", primaries.pop(), day, S.PROPOSED, others(day, 1), statuses=[A.INVITED])

    # A workshop for Years 5 and 6 booked at an infant school.
    day = days[15]
    wrong: list[Line] = [{"session_type": planner.reference.session_types["workshop-years-5-6"],
                          "starts_at": time(9, 30), "year_groups": [5, 6], "pupils": 30, "welsh_language": False,
                          "send_adapted": False}]
    visit("session for the wrong ages", reserved.infant, day, S.PROPOSED, others(day, 2),
          statuses=[A.INVITED, A.INVITED], starts_at=time(9, 30), lines=wrong)

    # A Year 2 workshop booked for Years 5 and 6 at a primary school: the school's ages suit it, the years not.
    day = days[17]
    older: list[Line] = [{"session_type": planner.reference.session_types["workshop-year-2"],
                          "starts_at": time(9, 15), "year_groups": [5, 6], "pupils": 28, "welsh_language": False,
                          "send_adapted": False}]
    visit("Year 2 workshop booked for Years 5 and 6", primaries.pop(), day, S.PROPOSED, others(day, 2),
          starts_at=time(9, 15), lines=older)

    # The visit's start moved to 10:00 after its assembly was set for 09:45.
    day = days[19]
    early: list[Line] = [{"session_type": planner.reference.session_types["assembly-ks2"],
                          "starts_at": time(9, 45), "year_groups": [3, 4, 5, 6], "pupils": 110,
                          "welsh_language": False, "send_adapted": False}]
    moved = visit("a session before the visit's new start", primaries.pop(), day, S.PROPOSED, others(day, 2),
                  starts_at=time(9, 45), lines=early)
    moved.visit.starts_at = time(10, 0)

    # Last week: given while still proposed, never confirmed, so it cannot yet be marked delivered.
    last_week = [d for d in school_days(today - timedelta(days=21), today - timedelta(days=4),
                                        [School.Nation.ENGLAND])]
    if last_week:
        day = last_week[-1]
        visit("a past visit still proposed", primaries.pop(), day, S.PROPOSED, others(day, 2),
              statuses=[A.ACCEPTED, A.ACCEPTED])

    # A volunteer invited for a day they said they would be away.
    away_start, away_end = next((start, end) for start, end in planner.volunteers.away[me.pk] if start > today)
    day = next_days(away_start, 1)[0]
    if day <= away_end:
        planner.booked.discard((me.pk, day))
        visit("volunteer unavailable", primaries.pop(), day, S.PROPOSED, [me, *others(day, 1)],
              statuses=[A.INVITED, A.INVITED])

    # Needs cover: confirmed, then the lead fell ill a few days before (the same as services.answer_invitation
    # leaves it: back to proposed by itself, saying why, and marked as needing cover).
    day = next(d for d in days[:4] if d - today <= timedelta(days=6))
    team = others(day, 2)
    dropped = visit("needs cover: the lead dropped out", primaries.pop(), day, S.CONFIRMED, team)

    planner.write([plan for _, plan in plans])
    drop_out(dropped.visit, team, asked=others(day, 1, exclude=team), now=timezone.now())
    return [Featured(label, plan.visit) for label, plan in plans if label]


def drop_out(visit: Visit, team: list[Volunteer], *, asked: list[Volunteer], now) -> None:
    """The lead of a confirmed visit declines (ill): the visit is unconfirmed and needs cover; one asked."""
    lead = visit.assignments.get(role=Assignment.Role.LEAD)
    Assignment.objects.filter(pk=lead.pk).update(
        status=Assignment.Status.DECLINED, decline_reason=Assignment.DeclineReason.ILL, responded_at=now
    )
    support = visit.assignments.filter(role=Assignment.Role.SUPPORT).count()
    reason = f"automatic: {lead.volunteer.name} declined; no lead; {support} of 2 volunteers accepted"
    Visit.objects.filter(pk=visit.pk).update(
        status=Visit.Status.PROPOSED, unconfirmed_at=now, unconfirmed_reason=reason, cover_needed_since=now,
        version=visit.version + 1,
    )
    StatusChange.objects.create(visit=visit, from_status=Visit.Status.CONFIRMED, to_status=Visit.Status.PROPOSED,
                                by=None, at=now, reason=reason)
    for volunteer in asked:
        CoverRequest.objects.create(visit=visit, volunteer=volunteer, sent_by=visit.coordinator, sent_at=now)
