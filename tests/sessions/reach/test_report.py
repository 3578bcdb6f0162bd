"""Programme reach by academic year: what was delivered, where, with the change on the year before."""

import csv
import io
from datetime import date

import pytest

from schools.factories import SchoolFactory
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    VisitFactory,
    VisitReportFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, SessionType, Visit
from sessions.reach.report import AcademicYear, reach_report
from stats.models import Area

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TODAY = date(2026, 11, 28)
YEAR = AcademicYear(2025)  # September 2025 to August 2026: over by TODAY


def delivered(area, day, *, children=None, types=("assembly-ks2",), volunteers=(), school=None,
              status=Visit.Status.DELIVERED):
    visit = VisitFactory(school=school or SchoolFactory(in_area=area), date=day, status=status)
    for slug in types:
        VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug=slug))
    if children is not None:
        VisitReportFactory(visit=visit, children_reached=children)
    for volunteer in volunteers:
        AssignmentFactory(visit=visit, volunteer=volunteer)
    return visit


@pytest.fixture
def staff(staff_user):
    return staff_user


def test_an_academic_year_runs_from_september_to_august():
    assert AcademicYear.containing(date(2026, 8, 31)) == AcademicYear(2025)
    assert AcademicYear.containing(date(2026, 9, 1)) == AcademicYear(2026)
    assert (YEAR.label, YEAR.first_day, YEAR.last_day) == ("2025/26", date(2025, 9, 1), date(2026, 8, 31))


def test_the_report_counts_visits_schools_children_sessions_and_volunteers_of_the_year(staff, thames_valley):
    asha, ben = VolunteerFactory(areas=[thames_valley]), VolunteerFactory(areas=[thames_valley])
    school = SchoolFactory(in_area=thames_valley)
    delivered(thames_valley, date(2025, 9, 1), children=60, school=school, volunteers=[asha, ben])
    delivered(thames_valley, date(2026, 8, 31), children=90, school=school, types=("assembly-ks1", "assembly-ks2"),
              volunteers=[asha])
    delivered(thames_valley, date(2026, 3, 3))  # no report yet
    delivered(thames_valley, date(2026, 3, 4), status=Visit.Status.CONFIRMED, children=None)  # not delivered
    delivered(thames_valley, date(2025, 8, 31), children=500)  # the year before
    declined = delivered(thames_valley, date(2026, 1, 13), children=30)
    AssignmentFactory(visit=declined, volunteer=VolunteerFactory(), status=Assignment.Status.DECLINED)

    report = reach_report(staff, year=YEAR, today=TODAY)
    tv = next(line for line in report.areas if line.code == "E23000029")

    assert (tv.now.visits, tv.now.schools, tv.now.children, tv.now.unreported, tv.now.volunteers) == (4, 3, 180, 1, 2)
    assert tv.now.sessions == {SessionType.objects.get(slug="assembly-ks2").pk: 4,
                               SessionType.objects.get(slug="assembly-ks1").pk: 1}
    assert (tv.before.visits, tv.before.children) == (1, 500)
    assert tv.visits_change == "up 300% on 2024/25 (from 1 to 4)"
    assert tv.children_change == "down 64% on 2024/25 (from 500 to 180)"


def test_coverage_is_the_share_of_open_schools_visited_within_the_cycle_at_the_years_end(staff, thames_valley):
    schools = SchoolFactory.create_batch(4, in_area=thames_valley)
    SchoolFactory(in_area=thames_valley, status="closed")
    delivered(thames_valley, date(2026, 5, 5), school=schools[0])
    delivered(thames_valley, date(2025, 5, 5), school=schools[1])  # within two years of 31 August 2026
    delivered(thames_valley, date(2024, 5, 5), school=schools[2])  # too long before

    tv = next(line for line in reach_report(staff, year=YEAR, today=TODAY).areas if line.code == "E23000029")

    assert (tv.now.open_schools, tv.now.visited, tv.now.coverage_percent) == (4, 2, 50)
    # On 31 August 2025 the visits of May 2024 and May 2025 were within the cycle.
    assert tv.before.coverage_percent == 50
    assert tv.coverage_change == "no change on 2024/25 (from 50% to 50%)"


def test_a_running_year_is_compared_with_the_same_part_of_the_year_before(staff, thames_valley):
    delivered(thames_valley, date(2026, 10, 1), children=10)
    delivered(thames_valley, date(2025, 10, 1), children=20)
    delivered(thames_valley, date(2026, 3, 1), children=999)  # later in 2025/26 than 28 November

    report = reach_report(staff, year=AcademicYear(2026), today=TODAY)

    assert report.running and report.until == TODAY and report.previous_until == date(2025, 11, 28)
    assert report.total.children_change == "down 50% on 2025/26 to 28 November 2025 (from 20 to 10)"


