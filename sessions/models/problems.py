"""The rules behind `Visit.problems()`: what is wrong with a visit, each rule a small function.

A rule takes the visit's `Facts` (the visit, its school, its session lines and its booked
volunteers, read once) and yields the problems it finds. `RULES` lists them in the order a
coordinator reads them; adding a rule is adding one function to that list. Errors block confirming;
warnings can be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from types import SimpleNamespace

import holidays
from django.conf import settings
from django.db.models import DateField, IntegerField, Q, TimeField
from django.utils import timezone

from config.prepared import Key, Param, Prepared
from schools.models import (
    LIVE_VISIT_STATUSES,
    School,
    SchoolClosure,
    TermDate,
    academic_year_label,
    academic_year_of,
    cycle_start,
    day_month,
)

# The models are read through their modules: visits.py imports this one, so names are looked up when a
# rule runs, not at import.
from sessions.models import people, visits


@dataclass(frozen=True)
class Problem:
    level: str  # "error" blocks confirming; "warning" can be accepted
    code: str
    message: str

    ERROR = "error"
    WARNING = "warning"

    @property
    def is_error(self) -> bool:
        return self.level == self.ERROR


HOLIDAY_SUBDIVISIONS = {
    School.Nation.ENGLAND: "ENG",
    School.Nation.WALES: "WLS",
    School.Nation.SCOTLAND: "SCT",
    School.Nation.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=64)
def bank_holidays(nation: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=HOLIDAY_SUBDIVISIONS[nation], years=year)


def bank_holiday_name(day: date, nation: str) -> str | None:
    """The name of the bank holiday on `day` in the nation, or None."""
    return bank_holidays(nation, day.year).get(day)




# --- What the rules read, each query built once a process (config/prepared.py): the live problems check asks
# them all whenever the coordinator pauses in the visit form.

VISIT, DAY = Key("visit"), Param("day", DateField())
STARTS_AT, ENDS_AT = Param("starts_at", TimeField()), Param("ends_at", TimeField())
SCHOOL, AUTHORITY = Key("school"), Key("authority")


def _team() -> visits.AssignmentQuerySet:
    """The visit's booked team (invited or accepted): whom a visit counts as its volunteers."""
    return visits.Assignment.objects.filter(visit_id=VISIT).booked()


BOOKED = Prepared(lambda: _team().select_related("volunteer__user").order_by("role", "pk"))
TEAM_CLASHES = Prepared(lambda: visits.Assignment.objects.clashes_with(
    SimpleNamespace(pk=VISIT, date=DAY, starts_at=STARTS_AT, ends_at=ENDS_AT),
    volunteers=_team().values("volunteer_id"),
))
TEAM_AWAY = Prepared(lambda: people.Unavailability.objects.filter(
    volunteer_id__in=_team().values("volunteer_id"), starts_on__lte=DAY, ends_on__gte=DAY
).order_by("starts_on", "pk"))
# One authority's calendar: ordered by date alone (the model's own order joins the authority to sort by its name).
TERM_DATES = Prepared(lambda: TermDate.objects.filter(
    local_authority_id=AUTHORITY, academic_year=Param("year", IntegerField())
).order_by("starts_on", "kind"))
CLOSURES = Prepared(lambda: SchoolClosure.objects.filter(school_id=SCHOOL).covering(DAY).order_by("starts_on", "pk"))
# The school's visits that two rules read, by date: those still live (`second_visit`) and those delivered within
# the programme cycle before the visit's date (`recently_visited`), leaving out the visit itself (a new visit
# asks with 0, a key no visit has).
OTHER_VISITS = Prepared(lambda: visits.Visit.objects.filter(
    Q(status__in=LIVE_VISIT_STATUSES)
    | Q(status=visits.Visit.Status.DELIVERED, date__gt=Param("cycle_start", DateField()), date__lt=DAY),
    school_id=SCHOOL,
).exclude(pk=VISIT).only("date", "status").order_by("date", "pk"))


# --- The rules. Each takes the visit's facts and yields what it finds.

