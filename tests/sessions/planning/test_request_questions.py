"""The request form's questions and refusals: the days a school cannot have a visit (the visit rules' own
messages), its structured preferences feeding the `preference` rule, its safeguarding lead, its year
groups and the Welsh option, a second request becoming a note, the privacy notice, Welsh, and any input."""

from datetime import date

import pytest
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st

from schools.factories import SchoolClosureFactory, SchoolFactory, TermDateFactory
from schools.models import School, SchoolClosure, TermDate
from sessions.factories import CoordinatorFactory
from sessions.models import Visit, VisitNote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(thames_valley):
    return SchoolFactory(in_area=thames_valley, name="Hawthorn Primary", town="Didcot")


def request_data(school, **changes) -> dict:
    return {
        "school": str(school.urn),
        "requester_name": "Mo Ahmed",
        "requester_role": "teacher",
        "requester_email": "m.ahmed@hawthorn.example",
        "requester_phone": "01632 960123",
        "safeguarding_lead_name": "Rita Okafor",
        "safeguarding_lead_role": "Deputy headteacher",
        "safeguarding_lead_phone": "01632 960999",
        "safeguarding_lead_email": "dsl@hawthorn.example",
        "first_date": "2027-03-09",
        "preferred_weekdays": ["1", "3"],
        "preferred_time": "morning",
        "dates_to_avoid": "16/03/2027, 23/03/2027",
        "pupils_5": "30",
        **changes,
    }


def first_date_errors(html: str) -> str:
    return html.split('id="id_first_date"')[1].split("</div>")[0]


# --- Days the school cannot have a visit: each refused with its own message, nothing saved


def test_a_first_choice_at_a_weekend_is_refused_with_the_day_named(client, school):
    html = client.post("/request-a-visit/", request_data(school, first_date="2027-03-06")).content.decode()

    assert "Saturday 6 March 2027 is a weekend. Choose another date." in first_date_errors(html)
    assert not Visit.objects.exists()


def test_a_first_choice_in_the_past_is_refused(client, school):
    html = client.post("/request-a-visit/", request_data(school, first_date="2026-11-02")).content.decode()

    assert "Monday 2 November 2026 is in the past: give a date still to come." in html
    assert not Visit.objects.exists()


def test_a_bank_holiday_of_the_schools_nation_is_refused_and_another_nations_is_not(client, thames_valley):
    scottish = SchoolFactory(in_area=thames_valley, nation=School.Nation.SCOTLAND)
    english = SchoolFactory(in_area=thames_valley, nation=School.Nation.ENGLAND)

    refused = client.post("/request-a-visit/", request_data(scottish, first_date="2027-01-04", pupils_5="",
                                                            pupils_4="30")).content.decode()
    accepted = client.post("/request-a-visit/", request_data(english, first_date="2027-01-04"))

    assert "New Year Holiday (observed) is a bank holiday in Scotland. Choose another date." in refused
    assert accepted.status_code == 302
    assert list(Visit.objects.values_list("school", flat=True)) == [english.pk]


def test_a_day_in_the_authoritys_half_term_is_refused_naming_the_half_term(client, school):
    authority = school.local_authority
    TermDateFactory(local_authority=authority, kind=TermDate.Kind.HALF_TERM, starts_on=date(2027, 2, 15),
                    ends_on=date(2027, 2, 19))

    html = client.post("/request-a-visit/", request_data(school, first_date="2027-02-16")).content.decode()

    assert (f"16 February is in {authority.name}&#x27;s February half-term, 15 February – 19 February. "
            "Choose another date.") in html
    assert not Visit.objects.exists()


def test_the_authoritys_inset_day_and_the_schools_own_are_refused(client, school):
    TermDateFactory(local_authority=school.local_authority, kind=TermDate.Kind.INSET, starts_on=date(2027, 3, 1),
                    ends_on=date(2027, 3, 1))
    SchoolClosureFactory(school=school, kind=SchoolClosure.Kind.INSET, starts_on=date(2027, 3, 2),
                         ends_on=date(2027, 3, 2))
    SchoolClosureFactory(school=school, kind=SchoolClosure.Kind.CLOSURE, starts_on=date(2027, 3, 3),
                         ends_on=date(2027, 3, 3), reason="polling station")

    authoritys = client.post("/request-a-visit/", request_data(school, first_date="2027-03-01")).content.decode()
    own = client.post("/request-a-visit/", request_data(school, first_date="2027-03-02")).content.decode()
    closed = client.post("/request-a-visit/", request_data(school, first_date="2027-03-03")).content.decode()

    assert f"1 March is an INSET day for {school.local_authority.name}&#x27;s schools." in authoritys
    assert "2 March is an INSET day at Hawthorn Primary." in own
    assert "Hawthorn Primary is closed 3 March: polling station." in closed
    assert not Visit.objects.exists()


def test_a_school_day_in_term_is_accepted(client, school):
    TermDateFactory(local_authority=school.local_authority)

    assert client.post("/request-a-visit/", request_data(school, first_date="2027-03-09")).status_code == 302


