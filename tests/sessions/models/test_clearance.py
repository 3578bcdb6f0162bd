from datetime import date

import pytest

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


def test_a_volunteer_on_the_update_service_keeps_their_dbs_check():
    cleared = volunteer(dbs_update_service=True, training_on=date(2026, 1, 1))

    assert cleared.is_cleared_on(date(2030, 1, 1)) is False  # training has lapsed by then
    assert cleared.is_cleared_on(date(2028, 12, 31))
    assert cleared.dbs_expires_on is None


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
