"""The coverage map: where each school is drawn, in which state, what is said of those that cannot be drawn,
how big the picture is at national scale, and the charts over the years."""

import random
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from schools.factories import SchoolFactory
from schools.models import School
from sessions.factories import CoordinatorFactory, VisitFactory, VisitReportFactory
from sessions.models import Visit
from sessions.reach.coverage import DUE, NEVER, VISITED
from sessions.reach.map import MARGIN, MARKS, Projection, coverage_map, draw, marks_path
from stats.models import Area

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ON = date(2026, 11, 28)


# --- The projection (no database)

def test_a_school_at_the_areas_south_west_corner_is_at_the_boxs_bottom_left_and_north_east_at_top_right():
    projection = Projection.fitting([(400_000, 100_000), (460_000, 180_000), (430_000, 150_000)])

    assert projection(400_000, 100_000) == (MARGIN, projection.height - MARGIN)
    assert projection(460_000, 180_000) == (projection.width - MARGIN, MARGIN)


def test_north_is_up_and_east_is_right():
    projection = Projection.fitting([(400_000, 100_000), (460_000, 180_000)])

    west, south = projection(410_000, 120_000)
    east, north = projection(420_000, 130_000)

    assert east > west
    assert north < south  # SVG's y grows downwards


def test_one_scale_serves_both_axes_so_the_areas_shape_is_kept():
    wide = Projection.fitting([(0, 0), (200_000, 50_000)])
    tall = Projection.fitting([(0, 0), (50_000, 200_000)])

    assert (wide.width - 2 * MARGIN) / (wide.height - 2 * MARGIN) == pytest.approx(4, rel=0.02)
    assert (tall.height - 2 * MARGIN) / (tall.width - 2 * MARGIN) == pytest.approx(4, rel=0.02)
    assert wide.width <= 640 and tall.height <= 720