def test_staff_see_every_nation_and_the_uk_with_volunteers_counted_once(staff, thames_valley, kent):
    both = VolunteerFactory(areas=[thames_valley, kent])
    delivered(thames_valley, date(2026, 2, 2), volunteers=[both])
    delivered(kent, date(2026, 2, 3), volunteers=[both])
    delivered(Area.objects.get(code="W15000004"), date(2026, 2, 4))  # Dyfed-Powys

    report = reach_report(staff, year=YEAR, today=TODAY)

    assert report.total.name == "United Kingdom" and report.total.now.visits == 3
    assert report.total.now.volunteers == 1
    assert [(line.name, line.now.visits) for line in report.rows if line.kind == "nation"] == [
        ("England", 2), ("Wales", 1)]
    assert [line.name for line in report.rows] == ["England", "Kent", "Thames Valley", "Wales", "Dyfed-Powys"]


def test_a_coordinator_sees_only_their_areas(thames_valley, kent):
    coordinator = CoordinatorFactory(areas=[thames_valley])
    delivered(thames_valley, date(2026, 2, 2), children=25)
    delivered(kent, date(2026, 2, 3), children=40)

    report = reach_report(coordinator.user, year=YEAR, today=TODAY)

    assert [line.name for line in report.areas] == ["Thames Valley"]
    assert report.nations == []
    assert (report.total.name, report.total.now.visits, report.total.now.children) == ("All your areas", 1, 25)


# --- The page

def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/reach/")["Location"].startswith("/accounts/login/")


def test_volunteers_find_no_reach_report(volunteer_client):
    assert volunteer_client.get("/reach/").status_code == 404
    assert volunteer_client.get("/reach/reach.csv").status_code == 404


def test_the_page_shows_the_years_totals_and_each_area(coordinator_client, thames_valley):
    delivered(thames_valley, date(2026, 2, 2), children=25, volunteers=[VolunteerFactory()])

    html = coordinator_client.get("/reach/?year=2025").content.decode()

    assert "All your areas, 2025/26</h2>" in html
    assert "<dt>Children reached, each counted once</dt><dd>25</dd>" in html
    assert "Up on 2024/25 (from 0 to 25)" in html
    assert '<option value="2025" selected>2025/26</option>' in html
    assert ">Thames Valley</a>" in html and ">Kent</a>" not in html


def test_the_htmx_request_gets_only_the_report_fragment(staff_client, thames_valley):
    delivered(thames_valley, date(2026, 2, 2), children=25)

    html = staff_client.get("/reach/?year=2025&nation=E92000001", headers=HTMX).content.decode()

    assert "<html" not in html and '<section id="report"' in html
    assert "England, 2025/26</h2>" in html


def test_the_report_downloads_as_csv_with_every_area_and_the_year_before(staff_client, thames_valley):
    delivered(thames_valley, date(2026, 2, 2), children=25, types=("assembly-ks1", "workshop-years-5-6"))
    delivered(thames_valley, date(2025, 2, 2), children=10)

    response = staff_client.get("/reach/reach.csv?year=2025")

    assert 'filename="programme-reach-2025-26.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 45 + 4 + 1  # every area, every nation, the UK
    tv = next(row for row in rows if row["ONS code"] == "E23000029")
    assert (tv["Academic year"], tv["Visits delivered"], tv["Children reached (each counted once)"]) == ("2025/26", "1", "25")
    assert (tv["Sessions: Assembly for Key Stage 1"], tv["Sessions: Workshop for Years 5 and 6"]) == ("1", "1")
    assert (tv["Compared with"], tv["Children reached (each counted once, previous year)"]) == ("2024/25", "10")
    uk = rows[-1]
    assert (uk["Level"], uk["Name"], uk["Children reached (each counted once)"]) == ("total", "United Kingdom", "25")


@pytest.mark.parametrize("areas", [1, 3])
def test_the_report_costs_the_same_queries_whatever_the_number_of_areas(
        staff_client, django_assert_num_queries, areas):
    for area in Area.objects.police_forces().order_by("code")[:areas]:
        delivered(area, date(2026, 2, 2), children=5, volunteers=[VolunteerFactory()])

    # session, user, nations, areas, 2 × (visits, sessions, volunteers by area, by nation and in all,
    # open schools, due), session types, first visit, declines and cancellations by reason, the breakdowns
    # (local authority, term, year groups, Welsh and SEND delivery, first or repeat, feedback, concerns); the
    # charts and the map: areas, children by year, open schools, due at the end of each
    # year shown (2), the map's schools
    with django_assert_num_queries(35):
        response = staff_client.get("/reach/?year=2025")

    assert response.content.decode().count('class="reach-line reach-area"') == areas
