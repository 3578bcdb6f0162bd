"""Searching for a school ignores accents, capitals, spaces and punctuation, on SQLite and PostgreSQL
alike (`make test-postgres`): a coordinator types "Lon Las" for Ysgol Lôn Las and "RG458DU" for a
school whose postcode is written "RG45 8DU"."""

import pytest

from schools.factories import SchoolFactory
from schools.models import School
from tests.schools.test_import_schools import fixture_with, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(thames_valley):
    return {
        "lon_las": SchoolFactory(in_area=thames_valley, name="Ysgol Gymraeg Lôn Las", town="Swansea", postcode="SA7 9UX"),
        "crowthorne": SchoolFactory(in_area=thames_valley, name="Oaklands Junior School", town="Crowthorne",
                                    postcode="RG45 8DU"),
        "st_marys": SchoolFactory(in_area=thames_valley, name="St. Mary's C.E. Primary", town="Thatcham",
                                  postcode="RG19 3AB"),
    }


@pytest.mark.parametrize(("typed", "found"), [
    ("Lon Las", "lon_las"), ("lôn las", "lon_las"), ("LONLAS", "lon_las"),
    ("RG458DU", "crowthorne"), ("rg45 8du", "crowthorne"), ("RG45  8DU", "crowthorne"),
    ("st marys", "st_marys"), ("St Mary's CE", "st_marys"), ("crowthorne", "crowthorne"),
])
def test_a_search_ignores_accents_capitals_spaces_and_punctuation(schools, typed, found):
    assert list(School.objects.search(typed)) == [schools[found]]


def test_a_search_does_not_match_across_the_name_and_the_town(schools):
    # "Las" ends the name and "Swansea" is the town: typed together they are no school's words.
    assert not School.objects.search("lasswansea").exists()


def test_a_urn_still_finds_its_school(schools):
    assert list(School.objects.search(str(schools["st_marys"].urn))) == [schools["st_marys"]]


def test_changing_a_schools_name_in_the_admin_or_code_is_found_by_its_new_name(schools):
    school = schools["crowthorne"]
    school.name = "Owlsmoor Primary"
    school.save()

    assert list(School.objects.search("owlsmoor")) == [school]
    assert not School.objects.search("oaklands").exists()


def test_schools_created_in_bulk_are_found(thames_valley):
    School.objects.bulk_create([School(urn=123456, name="Ysgol Pen-y-Bryn", town="Bae Colwyn", postcode="LL29 6DD")])

    assert School.objects.search("penybryn").get().urn == 123456


def test_the_school_search_pages_find_schools_without_their_accents_and_spaces(coordinator_client, schools):
    assert "Ysgol Gymraeg Lôn Las" in coordinator_client.get("/plan/schools/?q=Lon+Las").content.decode()
    assert "Oaklands Junior School" in coordinator_client.get("/plan/due/?q=RG458DU").content.decode()


def test_a_gias_import_keeps_the_search_column(tmp_path):
    run(fixture_with(tmp_path, u100008={"EstablishmentName": "Ysgol Lôn Wen", "Postcode": "SA19 6PE"}))
    assert School.objects.search("Lon Wen").get().urn == 100008

    run(fixture_with(tmp_path, u100008={"EstablishmentName": "Ysgol Bro Dinefwr", "Postcode": "SA19 6PE"}))
    assert School.objects.search("bro dinefwr").get().urn == 100008
    assert not School.objects.search("lon wen").exists()
    assert School.objects.search("SA196PE").get().urn == 100008
