"""The demo's visits: when and where they fall, their sessions, who goes, and what happened since.

Each visit is planned unsaved (a Plan), its volunteers booked in memory as it is planned so that no
one is booked twice on a day by chance, and written in bulk with its session lines, assignments,
report and status history once its row has a primary key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.utils import timezone

from config.dates import plus_minutes
from schools.models import School
from sessions.factories import (
    AssignmentFactory,
    StatusChangeFactory,
    VisitFactory,
    VisitReportFactory,
    VisitSessionFactory,
)
from sessions.models import (
    Assignment,
    SessionType,
    StatusChange,
    TeacherFeedback,
    Visit,
    VisitReport,
    VisitSession,
    Volunteer,
    new_token,
)
from sessions.models.attendance import children_reached, planned_by_year, split_evenly
from sessions.models.feedback import REMINDER_AFTER_DAYS

from .context import Demo, bulk
from .dates import at, school_days
from .people import VolunteerPool
from .reference import THAMES_VALLEY, Reference
from .words import VISITS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VISIT_CHUNK = 5000  # visits planned and written per round, so memory stays bounded


class Line(TypedDict):
    """One session of a visit: the fields of a VisitSession but its visit and the children reached."""

    session_type: SessionType
    starts_at: time
    year_groups: list[int]
    pupils: int
    welsh_language: bool
    send_adapted: bool


@dataclass
class Plan:
    """One visit's plan, kept until the visit row has its primary key."""

    visit: Visit
    lines: list[Line] = field(default_factory=list)
    assignments: list[tuple[Volunteer, str, str]] = field(default_factory=list)  # volunteer, role, status
    history: list[str] = field(default_factory=list)  # statuses from the first to the current one