@dataclass(frozen=True)
class Facts:
    """What every rule reads, loaded once per `problems_of` call."""

    visit: visits.Visit
    school: School
    sessions: list[visits.VisitSession]
    booked: list[visits.Assignment]  # invited or accepted

    @property
    def volunteers(self) -> list[people.Volunteer]:
        return [assignment.volunteer for assignment in self.booked]

    @cached_property
    def term_dates(self) -> list[TermDate]:
        """The school's authority's calendar for the visit's academic year (read once, for three rules)."""
        if not self.school.local_authority_id:
            return []
        return TERM_DATES(authority=self.school.local_authority_id, year=academic_year_of(self.visit.date))

    @cached_property
    def closures(self) -> list[SchoolClosure]:
        """The school's own closures and INSET days on the visit's date."""
        return CLOSURES(school=self.school.pk, day=self.visit.date)

    @cached_property
    def other_visits(self) -> list[visits.Visit]:
        """The school's other visits that two rules read, in one query, by date: those still live (`second_visit`)
        and those delivered within the programme cycle before this visit's date (`recently_visited`)."""
        day = self.visit.date
        return OTHER_VISITS(school=self.school.pk, visit=self.visit.pk or 0, day=day, cycle_start=cycle_start(day))

    def term_dates_on(self, *kinds: str) -> list[TermDate]:
        day = self.visit.date
        return [span for span in self.term_dates if span.kind in kinds and span.starts_on <= day <= span.ends_on]


def weekend(facts: Facts) -> Iterator[Problem]:
    day = facts.visit.date
    if day.weekday() >= 5:
        yield Problem(Problem.ERROR, "weekend", f"{day:%A %-d %B %Y} is a weekend.")


def bank_holiday(facts: Facts) -> Iterator[Problem]:
    holiday = bank_holiday_name(facts.visit.date, facts.school.nation)
    if holiday:
        yield Problem(
            Problem.ERROR, "bank_holiday", f"{holiday} is a bank holiday in {facts.school.get_nation_display()}."
        )


def school_holiday(facts: Facts) -> Iterator[Problem]:
    day, school = facts.visit.date, facts.school
    for span in facts.term_dates_on(*TermDate.CLOSED):
        yield Problem(
            Problem.ERROR, "school_holiday",
            f"{day_month(day)} is in {school.local_authority.name}'s {span.name}, {span.span}.",
        )
    for closure in facts.closures:
        if closure.kind == SchoolClosure.Kind.CLOSURE:
            because = f": {closure.reason}" if closure.reason else ""
            yield Problem(Problem.ERROR, "school_holiday", f"{school.name} is closed {closure.span}{because}.")


def inset(facts: Facts) -> Iterator[Problem]:
    day, school = facts.visit.date, facts.school
    for _ in facts.term_dates_on(TermDate.Kind.INSET):
        yield Problem(Problem.ERROR, "inset",
                      f"{day_month(day)} is an INSET day for {school.local_authority.name}'s schools.")
    for closure in facts.closures:
        if closure.kind == SchoolClosure.Kind.INSET:
            yield Problem(Problem.ERROR, "inset", f"{day_month(day)} is an INSET day at {school.name}.")


def term_unknown(facts: Facts) -> Iterator[Problem]:
    school = facts.school
    if not school.local_authority_id:
        yield Problem(Problem.WARNING, "term_unknown",
                      f"{school.name} has no local authority, so its term dates are not known.")
    elif not facts.term_dates:
        year = academic_year_label(academic_year_of(facts.visit.date))
        yield Problem(Problem.WARNING, "term_unknown",
                      f"No term dates are held for {school.local_authority.name} in {year}: check that "
                      f"{school.name} is open that day.")


def double_booked(facts: Facts) -> Iterator[Problem]:
    visit = facts.visit
    if not (visit.starts_at and visit.ends_at and facts.volunteers):
        return
    for clash in TEAM_CLASHES(visit=visit.pk, day=visit.date, starts_at=visit.starts_at, ends_at=visit.ends_at):
        yield Problem(Problem.ERROR, "double_booked", clash.clash_message())


def not_cleared(facts: Facts) -> Iterator[Problem]:
    for volunteer in facts.volunteers:
        for issue in volunteer.clearance_issues(facts.visit.date):
            yield Problem(Problem.ERROR, "not_cleared", f"{volunteer.name} {issue}.")


def unavailable(facts: Facts) -> Iterator[Problem]:
    if not facts.volunteers:
        return
    team = {volunteer.pk: volunteer for volunteer in facts.volunteers}  # read already, with their names
    for absence in TEAM_AWAY(visit=facts.visit.pk, day=facts.visit.date):
        yield Problem(
            Problem.ERROR,
            "unavailable",
            f"{team[absence.volunteer_id].name} is unavailable from {absence.starts_on:%-d %B} to "
            f"{absence.ends_on:%-d %B %Y}.",
        )


def age_unsuitable(facts: Facts) -> Iterator[Problem]:
    school = facts.school
    for line in facts.sessions:
        if not line.session_type.suits(school):
            yield Problem(
                Problem.ERROR,
                "age_unsuitable",
                f"{line.session_type.name} is for ages {line.session_type.age_range}; "
                f"{school.name} takes ages {school.age_range}.",
            )


