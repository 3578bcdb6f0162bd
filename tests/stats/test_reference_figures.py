"""The NSPCC figures shipped with the app: every figure with its source, conflicts kept, the newest used."""

import csv
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats.models import Area, Figure, Indicator, Source
from stats.reference import load_figures

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "stats" / "data"
OFFENCES = "child-sexual-offences"
UNDER_11 = "child-sexual-offences-under-11"
ONLINE = "child-sexual-offences-online"


def in_use(code: str, period: str, slug: str = OFFENCES) -> list[int]:
    return list(
        Figure.objects.in_use().filter(area__code=code, period=period, indicator__slug=slug).values_list("value", flat=True)
    )


def all_values(code: str, period: str, slug: str = OFFENCES) -> list[int]:
    figures = Figure.objects.filter(area__code=code, period=period, indicator__slug=slug)
    return sorted(figures.values_list("value", flat=True))


def test_the_geography_has_the_uk_four_nations_and_45_police_force_areas():
    assert Area.objects.filter(kind=Area.Kind.UK).count() == 1
    assert Area.objects.nations().count() == 4
    assert Area.objects.police_forces().count() == 45


def test_every_row_but_the_england_and_wales_total_is_loaded_with_its_optional_columns():
    rows = list(csv.DictReader(open(DATA / "nspcc_foi_child_sex_offences.csv", encoding="utf-8")))
    loaded = [r for r in rows if not r["police_force"].startswith("England and Wales")]
    assert Figure.objects.filter(indicator__slug=OFFENCES).count() == len(loaded) == 113
    assert Figure.objects.filter(indicator__slug=UNDER_11).count() == sum(1 for r in loaded if r["under_11_offences"])
    assert Figure.objects.filter(indicator__slug=ONLINE).count() == sum(1 for r in loaded if r["online_flagged"])
    assert Figure.objects.count() == 154


def test_the_uk_2016_17_total_is_64667_with_13876_against_children_aged_ten_and_under():
    assert in_use("K02000001", "2016/17") == [64667]
    assert in_use("K02000001", "2016/17", UNDER_11) == [13876]


def test_thames_valley_2016_17_is_2440_with_701_against_children_aged_ten_and_under():
    assert in_use("E23000029", "2016/17") == [2440]
    assert in_use("E23000029", "2016/17", UNDER_11) == [701]


def test_where_sources_disagree_both_figures_are_kept_and_the_most_recently_published_is_used():
    assert all_values("E23000029", "2015/16") == [2448, 2488]
    assert in_use("E23000029", "2015/16") == [2448]  # the February 2018 release's text, not March 2017's
    assert all_values("K02000001", "2015/16") == [55507, 56324]
    assert in_use("K02000001", "2015/16") == [56324]  # revised in the 2018 release


def test_the_named_areas_map_to_their_ons_codes():
    assert in_use("W92000004", "2015/16") == [2328]  # Wales (all four forces): the nation
    assert in_use("S23000009", "2015/16") == [4368]  # Scotland: Police Scotland's area, not the nation
    assert not Figure.objects.filter(area__code="S92000003").exists()
    assert in_use("N99999999", "2016/17") == [1875]  # PSNI
    assert in_use("E23000035", "2018/19") == [2463]  # Devon and Cornwall


def test_the_england_and_wales_total_is_not_loaded_because_no_area_covers_it():
    assert not Figure.objects.filter(value=41457).exists()


def test_every_figure_keeps_a_source_with_publisher_title_date_note_caveats_and_licence():
    sources = list(Source.objects.all())
    assert len(sources) == 39
    for source in sources:
        assert source.publisher and source.title and source.published and source.published_note
        assert "not prevalence" in source.caveats
        assert "better recording" in source.caveats
        assert source.licence
    bucks = Source.objects.get(url__contains="bucksfreepress")
    assert bucks.publisher == "Bucks Free Press"
    assert "Six sex crimes against children" in bucks.title
    assert "February 2018" in bucks.published_note
    irish = Source.objects.get(url__contains="irishnews")
    assert (irish.published.isoformat(), irish.published_note) == ("2016-03-09", "Date in the URL")


def test_the_indicators_are_for_adults_only_and_define_what_they_count():
    indicators = {i.slug: i for i in Indicator.objects.filter(slug__startswith="child-sexual-offences")}
    assert set(indicators) == {OFFENCES, UNDER_11, ONLINE}
    assert all(i.adults_only for i in indicators.values())
    assert "under 18" in indicators[OFFENCES].definition
    assert "aged ten or under" in indicators[UNDER_11].definition
    assert "online" in indicators[ONLINE].definition


def test_loading_again_changes_nothing_and_writes_nothing():
    before = sorted(Figure.objects.values_list("pk", "area_id", "indicator_id", "period", "value", "source_id"))
    with CaptureQueriesContext(connection) as queries:
        load_figures()
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    after = sorted(Figure.objects.values_list("pk", "area_id", "indicator_id", "period", "value", "source_id"))
    assert after == before


def test_loading_puts_back_a_figure_changed_by_hand():
    figure = Figure.objects.get(area__code="E23000029", period="2016/17", indicator__slug=OFFENCES)
    figure.value = 1
    figure.save()
    load_figures()
    figure.refresh_from_db()
    assert figure.value == 2440
