"""The statistics pages: the UK headline, every police force area, one area's picture, CSV, access."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from schools.factories import SchoolFactory
from sessions.factories import VisitFactory, VisitReportFactory
from sessions.models import Visit
from stats.factories import AreaFactory, FigureFactory
from stats.models import Area, Indicator
from stats.picture import OFFENCES

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- Who may see them

def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in ("/stats/", "/stats/areas.csv", "/stats/E23000029/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_volunteers_find_no_statistics_pages(volunteer_client):
    for url in ("/stats/", "/stats/areas.csv", "/stats/E23000029/"):
        response = volunteer_client.get(url)
        assert response.status_code == 404
        assert "64,667" not in response.content.decode()


def test_coordinators_and_staff_see_the_statistics(coordinator_client, staff_user, client):
    assert "Police force areas" in coordinator_client.get("/stats/").content.decode()
    client.force_login(staff_user)
    assert "Police force areas" in client.get("/stats/").content.decode()


def test_an_unknown_area_code_is_not_found(staff_client):
    assert staff_client.get("/stats/E23999999/").status_code == 404


# --- /stats/

def test_the_uk_headline_gives_the_latest_value_its_change_and_how_often(staff_client):
    html = staff_client.get("/stats/").content.decode()

    assert "United Kingdom, 2022/23" in html
    assert "<strong>86,962</strong>" in html
    # 86,962 (January 2024 release) is not set against 73,518 (August 2020 release): changes within one source.
    assert ("No earlier figure from the same source to compare 2022/23 with (figures from different releases are "
            "not compared: later releases revise earlier years).") in html
    assert "Up 18% on 2019/20" not in html
    assert "these are old figures: 2022/23 ended more than three years ago" in html  # run after March 2026
    assert "One every six minutes, on average: more than 238 a day." in html


def test_every_police_force_area_is_listed_with_its_latest_figure_change_and_share(staff_client):
    html = staff_client.get("/stats/").content.decode()

    assert html.count('class="area-row"') == 45
    assert "45 police force areas." in html
    tv = html[html.index(">Thames Valley</a>"):]
    tv = tv[: tv.index("</tr>")]
    assert ">3,004</td>" in tv and ">2022/23</td>" in tv
    assert "No earlier figure from the same source" in tv and "Up 11%" not in tv
    assert "29%<span class=\"cell-note\"> in 2018/19 (778 of 2,690)</span>" in tv


def test_the_table_counts_the_schools_due_a_visit_in_each_area(staff_client, thames_valley):
    today = timezone.localdate()
    SchoolFactory.create_batch(2, in_area=thames_valley)
    visited = SchoolFactory(in_area=thames_valley)
    VisitFactory(school=visited, date=today - timedelta(days=30), status=Visit.Status.DELIVERED)

    rows = {row["ONS code"]: row for row in rows_of(staff_client.get("/stats/areas.csv"))}

    assert rows["E23000029"]["Schools due a visit"] == "2"
    assert rows["E23000032"]["Schools due a visit"] == "0"


def test_the_table_sorts_by_any_column_either_way(staff_client):
    def first_area(sort):
        html = staff_client.get(f"/stats/?sort={sort}").content.decode()
        return html.split('class="area-row"')[1].split("</a>")[0].rsplit(">", 1)[1]

    assert first_area("area") == "Avon and Somerset"
    assert first_area("-area") == "Wiltshire"
    assert first_area("-latest") == "Scotland"  # 4,368
    assert first_area("latest") == "Gwent"  # 311
    assert first_area("-change") == "Dyfed-Powys"  # up 107%


def test_areas_without_a_value_sort_last_in_both_directions(staff_client):
    for sort in ("latest", "-latest"):
        html = staff_client.get(f"/stats/?sort={sort}").content.decode()
        rows = html.split('class="area-row"')[1:]
        assert "No published figures" in rows[-1] and "No published figures" not in rows[0]


def test_the_sorted_column_says_so_and_its_link_reverses_it(staff_client):
    html = staff_client.get("/stats/?sort=-latest").content.decode()

    assert 'aria-sort="descending"' in html
    assert 'href="?sort=latest"' in html


def test_filtering_by_nation_keeps_only_its_areas(staff_client):
    html = staff_client.get("/stats/?nation=W92000004").content.decode()

    assert html.count('class="area-row"') == 4
    assert "4 police force areas in Wales." in html
    assert '<option value="W92000004" selected>Wales</option>' in html


def test_the_htmx_request_gets_only_the_table_fragment_with_the_filter_applied(staff_client):
    response = staff_client.get("/stats/?nation=W92000004&sort=-latest", headers=HTMX)
    html = response.content.decode()

    assert "<html" not in html
    assert html.startswith('\n<section id="area-table"') or html.lstrip().startswith('<section id="area-table"')
    assert html.count('class="area-row"') == 4
    order = [html.index(f">{name}</a>") for name in ("South Wales", "Dyfed-Powys", "North Wales", "Gwent")]
    assert order == sorted(order)  # 754, 679, 584, 311
    assert "United Kingdom, 2022/23" not in html


def test_the_table_downloads_as_csv_with_the_same_rows_and_sources(staff_client):
    response = staff_client.get("/stats/?format=csv&nation=E92000001&sort=-latest")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="police-force-areas-england.csv"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert len(rows) == 39
    assert rows[0]["Police force area"] == "West Midlands"
    tv = next(row for row in rows if row["ONS code"] == "E23000029")
    assert (tv["Latest period"], tv["Latest figure"], tv["Previous available period"], tv["Previous figure"]) == (
        "2022/23", "3004", "", "")  # the 2022/23 source gives no earlier year: no change across sources
    assert tv["Change (%)"] == ""
    assert tv["Change"].startswith("no earlier figure from the same source")
    assert (tv["Aged ten and under: period"], tv["Aged ten and under"], tv["Aged ten and under (%)"]) == (
        "2018/19", "778", "29")
    assert tv["Source URL"].startswith("https://")


def test_the_csv_address_gives_the_same_file(staff_client):
    assert staff_client.get("/stats/areas.csv?nation=W92000004").content == staff_client.get(
        "/stats/?format=csv&nation=W92000004").content


# --- What the query string may say (a form refuses the rest; NUL would break PostgreSQL)

@pytest.mark.parametrize("query", ["nation=%00&sort=%00", "nation=W92000004%00&sort=-latest%00", "nation=Mars&sort=x"])
def test_a_nul_or_unknown_value_in_the_query_string_shows_every_area_and_says_what_was_ignored(staff_client, query):
    all_areas = staff_client.get("/stats/").content.decode().count('class="area-row"')

    html = staff_client.get(f"/stats/?{query}").content.decode()

    assert html.count('class="area-row"') == all_areas
    assert "Ignored in the address:" in html
    assert "Nation: " in html and "Sort: " in html
    assert "\x00" not in html


def test_the_table_fragment_says_what_was_ignored_too(staff_client):
    html = staff_client.get("/stats/?nation=%00", headers=HTMX).content.decode()

    assert "<html" not in html
    assert "Nation: This contains a NUL character" in html


def test_a_csv_asked_for_with_a_refused_value_is_refused_with_the_reason_not_a_different_table(staff_client):
    for url in ("/stats/areas.csv?nation=%00", "/stats/?format=csv&sort=nonsense"):
        response = staff_client.get(url)

        assert response.status_code == 400 and response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode().startswith("No CSV: the address asks for something this table cannot give.")


@pytest.mark.parametrize("extra_areas", [1, 3])
def test_the_page_costs_the_same_queries_whatever_the_number_of_areas(
        staff_client, django_assert_num_queries, extra_areas):
    offences = Indicator.objects.get(slug=OFFENCES)
    england = Area.objects.get(code="E92000001")
    for area in AreaFactory.create_batch(extra_areas, parent=england):
        FigureFactory(area=area, indicator=offences, period="2016/17", value=5)
        FigureFactory(area=area, indicator=offences, period="2017/18", value=6)

    # session, user, nations, the areas' change counts, due counts (worked out once, then cached), areas,
    # figures, UK area, UK picture (the menu's roles come with the user)
    with django_assert_num_queries(9):
        response = staff_client.get("/stats/")
    with django_assert_num_queries(8):
        again = staff_client.get("/stats/")

    assert response.content.decode().count('class="area-row"') == 45 + extra_areas
    assert again.content.decode().count('class="area-row"') == 45 + extra_areas


@pytest.mark.parametrize("extra_areas", [1, 3])
def test_the_fragment_costs_the_same_queries_whatever_the_number_of_areas(
        staff_client, django_assert_num_queries, extra_areas):
    AreaFactory.create_batch(extra_areas, parent=Area.objects.get(code="E92000001"))

    # session, user, nations, the areas' change counts, due counts (worked out once, then cached), areas,
    # figures (a fragment shows no menu, so the user's roles are not asked)
    with django_assert_num_queries(7):
        response = staff_client.get("/stats/?sort=-change", headers=HTMX)
    with django_assert_num_queries(6):
        staff_client.get("/stats/?sort=-change", headers=HTMX)

    assert response.content.decode().count('class="area-row"') == 45 + extra_areas


# --- /stats/<code>/

def test_the_thames_valley_page_shows_2016_17_as_2440_with_701_aged_ten_and_under(staff_client):
    html = staff_client.get("/stats/E23000029/").content.decode()

    row = html[html.index('<th scope="row">2016/17</th>'):]
    row = row[: row.index("</tr>")]
    assert ">2,440<" in row
    assert "701 <span class=\"cell-note\">(701 of 2,440, 29%)</span>" in row
    assert "Bucks Free Press, 20 Feb 2018" in row


def test_the_thames_valley_page_shows_the_latest_year_the_change_and_the_uk_figure(staff_client):
    html = staff_client.get("/stats/E23000029/").content.decode()

    assert "<strong>3,004</strong>" in html
    assert "No earlier figure from the same source to compare 2022/23 with" in html
    assert "more than eight a day" in html
    assert "in 2022/23: 86,962" in html
    assert "not published for 2022/23; in 2018/19, 778 of 2,690, 29%." in html


def test_where_sources_disagree_both_values_are_shown_side_by_side_with_the_one_in_use_marked(staff_client):
    html = staff_client.get("/stats/E23000029/").content.decode()

    section = html[html.index("Where sources disagree"):html.index("Every indicator for")]
    assert "Sexual offences against children recorded by police, 2015/16" in section
    in_use = section[section.index('class="in-use"'):section.index('class="not-used"')]
    not_used = section[section.index('class="not-used"'):]
    assert "2,448" in in_use and "In use" in in_use and "published 20 February 2018" in in_use
    assert "2,488" in not_used and "Not used" in not_used and "published 21 March 2017" in not_used


def test_the_area_page_has_a_chart_for_screen_readers_every_indicator_and_each_source_with_caveats(staff_client):
    html = staff_client.get("/stats/E23000029/").content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert "2019/20: 2,718; 2020/21: no figure; 2021/22: no figure; 2022/23: 3,004." in html
    assert "Sexual offences against children aged ten and under recorded by police</h3>" in html
    assert html.count("Police-recorded crime, not prevalence") == 1  # shared by every source: printed once
    assert "Caveats for every source above: Police-recorded crime, not prevalence" in html


def test_the_uk_page_shows_2016_17_as_64667_and_the_revised_2015_16_total(staff_client):
    html = staff_client.get("/stats/K02000001/").content.decode()

    assert '<th scope="row">2016/17</th>' in html
    row = html[html.index('<th scope="row">2016/17</th>'):]
    assert ">64,667 <span" in row[: row.index("</tr>")]  # with what its cited headline says (England and Wales)
    section = html[html.index("Where sources disagree"):]
    assert "56,324" in section and "55,507" in section


def test_an_area_without_figures_says_so_plainly(staff_client):
    AreaFactory(code="E23999990", name="Nowhere Constabulary", parent=Area.objects.get(code="E92000001"))

    html = staff_client.get("/stats/E23999990/").content.decode()

    assert "There are no published figures for Nowhere Constabulary" in html
    assert "Across the UK, 86,962 were recorded in 2022/23." in html
    assert "<svg" not in html


def test_the_area_page_shows_the_programme_coverage_for_the_coordinators_area(coordinator_client, thames_valley):
    today = timezone.localdate()
    schools = SchoolFactory.create_batch(3, in_area=thames_valley)
    SchoolFactory(in_area=thames_valley, status="closed")
    visit = VisitFactory(school=schools[0], date=today - timedelta(days=40), status=Visit.Status.DELIVERED)
    VisitFactory(school=schools[1], date=today - timedelta(days=365 * 3), status=Visit.Status.DELIVERED)
    VisitReportFactory(visit=visit, children_reached=87)

    html = coordinator_client.get("/stats/E23000029/").content.decode()

    section = html[html.index("The programme in Thames Valley"):]
    assert "<dt>Open primary schools</dt><dd>3</dd>" in section
    assert "<dt>Visited within the cycle</dt><dd>1 <span class=\"cell-note\">(33%)</span></dd>" in section
    assert "<dt>Due a visit</dt><dd>2</dd>" in section
    assert "<dt>Children reached, each counted once</dt><dd>87 <span class=\"cell-note\">in 1 visit</span>" in section


def test_a_coordinator_sees_no_programme_coverage_for_another_area(coordinator_client):
    html = coordinator_client.get("/stats/E23000032/").content.decode()

    assert "shown to this area's coordinators and to staff" in html
    assert "Open primary schools" not in html


def test_statistics_are_never_linked_from_the_volunteers_pages(volunteer_client):
    html = volunteer_client.get("/me/").content.decode()

    assert "/stats/" not in html and "/reach/" not in html


def test_the_fragment_updates_the_filter_forms_sort_so_a_later_nation_change_keeps_it(staff_client):
    html = staff_client.get("/stats/?sort=-share", headers=HTMX).content.decode()

    assert '<input type="hidden" id="sort-field" name="sort" value="-share" hx-swap-oob="true">' in html


def test_the_uk_page_says_where_a_figures_cited_headline_names_england_and_wales(staff_client):
    html = staff_client.get("/stats/K02000001/").content.decode()
    row = html[html.index(">2016/17</th>"):]
    row = row[:row.index("</tr>")]
    assert "64,667" in row and "the cited article&#x27;s headline says England and Wales" in row
