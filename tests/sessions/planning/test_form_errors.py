"""A form that failed: a summary of the problems at the top (GOV.UK's pattern), each linking to its
field, in plain words; and a new session line does not pretend to know the number of pupils."""

import re

import pytest

from schools.factories import SchoolFactory
from tests.sessions.planning.test_typed_dates import visit_data

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> list[tuple[str, str]]:
    box = html.split('class="error-summary"')[1].split("</div>")[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box)


def test_a_failed_visit_form_lists_every_problem_at_the_top_with_a_link_to_its_field(coordinator_client, thames_valley):
    school = SchoolFactory(in_area=thames_valley)
    data = visit_data(school, "")

    html = coordinator_client.post("/visits/new/", data).content.decode()

    assert html.index('class="error-summary"') < html.index('id="visit-form"')
    assert "There is a problem" in html
    assert summary_links(html) == [
        ("id_date", "Give the date of the visit."),
        ("id_sessions-0-session_type", "Add at least one session: its type, year groups and number of pupils."),
        ("id_sessions-0-session_type", "Session 1: Choose the session type."),
        ("id_sessions-0-pupils", "Session 1: Give the number of pupils."),
        ("id_sessions-0-year_groups_0", "Session 1: Choose at least one year group."),
    ]


def test_a_visit_form_without_a_school_links_the_summary_to_the_school_search(coordinator_client):
    data = visit_data(SchoolFactory.build(urn=1), "2027-03-02")
    data["school"] = ""

    html = coordinator_client.post("/visits/new/", data).content.decode()

    assert ("school-search", "Choose the school: search for it by name, URN or postcode.") in summary_links(html)


def test_a_visit_with_every_session_removed_is_told_in_plain_words(coordinator_client, thames_valley):
    data = visit_data(SchoolFactory(in_area=thames_valley), "2027-03-02")
    data["sessions-TOTAL_FORMS"] = "0"

    html = coordinator_client.post("/visits/new/", data).content.decode()

    assert "Please submit at least 1 form." not in html
    assert "Add at least one session: its type, year groups and number of pupils." in html


def test_a_new_session_line_leaves_the_number_of_pupils_empty(coordinator_client):
    html = coordinator_client.get("/visits/new/").content.decode()

    pupils = re.search(r'<input[^>]*name="sessions-0-pupils"[^>]*>', html).group(0)
    assert "value=" not in pupils


def test_a_form_that_has_not_been_sent_has_no_error_summary(coordinator_client):
    assert 'class="error-summary"' not in coordinator_client.get("/visits/new/").content.decode()


def test_a_failed_request_form_lists_its_problems_at_the_top(client, thames_valley):
    school = SchoolFactory(in_area=thames_valley)

    html = client.post("/request-a-visit/", {"school": school.urn}).content.decode()

    links = summary_links(html)
    assert ("id_requester_name", "Give your name.") in links or ("id_requester_name", "This field is required.") in links
    assert ("id_pupils_0", "Give the number of pupils in at least one year group.") in links


def test_the_summary_lists_a_problem_with_the_whole_form_where_its_field_is_on_the_page(client, thames_valley):
    school = SchoolFactory(in_area=thames_valley)

    html = client.post("/request-a-visit/", {"school": school.urn}).content.decode()

    messages = [message for _, message in summary_links(html)]
    assert messages[-1] == "Give the number of pupils in at least one year group."
