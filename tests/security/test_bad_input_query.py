"""Property-based tests of what arrives in an address rather than a form body: query strings and path parts
with arbitrary text, NUL characters, markup and huge values. Never a server error (the test client
re-raises any), on SQLite and on PostgreSQL, whose text cannot hold NUL; a refused value is said so.

The last tests reproduce what the sessions side still has to fix after its move (issue 13, items 2 and 5):
they are expected to fail, and fail this suite once they pass, so that their marks are removed."""

from __future__ import annotations

import urllib.parse

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

NASTY = ["\x00", "a\x00b", "%00", "E23000029\x00", "-latest\x00", "<script>alert(1)</script>", "9" * 40, "’",
         "\u202eevil", " ", "", "../../etc/passwd", "csv", "CSV", "-", "--area", "E92000001", "W92000004"]
text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=100)
huge = st.builds(lambda c, n: c * n, st.sampled_from(["a", "\x00", "9"]), st.integers(1_000, 5_000))
anything = st.one_of(text, st.sampled_from(NASTY), huge)
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def query(values: dict[str, str]) -> str:
    return urllib.parse.urlencode(values)


@given(nation=anything, sort=anything, format=anything)
def test_the_statistics_table_takes_any_query_string_and_says_what_it_ignored(staff_client, nation, sort, format):
    response = staff_client.get(f"/stats/?{query({'nation': nation, 'sort': sort, 'format': format})}")

    if response["Content-Type"].startswith("text/csv"):
        assert response.status_code == 200
    elif response.status_code == 400:
        assert response.content.decode().startswith("No CSV: the address asks for something")
    else:
        html = response.content.decode()
        assert response.status_code == 200 and 'class="area-row"' in html
        assert "\x00" not in html


@given(nation=anything, sort=anything)
def test_the_statistics_csv_takes_any_query_string(staff_client, nation, sort):
    response = staff_client.get(f"/stats/areas.csv?{query({'nation': nation, 'sort': sort})}")

    assert response.status_code in (200, 400)
    assert response["Content-Type"] in ("text/csv; charset=utf-8", "text/plain; charset=utf-8")


@given(part=anything)
def test_any_text_in_an_areas_or_a_feeds_address_is_a_page_or_not_found(staff_client, part):
    quoted = urllib.parse.quote(part, safe="")

    for path in (f"/stats/{quoted}/", f"/calendar/{quoted}.ics"):
        response = staff_client.get(path)

        assert response.status_code in (200, 301, 404), path


@given(email=anything)
def test_the_password_reset_takes_any_address_without_saying_whether_it_has_an_account(client, email):
    response = client.post("/accounts/password_reset/", {"email": email})

    if response.status_code == 302:
        assert response.url == "/accounts/password_reset/done/"
    else:
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()


@given(q=anything, clearance=anything, skill=anything, area=anything, page=anything)
def test_the_volunteer_directory_takes_any_query_string_and_says_what_it_ignored(coordinator_client, q, clearance,
                                                                                skill, area, page):
    values = {"q": q, "clearance": clearance, "skill": skill, "area": area, "page": page}
    response = coordinator_client.get(f"/plan/volunteers/?{query(values)}", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200 and 'id="results"' in html
    assert "\x00" not in html
    if "\x00" in q or len(q.strip()) > 100:
        assert "Name or postcode district: " in html


# --- Query strings the planning pages read: a NUL or a date at either end of the calendar.



@pytest.mark.parametrize("url", [
    pytest.param("/request-a-visit/?q=%00", id="request-form-school-search"),
    pytest.param("/plan/schools/?q=%00", id="schools-search"),
    pytest.param("/visits/new/schools/?q=%00", id="visit-form-school-picker"),
    pytest.param("/plan/calendar/?week=9999-12-31", id="calendar-last-week"),
    pytest.param("/plan/calendar/?month=0001-01", id="calendar-first-month"),
])
def test_a_nul_or_an_extreme_date_in_a_planning_query_string_is_not_a_server_error(coordinator_client, url):
    response = coordinator_client.get(url, headers={"HX-Request": "true"})

    assert response.status_code < 500
