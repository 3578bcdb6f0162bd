from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.factories import VolunteerFactory
from sessions.models import Volunteer

pytestmark = pytest.mark.django_db

CHECKED = date(2024, 3, 1)


def volunteer(**overrides) -> Volunteer:
    return VolunteerFactory(**{"dbs_checked_on": CHECKED, "training_on": CHECKED, **overrides})


def test_a_dbs_check_counts_until_the_day_before_its_third_anniversary():
    cleared = volunteer()

    assert cleared.is_cleared_on(date(2027, 2, 28))
    assert not cleared.is_cleared_on(date(2027, 3, 1))


def test_the_expired_check_is_named_in_the_reason():
    cleared = volunteer(training_on=date(2026, 1, 1))

    assert cleared.clearance_issues(date(2027, 3, 1)) == ["has a DBS check that expired on 1 March 2027"]


def test_a_volunteer_on_the_update_service_keeps_their_dbs_check_while_its_status_is_checked():
    cleared = volunteer(dbs_update_service=True, dbs_status_checked_on=date(2028, 6, 1), training_on=date(2026, 1, 1))

    assert cleared.is_cleared_on(date(2028, 12, 31))  # past the certificate's three years
    assert cleared.dbs_expires_on == date(2029, 6, 1)  # a year after the status check
    assert cleared.clearance_issues(date(2029, 6, 1)) == [
        "has a DBS Update Service status check that was due on 1 June 2029",
        "has safeguarding training that expired on 1 January 2029",
    ]


def test_on_the_update_service_without_a_status_check_the_certificate_expires_as_any_other():
    unchecked = volunteer(dbs_update_service=True, training_on=date(2026, 1, 1))

    assert unchecked.dbs_expires_on == date(2027, 3, 1)
    assert unchecked.clearance_issues(date(2027, 3, 1)) == ["has a DBS check that expired on 1 March 2027"]


def test_the_status_check_period_is_a_setting(settings):
    settings.DBS_UPDATE_SERVICE_CHECK_DAYS = 30
    checked = volunteer(dbs_update_service=True, dbs_status_checked_on=date(2027, 6, 1), training_on=date(2027, 1, 1))

    assert checked.is_cleared_on(date(2027, 6, 30))
    assert not checked.is_cleared_on(date(2027, 7, 1))


@pytest.mark.parametrize("level", [Volunteer.DbsLevel.ENHANCED, Volunteer.DbsLevel.BASIC])
def test_only_an_enhanced_check_with_the_childrens_barred_list_counts(level):
    lower = volunteer(dbs_level=level)

    assert not lower.is_cleared_on(date(2025, 1, 1))
    assert lower.clearance_issues(date(2025, 1, 1)) == [
        f"has a DBS check at the {lower.get_dbs_level_display().lower()} level; this work needs an enhanced check "
        "with the children's barred list"
    ]


def test_a_volunteer_is_not_cleared_before_their_dbs_check():
    assert not volunteer().is_cleared_on(date(2024, 2, 29))
    assert volunteer().is_cleared_on(date(2024, 3, 1))


def test_safeguarding_training_expires_like_the_dbs_check(settings):
    settings.SAFEGUARDING_TRAINING_VALID_YEARS = 1
    cleared = volunteer(dbs_update_service=True)

    assert cleared.is_cleared_on(date(2025, 2, 28))
    assert cleared.clearance_issues(date(2025, 3, 1)) == [
        "has safeguarding training that expired on 1 March 2025"
    ]


def test_a_volunteer_with_no_checks_is_not_cleared():
    assert volunteer(dbs_checked_on=None, training_on=None).clearance_issues(date(2025, 1, 1)) == [
        "has no DBS check by that date",
        "has no safeguarding training by that date",
    ]


def test_an_inactive_volunteer_is_not_cleared():
    assert not volunteer(active=False).is_cleared_on(date(2025, 1, 1))


def test_a_check_done_on_29_february_expires_on_28_february():
    assert volunteer(dbs_checked_on=date(2024, 2, 29)).dbs_expires_on == date(2027, 2, 28)


@pytest.mark.parametrize(
    "day", [date(2024, 2, 29), date(2024, 3, 1), date(2027, 2, 28), date(2027, 3, 1), date(2030, 1, 1)]
)
def test_the_cleared_on_filter_agrees_with_the_rule_for_every_volunteer(day):
    people = [
        volunteer(),
        volunteer(dbs_update_service=True),
        volunteer(dbs_update_service=True, dbs_status_checked_on=date(2026, 12, 1)),
        volunteer(dbs_update_service=True, dbs_status_checked_on=date(2029, 3, 1)),
        volunteer(dbs_level=Volunteer.DbsLevel.ENHANCED),
        volunteer(active=False),
        volunteer(dbs_checked_on=None),
        volunteer(training_on=date(2026, 6, 1)),
    ]

    filtered = set(Volunteer.objects.cleared_on(day))

    assert filtered == {person for person in people if person.is_cleared_on(day)}


def test_clearance_expiring_within_sixty_days_is_flagged_from_sixty_days_before():
    cleared = volunteer()  # expires 1 March 2027

    assert cleared.clearance_expires_within(60, today=date(2026, 12, 31))
    assert not cleared.clearance_expires_within(60, today=date(2026, 12, 30))
    assert not cleared.clearance_expires_within(60, today=date(2027, 3, 2))


# Any mix of dates, levels and settings: the filters give exactly the volunteers the one-volunteer rules give.
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))


@settings(max_examples=25)
@given(
    people=st.lists(
        st.fixed_dictionaries({
            "dbs_checked_on": st.none() | DAYS,
            "training_on": st.none() | DAYS,
            "dbs_update_service": st.booleans(),
            "dbs_status_checked_on": st.none() | DAYS,
            "dbs_level": st.sampled_from(Volunteer.DbsLevel.values),
            "active": st.booleans(),
        }),
        min_size=1,
        max_size=6,
    ),
    day=DAYS,
    window=st.integers(min_value=0, max_value=120),
)
def test_the_set_level_clearance_rules_agree_with_the_one_volunteer_rules(people, day, window):
    made = [volunteer(**person) for person in people]
    pks = [v.pk for v in made]
    try:
        mine = Volunteer.objects.filter(pk__in=pks)
        assert set(mine.cleared_on(day)) == {v for v in made if v.is_cleared_on(day)}
        expiring = {v for v in made if v.active and v.dbs_expires_on and day <= v.dbs_expires_on
                    and (v.dbs_expires_on - day).days <= window}
        expiring |= {v for v in made if v.active and v.training_expires_on and day <= v.training_expires_on
                     and (v.training_expires_on - day).days <= window}
        assert set(mine.clearance_expiring(within_days=window, today=day)) == expiring
    finally:
        Volunteer.objects.filter(pk__in=pks).delete()
