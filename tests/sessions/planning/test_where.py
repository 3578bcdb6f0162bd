"""Where volunteers are: the staffing panel ranks by skills and distance, Welsh-language sessions want a
Welsh speaker, and only a volunteer who may lead is booked as lead.

The school stands at Reading's RG1 centroid, so each volunteer's distance is known from their district:
RG1 under 1 km, RG2 4 km, RG14 (Newbury) 25 km, OX14 (Abingdon) 32 km, CF11 (Cardiff) 154 km; Belfast
(BT) and Guernsey (GY) are not in the table: distance unknown.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from schools.factories import SchoolFactory
from sessions import services
from sessions.factories import AssignmentFactory, UnavailabilityFactory, VolunteerFactory
from sessions.models import Assignment, Volunteer

pytestmark = pytest.mark.django_db

READING = (471685, 173017)


@pytest.fixture
def reading_visit(thames_valley, planned_visit):
    return planned_visit(thames_valley, school=SchoolFactory(in_area=thames_valley, easting=READING[0],
                                                             northing=READING[1]))


def volunteer(area, last_name, postcode, **kwargs) -> Volunteer:
    return VolunteerFactory(areas=[area], postcode=postcode, user__first_name="Vol", user__last_name=last_name,
                            **kwargs)


def ranked(visit) -> list[str]:
    return [option.volunteer.user.last_name for option in visit.staffing_options(Volunteer.objects.all()).options]


def test_the_staffing_panel_ranks_eligible_then_nearest_within_their_limit_then_unknown_then_beyond(
        thames_valley, reading_visit):
    volunteer(thames_valley, "Abingdon", "OX14 1AA")  # 32 km, beyond their 25
    volunteer(thames_valley, "Belfast", "BT1 1AA")  # Northern Ireland: unknown
    volunteer(thames_valley, "Guernsey", "GY1 1AA")  # a district the table does not have: unknown
    volunteer(thames_valley, "Newbury", "RG14 1AA", max_travel_km=30)  # 25 km, within their 30
    volunteer(thames_valley, "Reading", "RG1 4QA")
    volunteer(thames_valley, "Uncleared", "RG1 4QA", dbs_checked_on=None)
    volunteer(thames_valley, "Woodley", "RG2 7AA")

    options = reading_visit.staffing_options(Volunteer.objects.all()).options

    assert [o.volunteer.user.last_name for o in options] == [
        "Reading", "Woodley", "Newbury", "Belfast", "Guernsey", "Abingdon", "Uncleared"]
    assert [o.distance for o in options[:6]] == [
        "under 1 km", "4 km", "25 km", "distance unknown", "distance unknown", "32 km: beyond their 25 km"]
    assert [o.eligible for o in options] == [True] * 6 + [False]


def test_a_volunteer_beyond_their_limit_is_shown_so_in_the_panel_and_can_still_be_assigned(
        coordinator_client, thames_valley, reading_visit, HTMX):
    far = volunteer(thames_valley, "Abingdon", "OX14 1AA")

    html = coordinator_client.get(f"/visits/{reading_visit.pk}/staffing/", headers=HTMX).content.decode()

    assert "32 km: beyond their 25 km" in html
    assert f'name="volunteer" value="{far.pk}"' in html


def test_with_the_same_distance_fewer_visits_that_month_come_first(thames_valley, reading_visit, planned_visit):
    busy = volunteer(thames_valley, "Busy", "RG1 4QA")
    volunteer(thames_valley, "Free", "RG1 4QA")
    AssignmentFactory(visit=planned_visit(thames_valley, date=date(2027, 3, 16)), volunteer=busy)

    assert ranked(reading_visit) == ["Free", "Busy"]


def test_the_best_few_are_the_head_of_the_whole_ranking_with_every_eligible_one_before_every_other(
        thames_valley, kent, reading_visit, planned_visit, allow_double_booking):
    # The panel ranks the whole pool from a few columns and reads only the volunteers it shows: whatever
    # it shows must be exactly the start of the full ranking, and the set-level clearance it ranks by must
    # agree with the reasons written out for each one shown.
    volunteer(thames_valley, "Reading", "RG1 4QA")
    volunteer(thames_valley, "Woodley", "RG2 7AA")
    volunteer(thames_valley, "Abingdon", "OX14 1AA")
    volunteer(thames_valley, "Belfast", "BT1 1AA")
    volunteer(thames_valley, "Cardiff", "CF11 9AA", speaks_welsh=True)
    volunteer(thames_valley, "Uncleared", "RG1 4QA", dbs_checked_on=None)
    volunteer(thames_valley, "Lapsed", "RG1 4QA", training_on=date(2020, 1, 1))
    volunteer(kent, "Kentish", "RG1 4QA")
    booked = volunteer(thames_valley, "Booked", "RG1 4QA")
    AssignmentFactory(visit=planned_visit(thames_valley, date=reading_visit.date), volunteer=booked)
    away = volunteer(thames_valley, "Away", "RG2 7AA")
    UnavailabilityFactory(volunteer=away, starts_on=reading_visit.date, ends_on=reading_visit.date)

    for welsh in (False, True):
        reading_visit.sessions.update(welsh_language=welsh)
        whole = reading_visit.staffing_options(Volunteer.objects.all())
        eligible = [option.eligible for option in whole.options]

        assert whole.total == len(whole.options) == 10
        assert whole.eligible == sum(eligible) == 5
        assert eligible == sorted(eligible, reverse=True)
        for limit in range(12):
            best = reading_visit.staffing_options(Volunteer.objects.all(), limit=limit)
            assert best.options == whole.options[:limit]
            assert (best.total, best.eligible) == (whole.total, whole.eligible)
    assert [option.volunteer.user.last_name for option in whole.options][:2] == ["Cardiff", "Reading"]


# Volunteers to rank: a district (two share RG1's centre; Belfast is unknown), how many other visits they
# have that month, whether they are cleared, and a surname that may repeat.
pools = st.lists(
    st.tuples(st.sampled_from(["RG1 4QA", "RG1 8BB", "RG2 7AA", "BT1 1AA"]), st.integers(0, 2), st.booleans(),
              st.sampled_from(["Ash", "Birch"])),
    min_size=1, max_size=8,
)


@settings(max_examples=25, deadline=None)
@given(pool=pools)
def test_the_best_few_are_the_head_of_the_whole_ranking_when_the_months_bookings_break_ties(
        thames_valley, reading_visit, planned_visit, pool):
    # The panel reads the month's bookings only for the volunteers who can still reach the places shown: a
    # tie on everything before them (eligible, district, limit) is broken by them, then by name, then by key.
    with transaction.atomic():
        others = [planned_visit(thames_valley, date=date(2027, 3, day)) for day in (9, 10)]
        for postcode, bookings, cleared, last_name in pool:
            someone = volunteer(thames_valley, last_name, postcode, **({} if cleared else {"dbs_checked_on": None}))
            for other in others[:bookings]:
                AssignmentFactory(visit=other, volunteer=someone)

        whole = reading_visit.staffing_options(Volunteer.objects.all())

        # The whole ranking, in the order the rule says.
        def order(option):
            km = option.distance_km
            return (not option.eligible, km is None, km or 0.0, option.visits_that_month,
                    option.volunteer.user.last_name, option.volunteer.pk)

        assert [order(option) for option in whole.options] == sorted(order(option) for option in whole.options)
        assert sorted(option.visits_that_month for option in whole.options) == sorted(bookings for _, bookings, _, _ in pool)
        for limit in range(len(pool) + 2):
            best = reading_visit.staffing_options(Volunteer.objects.all(), limit=limit)
            assert best.options == whole.options[:limit]
            assert (best.total, best.eligible) == (whole.total, whole.eligible) == (len(pool), sum(cleared for _, _, cleared, _ in pool))
        transaction.set_rollback(True)


def test_a_school_without_coordinates_ranks_everyone_as_distance_unknown(thames_valley, planned_visit):
    visit = planned_visit(thames_valley)  # the factory's school has no easting or northing
    volunteer(thames_valley, "Reading", "RG1 4QA")

    [option] = visit.staffing_options(Volunteer.objects.all()).options

    assert option.distance == "distance unknown" and option.eligible


def test_welsh_speakers_come_first_when_a_session_is_in_welsh(thames_valley, reading_visit):
    volunteer(thames_valley, "Reading", "RG1 4QA")
    volunteer(thames_valley, "Cardiff", "CF11 9AA", speaks_welsh=True)  # 154 km, beyond their 25

    assert ranked(reading_visit) == ["Reading", "Cardiff"]

    reading_visit.sessions.update(welsh_language=True)

    assert ranked(reading_visit) == ["Cardiff", "Reading"]


def test_the_panel_shows_skills_and_offers_lead_only_to_those_who_may_lead(
        coordinator_client, thames_valley, reading_visit, HTMX):
    leader = volunteer(thames_valley, "Leader", "RG1 4QA", speaks_welsh=True, send_experience=True)
    helper = volunteer(thames_valley, "Helper", "RG1 4QA", may_lead=False, signs_bsl=True)

    html = coordinator_client.get(f"/visits/{reading_visit.pk}/staffing/", headers=HTMX).content.decode()

    assert "Welsh, SEND, may lead" in html and ">BSL<" in html
    assert html.count("</span>as lead</button>") == 1
    assert f"{leader.name} </span>as lead" in html and f"{helper.name} </span>as lead" not in html
    assert f"{helper.name} </span>as support" in html


def test_the_booking_gate_refuses_a_lead_who_may_not_lead_and_books_them_as_support(thames_valley, reading_visit):
    helper = volunteer(thames_valley, "Helper", "RG1 4QA", may_lead=False)

    with pytest.raises(ValidationError, match="Vol Helper cannot be booked as lead: a coordinator has not marked"):
        services.assign_volunteer(visit=reading_visit, volunteer=helper, role=Assignment.Role.LEAD, by=None)
    assert not reading_visit.assignments.exists()

    services.assign_volunteer(visit=reading_visit, volunteer=helper, role=Assignment.Role.SUPPORT, by=None)
    assert reading_visit.assignments.get().role == Assignment.Role.SUPPORT


def test_a_forged_assign_as_lead_post_is_refused_with_the_reason(coordinator_client, thames_valley, reading_visit, HTMX):
    helper = volunteer(thames_valley, "Helper", "RG1 4QA", may_lead=False)

    response = coordinator_client.post(f"/visits/{reading_visit.pk}/assign/",
                                       {"volunteer": helper.pk, "role": "lead"}, headers=HTMX)

    assert "Vol Helper cannot be booked as lead" in response.content.decode()
    assert not reading_visit.assignments.exists()


def test_make_lead_refuses_a_supporter_who_may_not_lead(thames_valley, reading_visit):
    helper = volunteer(thames_valley, "Helper", "RG1 4QA", may_lead=False)
    assignment = AssignmentFactory(visit=reading_visit, volunteer=helper, role="support", status="accepted")

    with pytest.raises(ValidationError, match="cannot be booked as lead"):
        services.make_lead(visit=reading_visit, assignment=assignment, by=None)
    assignment.refresh_from_db()
    assert assignment.role == "support"


def test_a_new_volunteer_may_not_lead_until_someone_says_so():
    assert Volunteer._meta.get_field("may_lead").default is False
    assert Volunteer._meta.get_field("max_travel_km").default == 25


# --- The no_welsh_speaker warning


def test_a_session_in_welsh_with_no_welsh_speaker_booked_is_a_warning(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=2)
    visit.sessions.update(welsh_language=True)

    [problem] = [p for p in visit.problems() if p.code == "no_welsh_speaker"]

    assert problem.level == "warning"
    assert problem.message == "A session is to be given in Welsh, and no volunteer on the visit speaks Welsh."
    assert "no_welsh_speaker" not in visit.__class__.objects.with_signals().get(pk=visit.pk).signal_codes


def test_a_welsh_speaker_on_the_visit_or_no_session_in_welsh_means_no_warning(thames_valley, planned_visit):
    english = planned_visit(thames_valley, volunteers=2)
    welsh = planned_visit(thames_valley, volunteers=2)
    welsh.sessions.update(welsh_language=True)
    Volunteer.objects.filter(assignments__visit=welsh, assignments__role="support").update(speaks_welsh=True)

    assert "no_welsh_speaker" not in {p.code for p in english.problems()}
    assert "no_welsh_speaker" not in {p.code for p in welsh.problems()}


def test_a_declined_welsh_speaker_does_not_count(thames_valley, planned_visit):
    visit = planned_visit(thames_valley, volunteers=1)
    visit.sessions.update(welsh_language=True)
    AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[thames_valley], speaks_welsh=True),
                      status="declined")

    assert "no_welsh_speaker" in {p.code for p in visit.problems()}


def test_a_coordinator_lets_a_volunteer_of_their_area_lead_from_the_panel(coordinator_client, thames_valley,
                                                                          reading_visit, HTMX):
    helper = volunteer(thames_valley, "Helper", "RG1 4QA", may_lead=False)
    url = f"/visits/{reading_visit.pk}/volunteers/{helper.pk}/may-lead/"
    assert f'hx-post="{url}"' in coordinator_client.get(f"/visits/{reading_visit.pk}/staffing/",
                                                        headers=HTMX).content.decode()

    html = coordinator_client.post(url, headers=HTMX).content.decode()

    helper.refresh_from_db()
    assert helper.may_lead
    assert "Vol Helper may now lead visits." in html and f"{helper.name} </span>as lead" in html


def test_a_coordinator_cannot_let_a_volunteer_of_another_area_lead(coordinator_client, kent, reading_visit):
    outsider = volunteer(kent, "Outsider", "ME1 1AA", may_lead=False)

    response = coordinator_client.post(f"/visits/{reading_visit.pk}/volunteers/{outsider.pk}/may-lead/")

    outsider.refresh_from_db()
    assert response.status_code == 404 and not outsider.may_lead
