"""The term planner's promises, for random small worlds: every proposed visit keeps every hard rule, an
impossible world gives an empty plan with reasons (never an error), and the same input gives the same plan."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from schools.factories import SchoolFactory, TermDateFactory
from schools.geography import distance_km
from schools.models import TermDate
from sessions.factories import AssignmentFactory, VisitFactory, VolunteerFactory
from sessions.models import Visit, Volunteer, bank_holiday_name
from sessions.planning.term import TermChoice, plan_term
from stats.models import LocalAuthority

TODAY = date(2026, 12, 1)
SPRING = (date(2027, 1, 5), date(2027, 3, 26))
HALF_TERM = (date(2027, 2, 15), date(2027, 2, 19))
READING = (471685, 173017)
POSTCODES = ["RG1 1AA", "RG2 0AA", "RG30 1AA", "OX1 1AA", "SL1 1AA", "BT1 1AA"]  # BT: distance unknown
# Trained on 1 February 2024: the training lapses on 1 February 2027, in the middle of the term.
TRAINED = [date(2026, 6, 1), date(2024, 2, 1)]
SPRING_DAYS = [SPRING[0] + timedelta(days=n) for n in range((SPRING[1] - SPRING[0]).days + 1)]

volunteers = st.lists(
    st.fixed_dictionaries({
        "postcode": st.sampled_from(POSTCODES),
        "max_travel_km": st.integers(3, 40),
        "may_lead": st.booleans(),
        "speaks_welsh": st.booleans(),
        "training_on": st.sampled_from(TRAINED),
    }),
    max_size=6,
)
schools = st.lists(
    st.fixed_dictionaries({
        "east": st.integers(-25_000, 25_000),
        "north": st.integers(-25_000, 25_000),
        "welsh_medium": st.booleans(),
        "high_age": st.sampled_from([7, 11]),
    }),
    min_size=1, max_size=4,
)
bookings = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(SPRING_DAYS)), max_size=3, unique=True)
inset_days = st.lists(st.sampled_from(SPRING_DAYS), max_size=2)


def build(thames_valley, school_specs, volunteer_specs, booking_specs, insets) -> LocalAuthority:
    la = LocalAuthority.objects.filter(police_force=thames_valley).order_by("code").first()
    TermDateFactory(local_authority=la, kind=TermDate.Kind.TERM, starts_on=SPRING[0], ends_on=SPRING[1])
    TermDateFactory(local_authority=la, kind=TermDate.Kind.HALF_TERM, starts_on=HALF_TERM[0], ends_on=HALF_TERM[1])
    for day in insets:
        TermDateFactory(local_authority=la, kind=TermDate.Kind.INSET, starts_on=day, ends_on=day)
    for spec in school_specs:
        SchoolFactory(local_authority=la, easting=READING[0] + spec["east"], northing=READING[1] + spec["north"],
                      welsh_medium=spec["welsh_medium"], high_age=spec["high_age"])
    made = [
        VolunteerFactory(areas=[thames_valley], dbs_checked_on=date(2026, 5, 1), **spec) for spec in volunteer_specs
    ]
    elsewhere = SchoolFactory(local_authority=la, status="closed")  # not due: the visits they already have
    for index, day in booking_specs:
        if index < len(made) and day.weekday() < 5:
            visit = VisitFactory(school=elsewhere, date=day, starts_at=time(9, 0), ends_at=time(10, 30),
                                 status=Visit.Status.CONFIRMED)
            AssignmentFactory(visit=visit, volunteer=made[index])
    return la


def check_every_hard_rule(plan, la, cap: int, avoid: frozenset[int]) -> None:
    spans = list(TermDate.objects.filter(local_authority=la))
    per_day: Counter = Counter()
    per_month: Counter = Counter()
    for volunteer in Volunteer.objects.all():
        for assignment in volunteer.assignments.active().select_related("visit"):
            per_month[(volunteer.pk, assignment.visit.date.month)] += 1
    for proposed in plan.visits:
        day = proposed.date
        # Term time: a weekday in the spring term, not half-term, an INSET day or a bank holiday.
        assert day.weekday() < 5 and day.weekday() not in avoid
        assert SPRING[0] <= day <= SPRING[1] and day > TODAY
        assert not any(s.starts_on <= day <= s.ends_on for s in spans if s.kind != TermDate.Kind.TERM)
        assert bank_holiday_name(day, "england") is None
        school = la.schools.get(urn=proposed.urn)
        team = [proposed.lead, *proposed.support]
        assert len(set(team)) == len(team) >= 2
        people = {v.pk: v for v in Volunteer.objects.filter(pk__in=team)}
        assert people[proposed.lead].may_lead
        for volunteer in people.values():
            assert volunteer.is_cleared_on(day)
            km = distance_km(school.location, volunteer.location)
            assert km is None or km <= volunteer.max_travel_km
            assert proposed.km[volunteer.pk] == km
            # No double booking: nothing else that day, proposed or already booked at an overlapping time.
            per_day[(volunteer.pk, day)] += 1
            assert not volunteer.assignments.active().filter(
                visit__date=day, visit__starts_at__lt=proposed.ends_at, visit__ends_at__gt=proposed.starts_at
            ).exists()
            per_month[(volunteer.pk, day.month)] += 1
        if school.welsh_medium:
            assert any(v.speaks_welsh for v in people.values())
    assert all(n == 1 for n in per_day.values())
    planned_months = {(v, p.date.month) for p in plan.visits for v in (p.lead, *p.support)}
    assert all(per_month[key] <= cap for key in planned_months)


@pytest.mark.django_db
@given(school_specs=schools, volunteer_specs=volunteers, booking_specs=bookings, insets=inset_days,
       cap=st.integers(1, 3), avoid=st.sets(st.integers(0, 4), max_size=2))
def test_every_proposed_visit_keeps_every_hard_rule_and_the_same_input_gives_the_same_plan(
    thames_valley, school_specs, volunteer_specs, booking_specs, insets, cap, avoid
):
    with transaction.atomic():
        la = build(thames_valley, school_specs, volunteer_specs, booking_specs, insets)
        choice = TermChoice(areas=(thames_valley,), academic_year=2026, term="spring", monthly_cap=cap,
                            avoid_weekdays=frozenset(avoid), today=TODAY, seconds=10)

        plan = plan_term(choice)

        check_every_hard_rule(plan, la, cap, frozenset(avoid))
        # Every due school is either proposed or left out with a reason, once.
        due = sorted(school.urn for school in la.schools.filter(status="open"))
        placed = [v.urn for v in plan.visits]
        left = [s.urn for s in plan.left_out]
        assert sorted(placed + left) == due
        assert all(s.reason for s in plan.left_out)
        assert plan_term(choice).as_json() == plan.as_json()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_world_without_volunteers_gives_an_empty_plan_saying_why(thames_valley):
    la = build(thames_valley, [{"east": 0, "north": 0, "welsh_medium": False, "high_age": 11}], [], [], [])

    plan = plan_term(TermChoice(areas=(thames_valley,), academic_year=2026, term="spring", today=TODAY))

    assert plan.visits == []
    assert [s.reason for s in plan.left_out] == ["no volunteer covers Thames Valley"]
    assert la.schools.count() == 2


@pytest.mark.django_db
def test_no_term_dates_and_no_welsh_speaker_are_reasons_the_shortfall_names(thames_valley, kent):
    la = build(thames_valley, [{"east": 0, "north": 0, "welsh_medium": True, "high_age": 11}],
               [{"postcode": "RG1 1AA", "max_travel_km": 25, "may_lead": True, "speaks_welsh": False,
                 "training_on": TRAINED[0]}] * 2, [], [])
    kent_school = SchoolFactory(in_area=kent)

    plan = plan_term(TermChoice(areas=(thames_valley, kent), academic_year=2026, term="spring", today=TODAY))

    reasons = {s.urn: s.reason for s in plan.left_out}
    assert reasons[la.schools.get(welsh_medium=True).urn] == "no Welsh speaker free that term within travel distance"
    assert reasons[kent_school.urn] == f"no term dates for {kent_school.local_authority.name} 2026/27"


@pytest.mark.django_db
def test_volunteers_too_far_away_are_named_as_the_reason(thames_valley):
    build(thames_valley, [{"east": 0, "north": 0, "welsh_medium": False, "high_age": 11}],
          [{"postcode": "HP1 1AA", "max_travel_km": 25, "may_lead": True, "speaks_welsh": False,
            "training_on": TRAINED[0]}] * 2, [], [])

    plan = plan_term(TermChoice(areas=(thames_valley,), academic_year=2026, term="spring", today=TODAY))

    assert [s.reason for s in plan.left_out] == ["no volunteer within 25 km (the nearest lives 48 km away)"]


@pytest.mark.django_db
def test_open_requests_come_first_and_the_schools_preferences_are_kept(thames_valley):
    la = build(thames_valley, [{"east": 0, "north": 0, "welsh_medium": False, "high_age": 11}] * 2,
               [{"postcode": "RG1 1AA", "max_travel_km": 25, "may_lead": True, "speaks_welsh": False,
                 "training_on": TRAINED[0]}] * 2, [], [])
    # Two volunteers, a cap of one visit a month and a term of three months: each school gets one of them.
    asking = la.schools.filter(status="open").order_by("urn").last()
    VisitFactory(school=asking, date=date(2027, 1, 12), status=Visit.Status.REQUESTED, coordinator=None,
                 preferred_weekdays=[1], preferred_time="afternoon", requester_name="Jo Bloggs")

    plan = plan_term(TermChoice(areas=(thames_valley,), academic_year=2026, term="spring", today=TODAY,
                                monthly_cap=1))

    first = next(v for v in plan.visits if v.urn == asking.urn)
    assert first.date.weekday() == 1 and first.starts_at >= time(12, 0)
    assert first.reasons[0].startswith("Why this school: it asked for a visit on")
    assert "by Jo Bloggs" in first.reasons[0]