# --- What is kept: structured, so the visit rules and the coordinator can use it


def test_the_request_keeps_the_requesters_role_the_safeguarding_lead_and_the_preferences(client, school):
    client.post("/request-a-visit/", request_data(school))

    visit = Visit.objects.get()
    assert visit.requester_role == Visit.RequesterRole.TEACHER
    assert (visit.safeguarding_lead_name, visit.safeguarding_lead_role, visit.safeguarding_lead_phone,
            visit.safeguarding_lead_email) == ("Rita Okafor", "Deputy headteacher", "01632 960999",
                                               "dsl@hawthorn.example")
    assert visit.preferred_weekdays == [1, 3] and visit.preferred_time == "morning"
    assert visit.dates_to_avoid == ["2027-03-16", "2027-03-23"]


def test_a_booking_against_what_the_school_asked_is_the_preference_warning(client, school):
    client.post("/request-a-visit/", request_data(school))
    visit = Visit.objects.get()
    assert "preference" not in {problem.code for problem in visit.problems()}

    visit.date = date(2027, 3, 16)  # a Tuesday, but one of the dates to avoid
    warnings = [problem.message for problem in visit.problems() if problem.code == "preference"]

    assert warnings == ["The school asked for “mornings; Tuesdays or Thursdays; not 16 March 2027, 23 March 2027”: "
                        "16 March 2027 is a date the school asked to avoid."]


def test_the_coordinator_sees_the_role_and_the_safeguarding_lead_on_the_visit(client, school, thames_valley):
    coordinator = CoordinatorFactory(areas=[thames_valley])
    client.post("/request-a-visit/", request_data(school))
    client.force_login(coordinator.user)

    page = client.get(f"/visits/{Visit.objects.get().pk}/").content.decode()

    assert "Mo Ahmed (class teacher)" in page
    assert "Rita Okafor (Deputy headteacher), 01632 960999" in page
    assert "Mornings; Tuesdays or Thursdays; not 16 March 2027, 23 March 2027" in page


def test_a_dates_to_avoid_that_is_not_a_date_is_named(client, school):
    html = client.post("/request-a-visit/", request_data(school, dates_to_avoid="16/03/2027, next week")).content

    assert "“next week” is not a date: give dates as day/month/year" in html.decode()
    assert not Visit.objects.exists()


def test_the_safeguarding_lead_is_asked_for_with_a_reason(client, school):
    html = client.post("/request-a-visit/", request_data(school, safeguarding_lead_name="",
                                                         safeguarding_lead_phone="")).content.decode()

    assert "Give the name of the school&#x27;s designated safeguarding lead." in html
    assert "volunteers call it if a child tells them something on the day" in html
    assert not Visit.objects.exists()


def test_an_unknown_role_is_refused(client, school):
    html = client.post("/request-a-visit/", request_data(school, requester_role="caretaker")).content.decode()

    assert "Choose your role at the school from the list." in html and not Visit.objects.exists()


# --- Built for the school chosen: its year groups and, in Wales, Welsh


def test_an_infant_school_is_asked_only_about_reception_to_year_2(client, thames_valley):
    infants = SchoolFactory(in_area=thames_valley, low_age=4, high_age=7)

    html = client.get(f"/request-a-visit/?school={infants.urn}").content.decode()

    assert ["id_pupils_0", "id_pupils_1", "id_pupils_2"] == [
        f"id_pupils_{n}" for n in range(7) if f'id="id_pupils_{n}"' in html
    ]


def test_a_junior_school_counts_only_years_3_to_6_whatever_is_posted(client, thames_valley):
    juniors = SchoolFactory(in_area=thames_valley, low_age=7, high_age=11)

    client.post("/request-a-visit/", request_data(juniors, pupils_0="40", pupils_5="30"))

    assert Visit.objects.get().pupils_by_year == {"5": 30}


def test_only_a_school_in_wales_is_offered_sessions_in_welsh(client, thames_valley):
    welsh = SchoolFactory(in_area=thames_valley, nation=School.Nation.WALES)
    english = SchoolFactory(in_area=thames_valley, nation=School.Nation.ENGLAND)

    assert "We would like the sessions in Welsh" in client.get(f"/request-a-visit/?school={welsh.urn}").content.decode()
    assert "in Welsh" not in client.get(f"/request-a-visit/?school={english.urn}").content.decode()

    client.post("/request-a-visit/", request_data(welsh, needs_welsh="on"))
    assert Visit.objects.get(school=welsh).needs_welsh


def test_a_school_in_england_that_posts_welsh_anyway_is_told_and_nothing_is_saved(client, school):
    html = client.post("/request-a-visit/", request_data(school, needs_welsh="on")).content.decode()

    assert "Sessions in Welsh are offered to schools in Wales only." in html
    assert not Visit.objects.exists()


# --- A school that asks again


