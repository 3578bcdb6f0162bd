"""Children reached, each counted once: the counting rule and the checks on a report's figures
(`sessions/models/attendance.py`), on any numbers."""

from hypothesis import given
from hypothesis import strategies as st

from sessions.models.attendance import (
    MOST_IN_A_SESSION,
    check_figures,
    children_reached,
    planned_by_year,
    reach_by_year,
    split_evenly,
)

YEARS = st.integers(min_value=0, max_value=6)
# A session: some year groups, each with up to 90 children.
SESSION = st.dictionaries(YEARS, st.integers(min_value=0, max_value=90), max_size=7)
SESSIONS = st.lists(SESSION, min_size=1, max_size=4)


def label(year: int) -> str:
    return "Reception" if year == 0 else f"Year {year}"


def named(sessions):
    return [(i, f"Session {i}", attendance) for i, attendance in enumerate(sessions)]


def test_a_year_5_child_at_the_assembly_and_the_workshop_is_counted_once():
    assembly = {3: 28, 4: 30, 5: 29, 6: 31}
    workshop = {5: 29, 6: 30}

    assert children_reached([assembly, workshop]) == 28 + 30 + 29 + 31
    assert reach_by_year([assembly, workshop]) == {3: 28, 4: 30, 5: 29, 6: 31}


def test_a_year_group_counts_its_largest_session_when_more_came_to_the_workshop():
    assert children_reached([{5: 20, 6: 20}, {5: 30}]) == 50


def test_stored_attendance_with_text_keys_counts_the_same():
    assert children_reached([{"5": 28, "6": 30}, {5: 20}]) == 58


@given(SESSIONS)
def test_no_child_is_counted_twice(sessions):
    reached = children_reached(sessions)
    # Never more than the sessions added up (that would count a child at two sessions twice)...
    assert reached <= sum(sum(s.values()) for s in sessions)
    # ...never fewer than the largest single session, and each year group counts its largest session only.
    assert reached >= max(sum(s.values()) for s in sessions)
    for year, n in reach_by_year(sessions).items():
        assert n == max(s.get(year, 0) for s in sessions)
    # The same sessions again (a child at both) add nobody.
    assert children_reached(sessions + sessions) == reached


@given(SESSIONS, st.dictionaries(YEARS, st.integers(min_value=0, max_value=90), max_size=7))
def test_the_reach_never_exceeds_the_plan_unless_confirmed(sessions, planned):
    checked = check_figures(named(sessions), planned, None, label)

    if not checked.needs_confirmation:
        # Within a fifth of the plan in every year group, so within a fifth of the plan in all.
        for year, n in reach_by_year(sessions).items():
            assert n <= planned.get(year, 0) * 1.2
        assert children_reached(sessions) <= sum(planned.values()) * 1.2


@given(SESSIONS, st.integers(min_value=1, max_value=400))
def test_the_reach_never_exceeds_the_schools_roll_unless_confirmed(sessions, roll):
    planned = dict.fromkeys(range(7), 90)
    checked = check_figures(named(sessions), planned, roll, label)

    if not checked.needs_confirmation:
        assert children_reached(sessions) <= roll


def test_a_figure_over_the_plan_by_more_than_a_fifth_needs_a_confirmation_naming_the_year_group():
    checked = check_figures(named([{5: 37}]), {5: 30}, None, label)

    assert [f.message for f in checked.unusual] == ["Year 5: 37 children reached, but 30 were planned."]
    assert not check_figures(named([{5: 36}]), {5: 30}, None, label).needs_confirmation


def test_a_year_group_nobody_planned_for_needs_a_confirmation():
    checked = check_figures(named([{0: 12}]), {5: 30}, None, label)

    assert [f.message for f in checked.unusual] == ["Reception: 12 children reached, but none were planned."]


def test_more_children_than_the_schools_roll_needs_a_confirmation():
    checked = check_figures(named([{5: 30, 6: 30}]), {5: 30, 6: 30}, 50, label)

    assert [f.message for f in checked.unusual] == ["60 children reached is more than the school's 50 pupils on roll."]


def test_more_than_two_thousand_in_a_session_is_impossible_and_names_the_session_and_year_group():
    checked = check_figures([(7, "09:00 Assembly for Key Stage 2", {5: 900, 6: 2001})], {5: 30, 6: 30}, 210,
                            label)

    assert [(f.line, f.year) for f in checked.impossible] == [(7, 6)]
    assert checked.impossible[0].message.startswith("09:00 Assembly for Key Stage 2, Year 6: 2,001 children")
    whole = check_figures([(7, "09:00 Assembly", {5: 1500, 6: 600})], {}, None, label)
    assert [(f.line, f.year) for f in whole.impossible] == [(7, None)]
    assert f"at most {MOST_IN_A_SESSION:,}" in whole.impossible[0].message


@given(st.integers(min_value=0, max_value=2000), st.lists(YEARS, min_size=1, max_size=7, unique=True),
       st.dictionaries(YEARS, st.integers(min_value=0, max_value=90)))
def test_a_sessions_single_number_shared_across_its_year_groups_keeps_every_child(total, years, weights):
    shares = split_evenly(total, years, weights)

    assert sum(shares.values()) == total
    assert set(shares) <= set(years)


def test_the_plan_is_the_schools_numbers_else_each_sessions_pupils_shared_across_its_year_groups():
    lines = [([3, 4, 5, 6], 120), ([5, 6], 32)]

    assert planned_by_year({}, lines) == {3: 30, 4: 30, 5: 30, 6: 30}
    assert planned_by_year({"5": 28, "6": 0}, lines) == {3: 30, 4: 30, 5: 28, 6: 30}