def test_a_lone_school_is_drawn_in_the_middle_of_a_few_kilometres_of_map():
    projection = Projection.fitting([(450_000, 170_000)])

    assert projection(450_000, 170_000) == (projection.width // 2, projection.height // 2)
    assert projection.width == projection.height


def test_the_whole_uk_at_one_mark_per_school_stays_a_couple_of_hundred_kilobytes():
    rng = random.Random(7)
    # 20,000 schools spread over Great Britain's grid (Land's End to Shetland).
    points = [(rng.randint(130_000, 650_000), rng.randint(10_000, 1_200_000)) for _ in range(20_000)]
    projection = Projection.fitting(points)
    marks = {VISITED: set(), DUE: set(), NEVER: set()}
    for i, point in enumerate(points):
        marks[(VISITED, DUE, NEVER)[i % 3]].add(projection(*point))
    requests = {projection(*p) for p in points[:300]}

    svg = draw("the United Kingdom", ON, marks, requests, projection, "Twenty thousand schools.", "uk-map")

    assert len(svg.encode()) < 250_000
    assert svg.count("<path") == 4 + 1 + 1  # one per state (never visited twice: a ring), requests, the scale bar


def test_marks_are_relative_moves_so_each_costs_a_few_bytes():
    path = marks_path({(10, 10), (12, 11), (400, 300)})

    assert path == "M10 10h0m2 1h0m388 289h0"


# --- The classes, from the database


def school(area, easting, northing, **kwargs):
    return SchoolFactory(in_area=area, easting=easting, northing=northing, **kwargs)


def delivered(school, day):
    return VisitFactory(school=school, date=day, status=Visit.Status.DELIVERED)


@pytest.fixture
def schools(thames_valley):
    visited = school(thames_valley, 470_000, 170_000, name="Visited Primary")
    delivered(visited, ON - timedelta(days=100))
    due = school(thames_valley, 480_000, 180_000, name="Due Primary")
    delivered(due, ON - timedelta(days=3 * 365))
    never = school(thames_valley, 490_000, 190_000, name="Never Primary")
    VisitFactory(school=never, status=Visit.Status.REQUESTED, date=ON + timedelta(days=30))
    later = school(thames_valley, 475_000, 175_000, name="Visited Later Primary")
    delivered(later, ON + timedelta(days=1))  # after the day the map is drawn for: not yet visited
    school(thames_valley, None, None, name="Nowhere Primary")
    school(thames_valley, 470_000, 170_000, status=School.Status.CLOSED)
    return thames_valley


def test_each_open_school_is_visited_due_or_never_visited_on_the_day_with_open_requests_marked(schools,
                                                                                           django_assert_num_queries):
    with django_assert_num_queries(1):
        found = coverage_map([schools], name="Thames Valley", on=ON)

    assert found.counts == {VISITED: 1, DUE: 1, NEVER: 3}
    assert found.requested == 1
    assert found.unplaced == 1
    assert found.total == 5


def test_the_map_draws_each_state_in_its_own_shape_and_colour_and_says_what_it_shows(schools):
    svg = coverage_map([schools], name="Thames Valley", on=ON).svg

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img"' in svg and 'aria-labelledby="coverage-map-title coverage-map-desc"' in svg
    assert '<title id="coverage-map-title">Coverage map of Thames Valley on 28 November 2026</title>' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert "5 open primary schools in Thames Valley" in desc
    assert "1 visited within the programme cycle" in desc and "3 never visited" in desc
    assert "1 with an open request" in desc and "1 has no map position" in desc
    for state in (VISITED, DUE, NEVER):
        _, colour, cap = MARKS[state]
        assert f'stroke="{colour}"' in svg and f'stroke-linecap="{cap}"' in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing fetched


def test_the_reach_page_shows_the_map_its_key_and_the_schools_without_a_position(coordinator_client, schools):
    html = coordinator_client.get("/reach/").content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="coverage-map-svg"' in html
    assert "Open primary schools in your areas on" in html
    assert "1 school has no map position on the register" in html
    assert "Never visited" in html and "With an open request" in html


def test_the_reach_fragment_for_htmx_carries_the_map_and_the_charts(coordinator_client, schools):
    html = coordinator_client.get("/reach/", headers=HTMX).content.decode()

    assert "<html" not in html
    assert 'class="coverage-map-svg"' in html
    assert 'id="reach-children-title"' in html and 'id="reach-coverage-title"' in html


def test_the_charts_give_children_reached_and_coverage_for_each_year_with_a_table(coordinator_client, thames_valley):
    today = timezone.localdate()
    this_year = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    first = school(thames_valley, 470_000, 170_000)
    VisitReportFactory(visit=delivered(first, this_year - timedelta(days=300)), children_reached=120)
    VisitReportFactory(visit=delivered(school(thames_valley, 471_000, 171_000), this_year), children_reached=45)
    school(thames_valley, 472_000, 172_000)
    school(thames_valley, 473_000, 173_000)

    html = coordinator_client.get("/reach/").content.decode()
    table = html.split('class="reach-years"')[1].split("</table>")[0]

    last_year = f"{this_year.year - 1}/{this_year.year % 100:02d}"
    assert re.search(rf"{last_year}</th><td class=\"num\">120</td><td class=\"num\">1 of 4</td>"
                     rf"<td class=\"num\">25%</td>", table)
    assert re.search(r"<td class=\"num\">45</td><td class=\"num\">2 of 4</td><td class=\"num\">50%</td>", table)
    assert re.search(rf"<desc id=\"reach-children-desc\">Children reached by academic year: {last_year}: 120;", html)


@pytest.mark.parametrize("n", [1, 3])
def test_the_maps_queries_do_not_grow_with_the_schools(coordinator_client, thames_valley, django_assert_num_queries,
                                                       n):
    for i in range(n):
        delivered(school(thames_valley, 470_000 + i * 1000, 170_000), ON - timedelta(days=10))
        school(thames_valley, 480_000, 170_000 + i * 1000)

    with django_assert_num_queries(1):
        found = coverage_map([thames_valley], name="Thames Valley", on=ON)
    assert found.total == 2 * n


def test_an_areas_statistics_page_shows_its_map_to_its_coordinator_only(coordinator_client, client, schools, kent):
    html = coordinator_client.get(f"/stats/{schools.code}/").content.decode()
    assert 'class="coverage-map-svg"' in html
    assert "Open primary schools in Thames Valley on" in html

    client.force_login(CoordinatorFactory(areas=[kent]).user)
    html = client.get(f"/stats/{schools.code}/").content.decode()
    assert "coverage-map" not in html


def test_an_area_with_no_school_placed_says_so_and_draws_nothing(thames_valley):
    school(thames_valley, None, None)

    found = coverage_map([thames_valley], name="Thames Valley", on=ON)

    assert found.svg is None and found.unplaced == 1


def test_nothing_is_drawn_for_an_area_with_no_open_school(db):
    found = coverage_map(Area.objects.filter(code="E23000001"), name="Nowhere", on=ON)

    assert found.total == 0 and found.svg is None


@pytest.mark.parametrize("url", ["/reach/", "/stats/E23000029/"])
def test_no_id_is_used_twice_on_a_page_with_the_map_so_its_title_names_it(coordinator_client, schools, url):
    html = coordinator_client.get(url).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert "coverage-map-title" in ids
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_area_pages_cached_map_is_drawn_again_when_a_visit_or_school_of_the_area_changes(coordinator_client,
                                                                                           schools):
    from sessions.reach.map import render_map  # noqa: PLC0415 — only this test compares the rendered map

    def page_map() -> str:
        html = coordinator_client.get(f"/stats/{schools.code}/").content.decode()
        return re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-map-svg".*?</svg>', html, re.S)[0]

    def drawn_now() -> str:
        schools.refresh_from_db()
        return str(render_map(coverage_map([schools], name=schools.name, on=timezone.localdate())))

    first = page_map()
    assert first in drawn_now()
    assert page_map() == first  # from the cache

    never = School.objects.get(name="Never Primary")
    VisitFactory(school=never, status=Visit.Status.DELIVERED, date=timezone.localdate() - timedelta(days=5))
    after_visit = page_map()
    assert after_visit != first and after_visit in drawn_now()

    never.easting, never.northing = None, None
    never.save()
    after_school = page_map()
    assert after_school != after_visit and after_school in drawn_now()
    assert "2 schools have no map position" in drawn_now()


def test_the_statistics_tables_cached_due_counts_follow_every_change_to_the_areas_visits_and_schools(
        coordinator_client, schools, kent):
    from sessions.reach.coverage import ProgrammeCoverage, due_by_area  # noqa: PLC0415

    today = timezone.localdate()

    def shown() -> dict[int, int]:
        return ProgrammeCoverage().due_counts(on=today)

    def table_due() -> str:
        html = coordinator_client.get("/stats/?sort=area").content.decode()
        row = html.split(f'href="/stats/{schools.code}/"')[1].split("</tr>")[0]
        return re.findall(r'<td class="num">(\d+)</td>$', row)[0]

    first = shown()
    assert first == due_by_area(None, on=today) and first[schools.pk] == 3
    assert table_due() == "3"

    never = School.objects.get(name="Never Primary")
    visit = VisitFactory(school=never, status=Visit.Status.DELIVERED, date=today - timedelta(days=5))
    assert shown() == due_by_area(None, on=today) and shown()[schools.pk] == 2
    assert table_due() == "2"

    visit.delete()
    assert shown() == first

    never.status = School.Status.CLOSED
    never.save()
    assert shown() == due_by_area(None, on=today) and shown()[schools.pk] == 2

    SchoolFactory(in_area=kent)  # another area's change is a new count too
    assert shown() == due_by_area(None, on=today) and shown()[kent.pk] == 1


def test_the_area_pages_cached_coverage_follows_its_visits_reports_and_schools(coordinator, schools):
    from sessions.reach.coverage import ProgrammeCoverage, area_coverage  # noqa: PLC0415

    today = timezone.localdate()

    def shown():
        return ProgrammeCoverage().area_coverage(Area.objects.get(pk=schools.pk), on=today, user=coordinator.user)

    def fresh():
        return area_coverage(schools, on=today)

    first = shown()
    assert first == fresh() and shown() == first

    never = School.objects.get(name="Never Primary")
    visit = VisitFactory(school=never, status=Visit.Status.DELIVERED, date=today - timedelta(days=5))
    assert shown() == fresh() and shown().visits_delivered == first.visits_delivered + 1

    report = VisitReportFactory(visit=visit, children_reached=57)
    assert shown() == fresh() and shown().children_reached == first.children_reached + 57

    report.children_reached = 58
    report.save()
    assert shown() == fresh() and shown().children_reached == first.children_reached + 58

    report.delete()
    assert shown() == fresh() and shown().children_reached == first.children_reached

    never.status = School.Status.CLOSED
    never.save()
    assert shown() == fresh() and shown().open_schools == first.open_schools - 1
