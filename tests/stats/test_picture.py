"""The local picture: the figures in use by period, the change, the share, the UK figure, conflicts."""

import pytest

from stats.factories import AreaFactory, FigureFactory, IndicatorFactory, SourceFactory
from stats.models import Area
from stats.picture import OFFENCES, UNDER_11, area_summaries, local_picture

pytestmark = pytest.mark.django_db


def test_thames_valley_shows_its_figures_in_use_by_period_with_the_latest_and_the_change_across_a_gap(thames_valley):
    picture = local_picture(thames_valley)

    assert [(f.period, f.value) for f in picture.series] == [
        ("2014/15", 1815), ("2015/16", 2448), ("2016/17", 2440), ("2017/18", 2294), ("2018/19", 2690),
        ("2019/20", 2718), ("2022/23", 3004),
    ]
    assert picture.latest_period == "2022/23"
    # 3,004 (Bucks Herald, 2024) and 2,718 (Maidenhead Advertiser, 2020) come from different releases.
    assert picture.previous is None
    assert picture.change.startswith("no earlier figure from the same source to compare 2022/23 with")
    assert picture.per_day == "more than eight a day"
    assert picture.uk_same_period.value == 86962


def test_thames_valley_2016_17_is_2440_of_which_701_against_children_aged_ten_and_under(thames_valley):
    row = next(row for row in local_picture(thames_valley).rows if row.period == "2016/17")

    assert (row.figure.value, row.under_11.value) == (2440, 701)
    assert row.share == "701 of 2,440, 29%"
    assert row.figure.source.published.isoformat() == "2018-02-20"


def test_the_share_for_the_latest_period_is_given_only_where_that_period_has_one(thames_valley):
    picture = local_picture(thames_valley)

    assert picture.under_11 is None and picture.share == ""  # nothing aged ten and under for 2022/23
    assert picture.latest_known_share.period == "2018/19"
    assert picture.latest_known_share.share == "778 of 2,690, 29%"


def test_where_sources_disagree_both_values_are_kept_and_the_newer_source_is_in_use(thames_valley):
    conflict = local_picture(thames_valley).headline.conflict_for("2015/16")

    assert [(f.value, f.is_in_use) for f in conflict.figures] == [(2448, True), (2488, False)]
    assert conflict.in_use.source.published.isoformat() == "2018-02-20"
    assert [f.source.published.isoformat() for f in conflict.others] == ["2017-03-21"]


def test_the_uk_series_uses_the_revised_2015_16_total():
    picture = local_picture(Area.objects.get(code="K02000001"))

    assert picture.headline.get("2015/16").value == 56324
    assert picture.headline.get("2016/17").value == 64667
    assert picture.one_every == "one every six minutes"  # 86,962 in 2022/23: one every 6.04 minutes


def test_every_indicator_for_the_area_is_listed_the_headline_first(thames_valley):
    slugs = [series.indicator.slug for series in local_picture(thames_valley).indicators]

    assert slugs[:2] == [OFFENCES, UNDER_11]


def test_an_area_without_figures_says_so_and_still_has_the_uk_series():
    area = AreaFactory(name="Nowhere Constabulary")

    picture = local_picture(area)

    assert not picture.has_figures
    assert picture.rows == [] and picture.change == "" and picture.per_day == "" and picture.chart() == ""
    assert picture.uk_latest.value == 86962


def test_the_chart_shows_every_year_from_first_to_last_with_missing_ones_as_gaps(thames_valley):
    svg = local_picture(thames_valley).chart()

    assert "2020/21: no figure; 2021/22: no figure; 2022/23: 3,004" in svg
    assert svg.count("<rect") == 7


@pytest.mark.parametrize("periods", [1, 3])
def test_the_picture_costs_one_query_whatever_the_number_of_periods(django_assert_num_queries, periods):
    area = AreaFactory()
    offences, _ = IndicatorFactory._meta.model.objects.get_or_create(slug=OFFENCES)
    for year in range(periods):
        FigureFactory(area=area, indicator=offences, period=f"{2010 + year}/{11 + year}", value=100 + year)
    older = SourceFactory(published="2010-01-01")
    FigureFactory(area=area, indicator=offences, period="2010/11", value=90, source=older)

    with django_assert_num_queries(1):
        picture = local_picture(area)
        rows = [(row.period, row.figure.source.title, row.conflict) for row in picture.rows]
        picture.chart()

    assert len(rows) == periods
    assert [f.value for f in picture.conflicts[0].figures] == [100, 90]


