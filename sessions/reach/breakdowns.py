"""The reach report's breakdowns of the delivered visits in its scope and year: one small function each,
each one or two queries whatever the number of visits (tests assert the counts).

Children reached is always the visit reports' figure (`sessions.models.attendance.children_reached`:
each child once per visit), except where a breakdown is by session (Welsh-language and SEND-adapted
delivery): there it is the children at those sessions.

Terms are the academic year's three: autumn (September to December), spring (January to March) and
summer (April to August). Schools' own term dates differ by a week or two around Easter, and not every
school's calendar is held, so the report uses the same months for every school.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, Exists, OuterRef, Q, Sum, Value, When
from django.db.models.functions import ExtractMonth

from config.dates import TERM_MONTHS
from sessions.models import TeacherFeedback, Visit, VisitSession, year_group_label
from sessions.models.attendance import reach_by_year


@dataclass(frozen=True)
class Row:
    label: str
    visits: int | None = None
    children: int | None = None
    sessions: int | None = None


@dataclass(frozen=True)
class Score:
    question: str
    average: float | None
    answers: int


@dataclass
class FeedbackSummary:
    asked: int = 0
    answered: int = 0
    would_come_back: int = 0
    scores: list[Score] = field(default_factory=list)

    @property
    def response_percent(self) -> int | None:
        return round(self.answered * 100 / self.asked) if self.asked else None


@dataclass
class Breakdowns:
    local_authorities: list[Row]
    terms: list[Row]
    key_stages: list[Row]
    year_groups: list[Row]
    delivery: list[Row]
    first_and_repeat: list[Row]
    feedback: FeedbackSummary
    concerns: int

    def csv_rows(self) -> list[tuple[str, str, str, object]]:
        """(breakdown, group, measure, value): the CSV's second table, one figure a row."""
        out = []
        for title, rows in [
            ("Local authority", self.local_authorities), ("Term", self.terms), ("Key stage", self.key_stages),
            ("Year group", self.year_groups), ("Delivery", self.delivery), ("First or repeat visit",
                                                                             self.first_and_repeat),
        ]:
            for row in rows:
                for measure in ("visits", "sessions", "children"):
                    value = getattr(row, measure)
                    if value is not None:
                        out.append((title, row.label, MEASURES[measure], value))
        fb = self.feedback
        out += [
            ("Teacher feedback", "All delivered visits", "Schools asked", fb.asked),
            ("Teacher feedback", "All delivered visits", "Schools that answered", fb.answered),
            ("Teacher feedback", "All delivered visits", "Response rate (%)",
             "" if fb.response_percent is None else fb.response_percent),
            ("Teacher feedback", "All delivered visits", "Would like us back", fb.would_come_back),
        ]
        for score in fb.scores:
            out.append(("Teacher feedback", score.question, "Average (1 to 4)",
                        "" if score.average is None else f"{score.average:.1f}"))
        out.append(("Safeguarding", "All delivered visits", "Concerns passed to the school's safeguarding lead",
                    self.concerns))
        return out


MEASURES = {"visits": "Visits delivered", "sessions": "Sessions", "children": "Children reached"}


def by_local_authority(visits) -> list[Row]:
    """Visits and children reached per local authority, most children first."""
    rows = (
        visits.values("school__local_authority__name")
        .annotate(n=Count("pk"), children=Sum("report__children_reached"))
        .order_by()
    )
    found = [Row(r["school__local_authority__name"] or "Not recorded", r["n"], r["children"] or 0) for r in rows]
    return sorted(found, key=lambda row: (-row.children, row.label))


TERMS = [("autumn", "Autumn term (September to December)"), ("spring", "Spring term (January to March)"),
         ("summer", "Summer term (April to August)")]


def by_term(visits) -> list[Row]:
    """Visits and children reached in each term of the academic year (the months in the module docstring)."""
    term = Case(*(When(month__range=months, then=Value(name)) for name, months in TERM_MONTHS.items()))
    rows = (
        visits.annotate(month=ExtractMonth("date"))
        .annotate(term=term)
        .values("term")
        .annotate(n=Count("pk"), children=Sum("report__children_reached"))
        .order_by()
    )
    found = {r["term"]: r for r in rows}
    return [Row(label, found.get(key, {}).get("n", 0), found.get(key, {}).get("children") or 0) for key, label in TERMS]


KEY_STAGES = [("Reception (early years)", {0}), ("Key Stage 1 (Years 1 and 2)", {1, 2}),
              ("Key Stage 2 (Years 3 to 6)", {3, 4, 5, 6})]


