"""The local picture in the pack (adults only): the figures in use, their change, sources and caveats."""

import pytest

from sessions.packs.pdf import render_pack
from stats.factories import AreaFactory

_rendered: dict[str, list[str]] = {}


@pytest.fixture
def thames_valley_pack(thames_valley, make_visit, pages_text):
    """The same visit is made for every test; its pack is rendered once per module (renders are slow)."""
    visit = make_visit(thames_valley)
    if "pages" not in _rendered:
        _rendered["pages"] = pages_text(render_pack(visit))
    return visit, _rendered["pages"]


def test_a_thames_valley_pack_gives_the_latest_figure_with_its_period_and_the_uk_figure(thames_valley_pack, adult_pages):
    _, pages = thames_valley_pack
    picture = " ".join(adult_pages(pages))
    assert "3,004 sexual offences against children were recorded by police in Thames Valley in 2022/23" in picture
    assert "more than eight a day" in picture
    # 3,004 and 2,718 come from different releases: no change is stated across sources.
    assert "Up 11%" not in picture
    assert "No earlier figure from the same source to compare 2022/23 with" in picture
    assert "These are old figures: 2022/23 ended more than" in picture
    assert "86,962" in picture


def test_the_table_by_year_has_2016_17_with_701_aged_ten_and_under(thames_valley_pack, adult_pages):
    _, pages = thames_valley_pack
    picture = " ".join(adult_pages(pages))
    assert "Year All ages Aged 10 and under Source" in picture
    assert "2016/17 2,440 701 " in picture
    assert "2015/16 2,448* (also 2,488" in picture  # disagreement shown beside the figure, as on /stats/
    assert "2022/23 3,004 – " in picture
    assert "778 of the 2,690 offences (29%) were against children aged ten and under, both from one source" in picture


def test_every_figure_has_a_source_with_its_publisher_title_date_url_and_caveat(thames_valley_pack, adult_pages):
    _, pages = thames_valley_pack
    text = " ".join(adult_pages(pages))
    sources = text[text.index("Sources"):]
    assert ("Bucks Herald, “Reported child sexual offences remain at high levels in Thames Valley”, "
            "published 10 January 2024.") in sources
    assert "bucksherald.co.uk" in sources
    assert "Caveat for every source above: Police-recorded crime, not prevalence" in sources


def test_a_school_in_an_area_without_figures_says_so_plainly_and_gives_the_uk_figure(db, make_visit, pages_text):
    area = AreaFactory(name="Test Constabulary")
    visit = make_visit(area)
    text = " ".join(pages_text(render_pack(visit)))
    assert "There are no published figures for Test Constabulary" in text
    assert "Across the UK, 86,962 sexual offences against children were recorded by police in 2022/23" in text



def test_a_school_with_no_known_police_force_area_says_so_and_gives_the_uk_figure(db, make_visit, pages_text):
    visit = make_visit(None)
    text = " ".join(pages_text(render_pack(visit)))
    assert "We do not know which police force area this school is in, so there are no local figures." in text
    assert "Across the UK, 86,962 sexual offences against children were recorded by police in 2022/23" in text