def test_area_summaries_give_the_latest_the_change_and_the_latest_known_share_per_area(thames_valley, kent):
    summaries = {s.area.code: s for s in area_summaries([thames_valley, kent])}

    tv = summaries["E23000029"]
    assert (tv.latest.period, tv.latest.value) == ("2022/23", 3004)
    assert (tv.previous, tv.change_percent) == (None, None)  # no earlier year in the same source
    assert (tv.share_period, tv.share_counts, tv.share_percent) == ("2018/19", "778 of 2,690", 29)


@pytest.mark.parametrize("areas", [1, 3])
def test_area_summaries_cost_one_query_whatever_the_number_of_areas(django_assert_num_queries, areas):
    offences, _ = IndicatorFactory._meta.model.objects.get_or_create(slug=OFFENCES)
    made = AreaFactory.create_batch(areas)
    release = SourceFactory()
    for area in made:
        FigureFactory(area=area, indicator=offences, period="2016/17", value=10, source=release)
        FigureFactory(area=area, indicator=offences, period="2017/18", value=12, source=release)

    with django_assert_num_queries(1):
        summaries = area_summaries(made)
        changes = [s.change for s in summaries]

    assert changes == ["up 20% on 2016/17 (from 10 to 12)"] * areas


# --- Truth rules: changes and shares within one source, only cited sources, the UK's geography


def test_a_change_is_stated_only_between_figures_from_one_source(thames_valley):
    area = AreaFactory()
    offences, _ = IndicatorFactory._meta.model.objects.get_or_create(slug=OFFENCES)
    older, newer = SourceFactory(published="2018-02-20"), SourceFactory(published="2020-08-10")
    FigureFactory(area=area, indicator=offences, period="2015/16", value=100, source=older)
    FigureFactory(area=area, indicator=offences, period="2016/17", value=110, source=older)
    FigureFactory(area=area, indicator=offences, period="2018/19", value=150, source=newer)
    FigureFactory(area=area, indicator=offences, period="2019/20", value=140, source=newer)

    picture = local_picture(area)

    # 2019/20 against 2018/19 from the same release, never against 2016/17 from another.
    assert picture.change == "down 7% on 2018/19 (from 150 to 140)"


def test_a_share_divides_only_by_a_total_from_the_same_source():
    uk = local_picture(Area.objects.get(code="K02000001"))
    row = next(row for row in uk.rows if row.period == "2015/16")
    # 13,565 aged ten and under was published with the first total, 55,507; the total in use (56,324) is
    # the 2018 revision from another release.
    assert (row.figure.value, row.under_11.value, row.share_total.value) == (56324, 13565, 55507)
    assert row.share == "13,565 of 55,507, 24%"


def test_only_sources_a_shown_figure_cites_are_listed():
    south_wales = local_picture(Area.objects.get(code="W15000003"))
    shown = south_wales.series + south_wales.under_11_series.figures + [south_wales.uk_shown]
    shown += [f for conflict in south_wales.conflicts for f in conflict.figures]
    shown += south_wales.uk_conflict.figures  # the UK's 2015/16: 55,507 first, 56,324 revised, both cited
    cited = {f.source_id for f in shown}
    assert not any("Thames Valley" in source.title for source in south_wales.sources)
    assert {source.pk for source in south_wales.sources} == cited


def test_a_uk_total_whose_source_headline_names_england_and_wales_says_so(thames_valley):
    from stats.wording import geography  # noqa: PLC0415 — this test alone needs it

    uk = local_picture(Area.objects.get(code="K02000001"))
    title = uk.headline.get("2016/17").source.title
    assert geography("the UK", title) == "the UK (the cited article's headline says England and Wales)"