def children_by_year(visits) -> dict[int, int]:
    """Children reached per year group across the visits, each child once per visit, in one query."""
    per_visit: dict[int, list] = defaultdict(list)
    lines = VisitSession.objects.filter(visit__in=visits.filter(report__isnull=False)).values_list(
        "visit_id", "attendance"
    )
    for visit_id, attendance in lines:
        per_visit[visit_id].append(attendance)
    totals: dict[int, int] = defaultdict(int)
    for sessions in per_visit.values():
        for year, n in reach_by_year(sessions).items():
            totals[year] += n
    return dict(totals)


def by_key_stage_and_year(visits) -> tuple[list[Row], list[Row]]:
    """Children reached by key stage and by year group (England's names; P1 to P7 in Scotland and
    Northern Ireland are Reception to Year 6 here)."""
    totals = children_by_year(visits)
    stages = [Row(label, children=sum(totals.get(y, 0) for y in years)) for label, years in KEY_STAGES]
    years = [Row(year_group_label(y), children=totals.get(y, 0)) for y in range(7)]
    return stages, years


def by_delivery(visits) -> list[Row]:
    """Sessions delivered in Welsh and with SEND adaptations: visits, sessions and the children at them."""
    lines = VisitSession.objects.filter(visit__in=visits)
    figures = lines.aggregate(
        welsh_visits=Count("visit", filter=Q(welsh_language=True), distinct=True),
        welsh_sessions=Count("pk", filter=Q(welsh_language=True)),
        welsh_children=Sum("children_reached", filter=Q(welsh_language=True)),
        send_visits=Count("visit", filter=Q(send_adapted=True), distinct=True),
        send_sessions=Count("pk", filter=Q(send_adapted=True)),
        send_children=Sum("children_reached", filter=Q(send_adapted=True)),
    )
    return [
        Row("Delivered in Welsh", figures["welsh_visits"], figures["welsh_children"] or 0, figures["welsh_sessions"]),
        Row("With SEND adaptations", figures["send_visits"], figures["send_children"] or 0, figures["send_sessions"]),
    ]


def by_first_or_repeat(visits) -> list[Row]:
    """A repeat visit is one to a school that had a delivered visit before it (in any year)."""
    earlier = Visit.objects.filter(school=OuterRef("school"), status=Visit.Status.DELIVERED, date__lt=OuterRef("date"))
    rows = (
        visits.annotate(repeat=Exists(earlier))
        .values("repeat")
        .annotate(n=Count("pk"), children=Sum("report__children_reached"))
        .order_by()
    )
    found = {r["repeat"]: r for r in rows}
    return [
        Row(label, found.get(key, {}).get("n", 0), found.get(key, {}).get("children") or 0)
        for key, label in [(False, "First visit to the school"), (True, "Repeat visit")]
    ]


def feedback_scores(visits) -> FeedbackSummary:
    """Teacher feedback on the visits: how many schools were asked and answered, and the average (1 to
    4) of each question, in one query."""
    questions = [("rating", "Overall rating"), *TeacherFeedback.QUESTIONS]
    figures = TeacherFeedback.objects.filter(visit__in=visits).aggregate(
        asked=Count("pk"),
        answered=Count("pk", filter=Q(responded_at__isnull=False)),
        back=Count("pk", filter=Q(come_back=TeacherFeedback.ComeBack.YES)),
        **{f"avg_{name}": Avg(name) for name, _ in questions},
        **{f"n_{name}": Count(name) for name, _ in questions},
    )
    return FeedbackSummary(
        asked=figures["asked"],
        answered=figures["answered"],
        would_come_back=figures["back"],
        scores=[Score(question, figures[f"avg_{name}"], figures[f"n_{name}"]) for name, question in questions],
    )


def concerns_passed_on(visits) -> int:
    """Visits whose report records that a concern was passed to the school's safeguarding lead: a count,
    never any detail."""
    return visits.filter(report__follow_up=True).count()


def breakdowns(visits) -> Breakdowns:
    """Every breakdown of these delivered visits."""
    stages, years = by_key_stage_and_year(visits)
    return Breakdowns(
        local_authorities=by_local_authority(visits),
        terms=by_term(visits),
        key_stages=stages,
        year_groups=years,
        delivery=by_delivery(visits),
        first_and_repeat=by_first_or_repeat(visits),
        feedback=feedback_scores(visits),
        concerns=concerns_passed_on(visits),
    )
