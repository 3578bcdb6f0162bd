"""A coordinator plans exactly their areas' visits, however the database is asked (sessions/access.py:
planning_visits reads the areas' authorities as a list on PostgreSQL and as a subquery elsewhere)."""

import pytest

from schools.factories import SchoolFactory
from sessions.access import planning_areas, planning_visits
from sessions.factories import CoordinatorFactory, VisitFactory
from sessions.models import Visit

pytestmark = pytest.mark.django_db


def test_a_coordinator_plans_their_areas_visits_and_no_others(thames_valley, kent):
    ours = [VisitFactory(school=SchoolFactory(in_area=thames_valley)) for _ in range(3)]
    theirs = VisitFactory(school=SchoolFactory(in_area=kent))
    nowhere = VisitFactory(school=SchoolFactory(local_authority=None))
    coordinator = CoordinatorFactory(areas=[thames_valley])
    nobody = CoordinatorFactory(areas=[])

    planned = set(planning_visits(coordinator.user))

    assert planned == set(ours) == set(Visit.objects.in_areas(planning_areas(coordinator.user)))
    assert theirs not in planned and nowhere not in planned
    assert not planning_visits(nobody.user).exists()
