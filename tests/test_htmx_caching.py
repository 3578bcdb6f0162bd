"""One URL, two answers: the whole page, or to htmx a fragment of it. Every cache (the browser's Back
and Forward, a proxy) must keep them apart: `Vary: HX-Request` on both, and a fragment never stored."""

import pytest

pytestmark = pytest.mark.django_db

# Every view that answers a page and, to htmx, a fragment from the same address.
PAGES_WITH_FRAGMENTS = ["/plan/calendar/?week=2027-03-01", "/plan/due/?q=oak", "/plan/schools/?q=oak", "/stats/"]


@pytest.mark.parametrize("url", PAGES_WITH_FRAGMENTS)
def test_a_page_and_its_fragment_both_say_they_vary_on_hx_request(coordinator_client, HTMX, url):
    page = coordinator_client.get(url)
    fragment = coordinator_client.get(url, headers=HTMX)

    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    for response in (page, fragment):
        assert "HX-Request" in [v.strip() for v in response.headers["Vary"].split(",")]


@pytest.mark.parametrize("url", PAGES_WITH_FRAGMENTS)
def test_a_fragment_is_never_stored_by_any_cache(coordinator_client, HTMX, url):
    fragment = coordinator_client.get(url, headers=HTMX)

    assert "no-store" in fragment.headers["Cache-Control"]


def test_the_volunteers_pages_vary_on_hx_request_too(volunteer_client, HTMX):
    for url in ["/me/", "/me/unavailable/", "/me/details/"]:
        response = volunteer_client.get(url, headers=HTMX)
        assert "HX-Request" in response.headers["Vary"] and "no-store" in response.headers["Cache-Control"]


def test_a_history_restore_gets_the_whole_page_even_when_sent_as_an_htmx_request(coordinator_client, HTMX):
    # htmx, going Back to an address it has no snapshot of, asks for it again; older htmx configs send
    # HX-Request with it, which would swap a bare fragment in as the whole page.
    response = coordinator_client.get(
        "/plan/calendar/?week=2027-03-01", headers={**HTMX, "HX-History-Restore-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" in html and 'aria-label="Planning"' in html
    assert "no-store" in response.headers["Cache-Control"]
