"""Fixtures of the security tests: one small programme with a user for each role, made once for each module
(its many tests only read it, or change it and have their changes rolled back)."""

import copy

import pytest

from stats.models import Area
from tests.conftest import KENT, THAMES_VALLEY, _planned_visit, shared_by_the_module
from tests.security.world import build_world


@pytest.fixture(scope="module")
def world_of_the_module(django_db_setup, django_db_blocker, tmp_path_factory):
    with shared_by_the_module(django_db_blocker, tmp_path_factory.mktemp("media")):
        yield build_world(Area.objects.get(code=THAMES_VALLEY), Area.objects.get(code=KENT), _planned_visit)


@pytest.fixture
def world(db, world_of_the_module):
    return copy.deepcopy(world_of_the_module)
