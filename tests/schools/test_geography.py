"""UK postcodes, their districts' centroids and straight-line distances (schools/geography.py)."""

import pytest

from schools.geography import distance_km, district_centroids, district_point, normalise_postcode, postcode_district


@pytest.mark.parametrize(
    ("typed", "written"),
    [("RG1 4QA", "RG1 4QA"), ("rg14qa", "RG1 4QA"), ("  ox14  1aa ", "OX14 1AA"), ("EC1A1BB", "EC1A 1BB"),
     ("BT1 1AA", "BT1 1AA")],
)
def test_a_uk_postcode_is_written_as_royal_mail_writes_it(typed, written):
    assert normalise_postcode(typed) == written


@pytest.mark.parametrize("typed", ["", "RG1", "XX1 1XX", "RG1 4QAZ", "RG14QAZ", "12345", "SW1A 1AAA", "R G"])
def test_anything_else_is_not_a_postcode(typed):
    assert normalise_postcode(typed) is None


def test_a_postcode_is_placed_at_its_districts_centroid():
    assert district_point("RG1 4QA") == district_point("RG1 9ZZ") == (471685, 173017)


@pytest.mark.parametrize("postcode", ["BT1 1AA", "GY1 1AA", "not a postcode", ""])
def test_northern_ireland_and_districts_not_in_the_table_have_no_place(postcode):
    assert district_point(postcode) is None


def test_the_table_holds_great_britains_districts_and_no_northern_irish_ones():
    table = district_centroids()

    assert len(table) == 2865
    assert not any(code.startswith("BT") for code in table)


def test_distances_are_straight_lines_in_kilometres():
    reading, abingdon = district_point("RG1 4QA"), district_point("OX14 1AA")

    assert round(distance_km(reading, abingdon)) == 32
    assert distance_km(reading, reading) == 0
    assert distance_km(reading, None) is None and distance_km(None, abingdon) is None


@pytest.mark.django_db
def test_the_public_about_page_gives_the_centroids_attribution(client):
    html = client.get("/about/data/").content.decode()

    for credit in ("Contains OS data © Crown copyright and database right",
                   "Contains Royal Mail data © Royal Mail copyright and database right",
                   "Contains National Statistics data © Crown copyright and database right"):
        assert credit in html
    assert 'href="/about/data/"' in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize(("postcode", "district"), [
    ("RG1 4QA", "RG1"), ("rg14qa", "RG1"), ("SW1A 1AA", "SW1A"), ("BT1 1AA", "BT1"), ("", None), ("nonsense", None),
])
def test_a_postcodes_district_is_its_outward_code_and_nothing_else(postcode, district):
    assert postcode_district(postcode) == district