def understaffed(facts: Facts) -> Iterator[Problem]:
    needed = facts.visit.volunteers_needed(facts.sessions)
    booked = len(facts.booked)
    if booked < needed:
        yield Problem(
            Problem.ERROR,
            "understaffed",
            f"The sessions need {needed} volunteers; {booked} {'is' if booked == 1 else 'are'} assigned.",
        )


def no_lead(facts: Facts) -> Iterator[Problem]:
    if facts.sessions and not any(a.role == visits.Assignment.Role.LEAD for a in facts.booked):
        yield Problem(Problem.ERROR, "no_lead", "The visit has no lead volunteer.")


def not_accepted(facts: Facts) -> Iterator[Problem]:
    for assignment in facts.booked:
        if assignment.status == visits.Assignment.Status.INVITED:
            yield Problem(
                Problem.ERROR,
                "not_accepted",
                f"{assignment.volunteer.name} ({assignment.get_role_display().lower()}) has not answered the "
                f"invitation sent on {timezone.localtime(assignment.created_at):%-d %B}.",
            )


def no_welsh_speaker(facts: Facts) -> Iterator[Problem]:
    welsh = [line for line in facts.sessions if line.welsh_language]
    if welsh and not any(volunteer.speaks_welsh for volunteer in facts.volunteers):
        sessions = "A session is" if len(welsh) == 1 else f"{len(welsh)} sessions are"
        yield Problem(
            Problem.WARNING,
            "no_welsh_speaker",
            f"{sessions} to be given in Welsh, and no volunteer on the visit speaks Welsh.",
        )


def preference(facts: Facts) -> Iterator[Problem]:
    visit = facts.visit
    wanted = "; ".join(visit.preferences)
    if not wanted:
        return
    clashes = []
    days = {d for d in visit.preferred_weekdays if isinstance(d, int) and 0 <= d < 5}
    if days and visit.date.weekday() not in days:
        clashes.append(f"{visit.date:%-d %B} is a {visit.date:%A}")
    if visit.starts_at and visit.preferred_time == "morning" and visit.starts_at.hour >= 12:
        clashes.append(f"it starts at {visit.starts_at:%H:%M}")
    if visit.starts_at and visit.preferred_time == "afternoon" and visit.starts_at.hour < 12:
        clashes.append(f"it starts at {visit.starts_at:%H:%M}")
    if visit.date in visit.avoided_dates:
        clashes.append(f"{visit.date:%-d %B %Y} is a date the school asked to avoid")
    if clashes:
        yield Problem(Problem.WARNING, "preference",
                      f"The school asked for “{wanted}”: {'; '.join(clashes)}.")


def second_visit(facts: Facts) -> Iterator[Problem]:
    visit, school = facts.visit, facts.school
    if visit.status not in LIVE_VISIT_STATUSES:
        return
    for other in facts.other_visits:
        if other.status not in LIVE_VISIT_STATUSES:
            continue
        yield Problem(
            Problem.WARNING, "second_visit",
            f"{school.name} already has a visit {other.get_status_display().lower()} for {other.date:%-d %B %Y}.",
        )


def recently_visited(facts: Facts) -> Iterator[Problem]:
    """The school's latest delivered visit within the programme cycle before this one's date."""
    delivered = [other for other in facts.other_visits if other.status == visits.Visit.Status.DELIVERED]
    if delivered:
        recent = delivered[-1]
        yield Problem(
            Problem.WARNING,
            "recently_visited",
            f"{facts.school.name} had a visit on {recent.date:%-d %B %Y}, within the "
            f"{settings.PROGRAMME_CYCLE_YEARS}-year programme cycle.",
        )


def year_groups_outside_ages(facts: Facts) -> Iterator[Problem]:
    """A session booked for year groups its material is not written for (`SessionType.suits_year_group`)."""
    nation = facts.school.nation
    for line in facts.sessions:
        outside = sorted({n for n in line.year_groups or [] if isinstance(n, int)
                          and not line.session_type.suits_year_group(n)})
        if outside:
            groups = [f"{visits.year_group_label(n, nation)} (ages {'–'.join(map(str, visits.year_group_ages(n)))})"
                      for n in outside]
            booked = groups[0] if len(groups) == 1 else f"{', '.join(groups[:-1])} and {groups[-1]}"
            yield Problem(
                Problem.ERROR, "year_groups_outside_ages",
                f"{line.session_type.name} at {line.starts_at:%H:%M} is for ages {line.session_type.age_range}, "
                f"but it is booked for {booked}.",
            )