class VisitPlanner:
    """Plans visits and writes them, keeping who is booked on which day across everything it plans."""

    def __init__(self, demo: Demo, reference: Reference, *, schools_by_force: dict[str, list[School]],
                 coordinator_for: dict[str, User], volunteers: VolunteerPool) -> None:
        self.demo = demo
        self.reference = reference
        self.schools_by_force = schools_by_force  # the open schools, by force code
        self.coordinator_for = coordinator_for  # force code → the coordinator's user
        self.volunteers = volunteers
        self.booked: set[tuple[int, date]] = set()  # (volunteer pk, date) with an active booking

    def free(self, volunteer: Volunteer, day: date) -> bool:
        """May be asked for that day: cleared on it (the model's rule), not away, not booked."""
        return (
            (volunteer.pk, day) not in self.booked
            and volunteer.is_cleared_on(day)
            and not any(start <= day <= end for start, end in self.volunteers.away.get(volunteer.pk, ()))
        )

    def pick(self, code: str, day: date, k: int, prefer: Volunteer | None = None,
             exclude: Iterable[Volunteer] = ()) -> list[Volunteer]:
        """Up to `k` volunteers in the force free on the day (`prefer` first, if free)."""
        pool = self.volunteers.by_force[code]
        chosen: list[Volunteer] = []
        skip = {v.pk for v in exclude}
        if prefer is not None and prefer.pk not in skip and self.free(prefer, day):
            chosen.append(prefer)
        # A couple of dozen candidates at random: enough to staff a visit, cheap on a national pool.
        for index in self.demo.rng.sample(range(len(pool)), min(len(pool), 24)):
            if len(chosen) >= k:
                break
            candidate = pool[index]
            if candidate.pk not in skip and candidate not in chosen and self.free(candidate, day):
                chosen.append(candidate)
        return chosen

    def lines_for(self, school: School, starts_at: time) -> list[Line]:
        """Session lines that suit the school's ages, back to back from the start time."""
        rng = self.demo.rng
        per_year = max(8, (school.pupils or 210) // max(1, (school.high_age or 11) - (school.low_age or 4)))
        options = {
            (4, 7): [["assembly-ks1"], ["assembly-ks1", "workshop-year-2"], ["workshop-year-2"]],
            (7, 11): [["assembly-ks2"], ["assembly-ks2", "workshop-years-5-6"]],
        }.get((school.low_age, school.high_age), [
            ["assembly-ks1", "assembly-ks2"], ["assembly-ks1", "assembly-ks2"],
            ["assembly-ks1", "assembly-ks2", "workshop-years-5-6"], ["assembly-ks2", "workshop-years-5-6"],
        ])
        years = {"assembly-ks1": [1, 2], "workshop-year-2": [2], "assembly-ks2": [3, 4, 5, 6],
                 "workshop-years-5-6": [5, 6]}
        lines: list[Line] = []
        moment = starts_at
        for slug in rng.choice(options):
            session_type = self.reference.session_types[slug]
            pupils = per_year * len(years[slug])
            if session_type.format == "workshop":
                pupils = min(pupils, 32)  # a workshop is one class
            lines.append({"session_type": session_type, "starts_at": moment, "year_groups": years[slug],
                          "pupils": pupils, "welsh_language": school.welsh_medium,
                          "send_adapted": bool(school.send_provision) and rng.random() < 0.5})
            moment = plus_minutes(moment, session_type.duration_minutes + 10)
        return lines

    def status_for(self, day: date) -> str:
        """A believable status for a visit on that day: mostly delivered in the past, open ahead."""
        ago = (self.demo.today - day).days
        r = self.demo.rng.random()
        S = Visit.Status
        if ago > 14:
            return S.DELIVERED if r < 0.88 else S.CANCELLED
        if ago > 0:
            return S.DELIVERED if r < 0.6 else S.CONFIRMED if r < 0.9 else S.CANCELLED
        if ago > -14:
            return S.CONFIRMED if r < 0.75 else S.PROPOSED if r < 0.9 else S.CANCELLED
        if ago > -60:
            return S.CONFIRMED if r < 0.45 else S.PROPOSED if r < 0.8 else S.REQUESTED if r < 0.92 else S.CANCELLED
        return S.PROPOSED if r < 0.35 else S.REQUESTED if r < 0.85 else S.CONFIRMED if r < 0.95 else S.CANCELLED

    def plan_visit(self, school: School, day: date, status: str, *, starts_at: time | None = None,
                   lines: list[Line] | None = None, volunteers: list[Volunteer] | None = None,
                   statuses: list[str] | None = None, prefer: Volunteer | None = None) -> Plan:
        """Plan a visit (unsaved) with its lines, assignments and history; books its volunteers."""
        rng = self.demo.rng
        S = Visit.Status
        code = school.local_authority.police_force.code
        starts_at = starts_at or rng.choice([time(9, 0), time(9, 15), time(9, 30), time(10, 45), time(13, 15)])
        lines = lines if lines is not None else self.lines_for(school, starts_at)
        last = lines[-1]
        ends_at = plus_minutes(last["starts_at"], last["session_type"].duration_minutes + 15)
        # The status reached before any cancellation, and the path there: a school's request starts
        # at requested; a coordinator's own booking starts at proposed.
        final = rng.choice([S.PROPOSED, S.CONFIRMED, S.CONFIRMED]) if status == S.CANCELLED else status
        requested = final == S.REQUESTED or rng.random() < 0.5
        path = [S.REQUESTED, S.PROPOSED, S.CONFIRMED, S.DELIVERED]
        history = path[(0 if requested else 1) : path.index(final) + 1]
        if status == S.CANCELLED:
            history.append(S.CANCELLED)
        fields: dict[str, Any] = {}  # the school's request, where the visit began as one
        if requested:
            first, last_name = self.demo.person()
            fields.update(
                requester_name=f"{first} {last_name}",
                requester_email=f"{first[0]}.{last_name}@{school.urn}.school.example.org".lower().replace("'", ""),
                requester_phone=school.telephone,
                preferred_dates=rng.choice(VISITS.preferred_dates),
                pupils_by_year={str(y): n for y, n in planned_by_year(
                    {}, [(line["year_groups"], line["pupils"]) for line in lines]).items()},
            )
        elif status == S.DELIVERED:
            # A coordinator's own booking, arranged by phone: the teacher who arranged it is recorded, so
            # that the school is asked for feedback like any other.
            first, last_name = self.demo.person()
            fields.update(
                requester_name=f"{first} {last_name}",
                requester_email=f"{first[0]}.{last_name}@{school.urn}.school.example.org".lower().replace("'", ""),
            )
        visit = VisitFactory.build(
            school=school, date=day, starts_at=starts_at, ends_at=ends_at, status=status,
            coordinator=None if status == S.REQUESTED else self.coordinator_for.get(code),
            needs_welsh=school.welsh_medium, needs_send=any(line["send_adapted"] for line in lines),
            cancel_reason=rng.choice(VISITS.cancel_reasons) if status == S.CANCELLED else "",
            notes=rng.choice(VISITS.notes),
            version=len(history) - 1,
            **fields,
        )
        plan = Plan(visit=visit, lines=lines, history=history)
        if final != S.REQUESTED:
            if volunteers is None:
                needed = max(line["session_type"].volunteers_needed for line in lines)
                volunteers = self.pick(code, day, needed, prefer=prefer)
                if len(volunteers) < needed and day >= self.demo.today and status == S.CONFIRMED:
                    # Not enough volunteers free: the coordinator is still looking.
                    status = final = visit.status = S.PROPOSED
                    plan.history = history = history[: history.index(S.PROPOSED) + 1]
                    visit.version = len(history) - 1
            for i, volunteer in enumerate(volunteers):
                role = Assignment.Role.LEAD if i == 0 else Assignment.Role.SUPPORT
                if final == S.PROPOSED:
                    state = Assignment.Status.ACCEPTED if rng.random() < 0.3 else Assignment.Status.INVITED
                else:
                    state = Assignment.Status.ACCEPTED
                plan.assignments.append((volunteer, role, state))
                if status != S.CANCELLED:
                    self.booked.add((volunteer.pk, day))
        if statuses:  # explicit assignment statuses for the troubled visits
            plan.assignments = [(v, r, s) for (v, r, _), s in zip(plan.assignments, statuses)]
        return plan

    def write(self, plans: list[Plan]) -> None:
        """Save the planned visits and everything that hangs off them, in bulk."""
        rng = self.demo.rng
        S = Visit.Status
        bulk(Visit, [plan.visit for plan in plans])
        lines, assignments, reports, changes, feedback = [], [], [], [], []
        now = timezone.now()
        for plan in plans:
            visit = plan.visit
            delivered = visit.status == S.DELIVERED
            own_lines = []
            came = self.attendance_for(plan) if delivered else [None] * len(plan.lines)
            for line, attendance in zip(plan.lines, came, strict=True):
                reached = {} if attendance is None else {"children_reached": sum(attendance.values()),
                                                         "attendance": {str(y): n for y, n in attendance.items()}}
                own_lines.append(VisitSessionFactory.build(visit=visit, **reached, **line))
            lines.extend(own_lines)
            lead = None
            for volunteer, role, state in plan.assignments:
                responded = None
                if state != Assignment.Status.INVITED:
                    responded = at(visit.date - timedelta(days=rng.randint(7, 40)), rng.randint(8, 20))
                assignments.append(AssignmentFactory.build(visit=visit, volunteer=volunteer, role=role,
                                                           status=state, responded_at=responded))
                if role == Assignment.Role.LEAD:
                    lead = volunteer
            if delivered:
                filed = min(at(visit.date + timedelta(days=rng.randint(0, 3)), 16, 30), now)
                reports.append(VisitReportFactory.build(
                    visit=visit, filed_by=lead, filed_at=filed,
                    children_reached=children_reached(line.attendance for line in own_lines),
                    sessions_delivered=len(plan.lines), follow_up=rng.random() < 0.07,
                    notes=rng.choice(VISITS.report_notes),
                ))
                if visit.requester_email:
                    asked = self.feedback_for(visit, filed)
                    if asked is not None:
                        feedback.append(asked)
            steps = len(plan.history) - 1
            for i, (before, after) in enumerate(zip(plan.history, plan.history[1:])):
                # Spread the changes over the weeks before the visit (delivery is marked after it).
                when = (at(visit.date + timedelta(days=1), 17) if after == S.DELIVERED
                        else at(visit.date - timedelta(days=7 * (steps - i) + rng.randint(0, 6)), 10))
                changes.append(StatusChangeFactory.build(
                    visit=visit, from_status=before, to_status=after, by=visit.coordinator,
                    at=min(when, now - timedelta(days=steps - i)),
                    reason=visit.cancel_reason if after == S.CANCELLED else "",
                ))
        bulk(VisitSession, lines)
        bulk(Assignment, assignments)
        bulk(VisitReport, reports)
        bulk(StatusChange, changes)
        bulk(TeacherFeedback, feedback)
        counts = self.demo.counts
        counts["visits"] += len(plans)
        counts["session lines"] += len(lines)
        counts["assignments"] += len(assignments)
        counts["visit reports"] += len(reports)
        counts["teacher feedback"] += sum(1 for f in feedback if f.responded_at)
        for plan in plans:
            counts[f"visits {plan.visit.status}"] += 1

    def attendance_for(self, plan: Plan) -> list[dict[int, int]]:
        """Children at each of a delivered visit's sessions per year group: most of those planned came, and
        the visit never reaches more children than the school has on roll."""
        rng = self.demo.rng
        attendance = [
            {y: round(n * rng.uniform(0.88, 1.0)) for y, n in split_evenly(line["pupils"], line["year_groups"]).items()}
            for line in plan.lines
        ]
        roll = plan.visit.school.pupils
        reached = children_reached(attendance)
        if roll and reached > roll:
            attendance = [{y: n * roll // reached for y, n in line.items()} for line in attendance]
        return attendance

    def feedback_for(self, visit: Visit, filed) -> TeacherFeedback | None:
        """The school's feedback: asked of most schools (a few recent ones not yet), answered by most of
        those, mostly good with some honest criticism."""
        rng, now = self.demo.rng, timezone.now()
        asked = at(visit.date + timedelta(days=1), 17)
        if asked > now or rng.random() < 0.08:
            return None
        feedback = TeacherFeedback(visit=visit, sent_to=visit.requester_email, sent_at=asked,
                                   token=new_token())
        if now - asked > timedelta(days=REMINDER_AFTER_DAYS) and rng.random() < 0.5:
            feedback.reminded_at = asked + timedelta(days=REMINDER_AFTER_DAYS)
        if rng.random() < 0.78:
            rating = rng.choices([4, 3, 2, 1], weights=[55, 32, 10, 3])[0]
            feedback.rating = rating
            for name, _ in TeacherFeedback.QUESTIONS:
                setattr(feedback, name, max(1, min(4, rating + rng.choice([-1, 0, 0, 0, 1]))))
            feedback.come_back = (TeacherFeedback.ComeBack.YES if rating >= 3 and rng.random() < 0.9
                                  else rng.choice([TeacherFeedback.ComeBack.MAYBE, TeacherFeedback.ComeBack.NO]))
            if rng.random() < 0.4:
                feedback.comment = rng.choice(VISITS.feedback_praise if rating >= 3 else VISITS.feedback_criticism)
            replied = feedback.reminded_at or asked
            feedback.responded_at = min(replied + timedelta(hours=rng.randint(1, 96)), now)
            feedback.updated_at = feedback.responded_at
        return feedback

    def build_visits(self, count: int, nations: Iterable[str], demo_volunteer: Volunteer) -> None:
        """`count` visits over the past and the coming four months, in every status, at random schools."""
        rng, today = self.demo.rng, self.demo.today
        # Visits come at the pace of the programme: each open school about once a programme cycle
        # (two years), so the history is two years for the demo and longer for more visits per
        # school (100,000 visits over 20,000 schools: about twelve years). A demo gets a fifth of
        # its visits in the coming four months, so there is plenty to plan.
        open_schools = sum(len(schools) for schools in self.schools_by_force.values())
        window = 730 * 1.15 * count / max(1, open_schools)
        history_days = max(730, min(4380, round(window - 120)))
        share_ahead = 0.2 if history_days == 730 else 120 / (history_days + 120)
        days = school_days(today - timedelta(days=history_days), today + timedelta(days=120), nations)
        past = [day for day in days if day < today]
        ahead = [day for day in days if day >= today]
        n_ahead = round(count * share_ahead)
        past_days = [rng.choice(past) for _ in range(count - n_ahead)]
        visit_days = sorted(past_days + [rng.choice(ahead) for _ in range(n_ahead)])
        codes = [code for code in self.reference.force_codes if self.schools_by_force[code]]
        weights = [self.reference.weight(code) for code in codes]
        # Each force works through its schools in turn (in a shuffled order), as coordinators work
        # down the list of schools due a visit: no school is visited again before the others.
        rotation = {code: rng.sample(self.schools_by_force[code], len(self.schools_by_force[code])) for code in codes}
        turns: Counter[str] = Counter()
        demo_bookings = 0
        plans: list[Plan] = []
        for day in visit_days:
            code = rng.choices(codes, weights=weights)[0]
            school = rotation[code][turns[code] % len(rotation[code])]
            turns[code] += 1
            status = self.status_for(day)
            if day == visit_days[-1] and (day - today).days > 14:
                # The furthest ahead is a school's request, so even a small demo has one to answer.
                status = Visit.Status.REQUESTED
            # The demo volunteer takes a share of Thames Valley's visits, but no more than one
            # person could: a few dozen, leaving days free for the visits built on purpose.
            prefer = None
            if code == THAMES_VALLEY and rng.random() < 0.1 and demo_bookings < 40:
                prefer = demo_volunteer
                demo_bookings += 1
            plans.append(self.plan_visit(school, day, status, prefer=prefer))
            if len(plans) >= VISIT_CHUNK:
                self.write(plans)
                self.demo.log(f"  … {self.demo.counts['visits']:,} visits")
                plans = []
        if plans:
            self.write(plans)