def test_a_second_request_is_a_note_on_the_live_visit_and_the_school_is_told(client, school, thames_valley):
    client.post("/request-a-visit/", request_data(school))
    visit = Visit.objects.get()

    response = client.post("/request-a-visit/", request_data(
        school, requester_name="Jo Patel", requester_role="head", first_date="2027-03-11", pupils_5="31",
        preferred_dates="Or the week of 19 April",
    ), follow=True)

    assert Visit.objects.count() == 1
    note = VisitNote.objects.get()
    assert (note.visit, note.author_name, note.author_role) == (visit, "Jo Patel", "Headteacher")
    assert "First choice: Thursday 11 March 2027." in note.text and "Or the week of 19 April" in note.text
    assert "Pupils: Year 5: 31." in note.text
    thanks = response.content.decode()
    assert f"We already have your request of {visit.created_at:%-d %B %Y} for a visit to Hawthorn Primary" in thanks
    # Told once: the thanks page after the next request says nothing of it.
    assert "We already have" not in client.get("/request-a-visit/thanks/").content.decode()


def test_the_coordinator_sees_the_note_on_the_visit_and_the_dashboard(client, school, thames_valley):
    coordinator = CoordinatorFactory(areas=[thames_valley])
    client.post("/request-a-visit/", request_data(school))
    client.post("/request-a-visit/", request_data(school, requester_name="Jo Patel", requester_role="head"))
    visit = Visit.objects.get()
    client.force_login(coordinator.user)

    page = client.get(f"/visits/{visit.pk}/").content.decode()
    dashboard = client.get("/plan/").content.decode().split('id="school-notes"')[1].split("</section>")[0]

    assert "Added by the school since" in page and "from Jo Patel (headteacher)" in page
    assert "Hawthorn Primary</a>: Jo Patel (headteacher)" in dashboard


def test_a_request_while_a_visit_is_being_arranged_says_so_without_its_date(client, school):
    visit = Visit.objects.create(school=school, date=date(2027, 3, 10), status=Visit.Status.CONFIRMED)

    thanks = client.post("/request-a-visit/", request_data(school), follow=True).content.decode()

    assert "A visit to Hawthorn Primary is already being arranged" in thanks
    assert "10 March" not in thanks
    assert Visit.objects.count() == 1 and VisitNote.objects.get().visit == visit


def test_a_school_whose_visit_was_delivered_can_ask_for_a_new_one(client, school):
    Visit.objects.create(school=school, date=date(2026, 10, 6), status=Visit.Status.DELIVERED)

    client.post("/request-a-visit/", request_data(school))

    assert Visit.objects.filter(status=Visit.Status.REQUESTED).count() == 1 and not VisitNote.objects.exists()


# --- The privacy notice, and Welsh


def test_the_form_says_what_is_kept_why_who_sees_it_and_for_how_long(client, school):
    html = client.get(f"/request-a-visit/?school={school.urn}").content.decode()
    notice = html.split('id="privacy-title"')[1].split("</section>")[0]

    assert "your name, role, email address and phone number" in notice
    assert "safeguarding lead" in notice
    assert "coordinators for your school's area" in notice
    # The truth about time: nothing in the planner deletes a school's request after a set period.
    assert "not deleted automatically after a set time" in notice


def test_the_form_is_offered_in_welsh(client, school):
    client.cookies["django_language"] = "cy"

    page = client.get(f"/request-a-visit/?school={school.urn}").content.decode()
    refused = client.post("/request-a-visit/", request_data(school, requester_name="")).content.decode()

    assert 'lang="cy"' in page
    assert "Eich enw" in page and "Anfon y cais" in page and "Beth rydyn ni'n ei gadw a pham" in page.replace(
        "&#x27;", "'")
    assert "Rhowch eich enw." in refused


# --- Any input: a specific message, never a 500, nothing half-written

NASTY = ["", " ", "\x00", "a\x00b", "<script>x</script>", "9" * 40, "-1", "2027-02-30", "0000-00-00",
         "99999-12-31", "31/12/2027", "١٢٣", "\u202e", "é" * 300]
anything = st.one_of(st.sampled_from(NASTY), st.text(max_size=60), st.integers().map(str), st.dates().map(str))
GENERIC = ("This field is required.", "Enter a valid", "Select a valid choice", "Enter a whole number")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_input_gets_a_specific_message_and_nothing_is_written(client, thames_valley, data):
    cache.clear()
    school = SchoolFactory(in_area=thames_valley)
    valid = request_data(school, preferred_weekdays="1")
    posted = {key: data.draw(st.one_of(st.just(value), anything), label=key) for key, value in valid.items()}
    posted["needs_welsh"] = data.draw(st.sampled_from(["", "on", "\x00"]), label="needs_welsh")
    before = (Visit.objects.count(), VisitNote.objects.count())

    response = client.post("/request-a-visit/", posted)

    if response.status_code == 302:
        assert (Visit.objects.count(), VisitNote.objects.count()) != before
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert (Visit.objects.count(), VisitNote.objects.count()) == before
    assert 'class="errorlist' in html or "Find your school first." in html
    assert not any(message in html for message in GENERIC), html
