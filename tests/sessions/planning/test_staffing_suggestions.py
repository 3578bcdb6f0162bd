"""The staffing panel suggests the best placed volunteers, and lists every one on request."""

from sessions.factories import VolunteerFactory
from sessions.planning.views import STAFFING_SUGGESTIONS


def test_the_staffing_panel_suggests_the_best_placed_volunteers_and_links_to_all_of_them(
    coordinator_client, thames_valley
, HTMX, planned_visit):
    visit = planned_visit(thames_valley)
    total = STAFFING_SUGGESTIONS + 3
    VolunteerFactory.create_batch(total, areas=[thames_valley])

    html = coordinator_client.get(f"/visits/{visit.pk}/staffing/", headers=HTMX).content.decode()

    assert "<html" not in html
    assert html.count('<tr class="candidate ') == STAFFING_SUGGESTIONS
    assert f"The {STAFFING_SUGGESTIONS} best placed of {total} volunteers." in html
    assert f'href="/visits/{visit.pk}/staffing/?all=1"' in html and f"Show all {total} volunteers" in html


def test_show_all_lists_every_volunteer_in_the_fragment_and_on_the_plain_page(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley)
    total = STAFFING_SUGGESTIONS + 3
    VolunteerFactory.create_batch(total, areas=[thames_valley])

    fragment = coordinator_client.get(f"/visits/{visit.pk}/staffing/?all=1", headers=HTMX).content.decode()
    page = coordinator_client.get(f"/visits/{visit.pk}/staffing/?all=1").content.decode()

    for html in (fragment, page):
        assert html.count('<tr class="candidate ') == total
        assert "Show all" not in html
    assert "<html" in page and "<html" not in fragment


def test_a_short_list_of_volunteers_is_shown_whole_without_a_show_all_link(coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley)
    VolunteerFactory.create_batch(2, areas=[thames_valley])

    html = coordinator_client.get(f"/visits/{visit.pk}/staffing/", headers=HTMX).content.decode()

    assert html.count('<tr class="candidate ') == 2
    assert "Show all" not in html and "best placed of" not in html


def test_once_confirmed_and_staffed_the_suggestions_close_saying_so_and_open_again_on_request(
        coordinator_client, thames_valley, HTMX, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)
    VolunteerFactory.create_batch(3, areas=[thames_valley])
    before = coordinator_client.get(f"/visits/{visit.pk}/staffing/", headers=HTMX).content.decode()
    assert before.count('<tr class="candidate ') == 3  # proposed: a third volunteer may still be wanted

    response = coordinator_client.post(f"/visits/{visit.pk}/status/", {"to": "confirmed"}, headers=HTMX)
    assert "The visit is now confirmed." in response.content.decode()
    after = coordinator_client.get(f"/visits/{visit.pk}/staffing/", headers=HTMX).content.decode()
    more = coordinator_client.get(f"/visits/{visit.pk}/staffing/?more=1", headers=HTMX).content.decode()

    lead = visit.assignments.get(role="lead").volunteer
    assert '<tr class="candidate ' not in after and "Assign " not in after
    assert f"Confirmed and staffed: {lead.name} leads; 2 volunteers have accepted (the sessions need 2)." in after
    assert f'hx-get="/visits/{visit.pk}/staffing/?more=1"' in after
    assert more.count('<tr class="candidate ') == 3 and "Confirmed and staffed" not in more