def session_outside_visit(facts: Facts) -> Iterator[Problem]:
    """A session that starts before the visit does or ends after it (say, once the visit's start has moved)."""
    visit = facts.visit
    if not (visit.starts_at and visit.ends_at):
        return
    for line in facts.sessions:
        if not line.starts_at:
            continue
        early, late = line.starts_at < visit.starts_at, line.ends_at > visit.ends_at
        if early or late:
            how = " and ".join(["starts before"] * early + ["ends after"] * late)
            yield Problem(
                Problem.ERROR, "session_outside_visit",
                f"{line.session_type.name} ({line.starts_at:%H:%M}–{line.ends_at:%H:%M}) {how} the visit, which "
                f"runs {visit.times}: change the session's start or the visit's times.",
            )


def date_past(facts: Facts) -> Iterator[Problem]:
    """A visit whose day has gone by and that is neither delivered nor cancelled. A warning, not an error:
    a visit given while still proposed must be confirmed before it can be marked delivered, and the
    lead's report may come days later."""
    visit = facts.visit
    if visit.status not in LIVE_VISIT_STATUSES or visit.date >= timezone.localdate():
        return
    status = visit.get_status_display().lower()
    if visit.status == visits.Visit.Status.CONFIRMED:
        then = "once the lead has filed the report, mark it delivered; if it did not take place, cancel it"
    else:
        then = "if it took place, confirm it and mark it delivered once the lead has filed the report; if not, " \
               "move it to a new date or cancel it"
    yield Problem(Problem.WARNING, "date_past", f"{visit.date:%A %-d %B %Y} has passed and the visit is still "
                                                f"{status}: {then}.")
def school_not_confirmed(facts: Facts) -> Iterator[Problem]:
    """Until the school agrees to the date and time on its own page, nobody may say it has. A delivered
    visit is past asking."""
    visit = facts.visit
    if visit.status == visits.Visit.Status.DELIVERED or visit.school_has_agreed:
        return
    offered = visit.school_offered_dates
    if offered and visit.school_other_dates_at:
        said = ", ".join(f"{d:%A %-d %B %Y}" for d in offered)
        message = f"{facts.school.name} says this date does not work and offered: {said}."
        if visit.school_other_dates_note:
            message += f" They wrote: “{visit.school_other_dates_note}”"
    elif visit.school_agreed_at:
        message = (f"{facts.school.name} agreed to {visit.school_agreed_date:%-d %B %Y} "
                   f"{visit.school_agreed_starts_at:%H:%M}–{visit.school_agreed_ends_at:%H:%M}, "
                   "not to the date and time the visit has now: it has been asked again.")
    else:
        message = f"{facts.school.name} has not yet agreed to this date and time on its visit page."
    yield Problem(Problem.WARNING, "school_not_confirmed", message)


RULES: tuple[Callable[[Facts], Iterator[Problem]], ...] = (
    weekend,
    bank_holiday,
    school_holiday,
    inset,
    term_unknown,
    double_booked,
    not_cleared,
    unavailable,
    age_unsuitable,
    understaffed,
    no_lead,
    not_accepted,
    no_welsh_speaker,
    preference,
    second_visit,
    recently_visited,
    year_groups_outside_ages,
    session_outside_visit,
    date_past,
    school_not_confirmed,
)

# The rules about who is on the visit: the dashboard lists visits with these apart from the other errors.
STAFFING_CODES = frozenset({"understaffed", "no_lead", "not_accepted"})


def problems_of(visit: visits.Visit, sessions: Iterable[visits.VisitSession] | None = None) -> list[Problem]:
    """Every error and warning for `visit`, rule by rule (a cancelled or unfinished visit has none)."""
    if visit.is_cancelled or not visit.date or not visit.school_id:
        return []
    lines = visit.read_lines() if sessions is None else list(sessions)
    booked = BOOKED(visit=visit.pk) if visit.pk else []
    facts = Facts(visit=visit, school=visit.school, sessions=lines, booked=booked)
    return [problem for rule in RULES for problem in rule(facts)]


# The rules about the day alone (not who is booked): the public request form refuses a first choice they
# find, with the rules' own messages.
DAY_RULES: tuple[Callable[[Facts], Iterator[Problem]], ...] = (weekend, bank_holiday, school_holiday, inset)


def day_problems(school: School, day: date) -> list[Problem]:
    """What is wrong with `day` for a visit to `school` by the day rules (weekend, bank holiday of its nation,
    its authority's holidays and INSET days, its own closures), asked before any visit exists."""
    facts = Facts(visit=visits.Visit(school=school, date=day), school=school, sessions=[], booked=[])
    return [problem for rule in DAY_RULES for problem in rule(facts)]
