"""The reach report's breakdowns (`sessions/reach/breakdowns.py`): each a small function, each a fixed
number of queries however many visits there are."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from schools.factories import SchoolFactory
from sessions.factories import VisitFactory, VisitReportFactory, VisitSessionFactory
from sessions.models import SessionType, TeacherFeedback, Visit
from sessions.reach import breakdowns as b
from sessions.reach.report import AcademicYear, reach_report

pytestmark = pytest.mark.django_db

YEAR = AcademicYear(2025)


def delivered(school, day, *, lines=((("assembly-ks2", [3, 4, 5, 6]), {3: 30, 4: 30, 5: 30, 6: 30}),),
              follow_up=False, welsh=False, send=False):
    """A delivered visit with its report: each line ((slug, year groups), attendance)."""
    visit = VisitFactory(school=school, date=day, status=Visit.Status.DELIVERED)
    sessions = []
    for (slug, years), attendance in lines:
        VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug=slug), year_groups=years,
                            attendance={str(y): n for y, n in attendance.items()},
                            children_reached=sum(attendance.values()), welsh_language=welsh, send_adapted=send)
        sessions.append(attendance)
    from sessions.models.attendance import children_reached  # noqa: PLC0415

    VisitReportFactory(visit=visit, children_reached=children_reached(sessions), follow_up=follow_up)
    return visit


def in_year(visits=None):
    return Visit.objects.filter(status=Visit.Status.DELIVERED, date__range=(YEAR.first_day, YEAR.last_day))


@pytest.fixture
def programme(thames_valley):
    """Two schools in Thames Valley: one visited twice (the second a repeat), one once, in Welsh with SEND."""
    oak = SchoolFactory(in_area=thames_valley, name="Oak Primary")
    elm = SchoolFactory(in_area=thames_valley, name="Elm Primary")
    delivered(oak, date(2025, 10, 7), lines=(
        (("assembly-ks2", [3, 4, 5, 6]), {3: 28, 4: 30, 5: 29, 6: 31}),
        (("workshop-years-5-6", [5, 6]), {5: 29, 6: 30}),
    ), follow_up=True)
    delivered(oak, date(2026, 5, 12), lines=((("assembly-ks1", [1, 2]), {1: 25, 2: 27}),))
    delivered(elm, date(2026, 2, 3), lines=((("assembly-ks1", [0, 1, 2]), {0: 20, 1: 22, 2: 21}),), welsh=True,
              send=True)
    delivered(elm, date(2025, 6, 3))  # the year before: not counted, but makes February's visit a repeat
    return oak, elm


def test_children_by_key_stage_and_year_group_count_each_child_once(programme):
    stages, years = b.by_key_stage_and_year(in_year())

    assert [(r.label, r.children) for r in stages] == [
        ("Reception (early years)", 20), ("Key Stage 1 (Years 1 and 2)", 25 + 27 + 22 + 21),
        ("Key Stage 2 (Years 3 to 6)", 28 + 30 + 29 + 31),
    ]
    assert {r.label: r.children for r in years}["Year 6"] == 31  # not 61: the workshop's Year 6 were at the assembly


def test_visits_and_children_by_term(programme):
    assert [(r.label.split()[0], r.visits, r.children) for r in b.by_term(in_year())] == [
        ("Autumn", 1, 118), ("Spring", 1, 63), ("Summer", 1, 52),
    ]


def test_first_and_repeat_visits(programme):
    assert [(r.label, r.visits, r.children) for r in b.by_first_or_repeat(in_year())] == [
        ("First visit to the school", 1, 118), ("Repeat visit", 2, 52 + 63),
    ]


def test_welsh_language_and_send_adapted_delivery(programme):
    assert [(r.label, r.visits, r.sessions, r.children) for r in b.by_delivery(in_year())] == [
        ("Delivered in Welsh", 1, 1, 63), ("With SEND adaptations", 1, 1, 63),
    ]


def test_local_authorities_and_concerns_passed_on(programme):
    [la] = b.by_local_authority(in_year())
    assert (la.visits, la.children) == (3, 118 + 52 + 63)
    assert b.concerns_passed_on(in_year()) == 1


def test_feedback_response_rate_and_average_per_question(programme):
    visits = list(in_year().order_by("date"))
    now = timezone.now()
    TeacherFeedback.objects.create(visit=visits[0], sent_to="a@oak.example.org", rating=4, right_for_ages=3,
                                   pupils_engaged=4, volunteers_prepared=4, come_back="yes", responded_at=now)
    TeacherFeedback.objects.create(visit=visits[1], sent_to="b@elm.example.org", rating=3, pupils_engaged=3,
                                   come_back="maybe", responded_at=now)
    TeacherFeedback.objects.create(visit=visits[2], sent_to="a@oak.example.org")

    summary = b.feedback_scores(in_year())

    assert (summary.asked, summary.answered, summary.response_percent, summary.would_come_back) == (3, 2, 67, 1)
    assert [(s.question, s.average, s.answers) for s in summary.scores] == [
        ("Overall rating", 3.5, 2), ("The sessions were right for our pupils' ages", 3.0, 1),
        ("Our pupils were engaged", 3.5, 2), ("The volunteers were well prepared", 4.0, 1),
    ]


@pytest.mark.parametrize("schools", [1, 4])
def test_the_breakdowns_cost_the_same_queries_whatever_the_number_of_visits(thames_valley,
                                                                           django_assert_num_queries, schools):
    for n in range(schools):
        delivered(SchoolFactory(in_area=thames_valley), date(2025, 11, 4) + timedelta(days=n))

    # local authority, term, year groups, delivery, first or repeat, feedback, concerns
    with django_assert_num_queries(7):
        found = b.breakdowns(in_year())

    assert sum(row.visits for row in found.terms) == schools


def test_the_report_page_and_the_breakdowns_csv_show_them(staff_client, programme):
    html = staff_client.get("/reach/?year=2025").content.decode()

    assert "By key stage and year group" in html and "Key Stage 2 (Years 3 to 6)" in html
    assert "In 1 visit a volunteer passed a concern to the school's designated safeguarding lead." in html

    response = staff_client.get("/reach/breakdowns.csv?year=2025")
    assert 'filename="programme-reach-breakdowns-2025-26.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    terms = {(r["Group"], r["Measure"]): r["Value"] for r in rows if r["Breakdown"] == "Term"}
    assert terms[("Autumn term (September to December)", "Children reached")] == "118"
    concerns = [r for r in rows if r["Breakdown"] == "Safeguarding"]
    assert [(r["Measure"], r["Value"]) for r in concerns] == [("Concerns passed to the school's safeguarding lead",
                                                               "1")]
    assert {r["Scope"] for r in rows} == {"United Kingdom"}


def test_a_coordinator_sees_breakdowns_of_their_own_areas_only(kent, programme):
    from sessions.factories import CoordinatorFactory  # noqa: PLC0415

    elsewhere = CoordinatorFactory(areas=[kent]).user
    report = reach_report(elsewhere, year=YEAR, today=date(2026, 11, 28))

    assert sum(row.visits for row in report.breakdowns.terms) == 0
    assert report.breakdowns.concerns == 0
