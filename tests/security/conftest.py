"""Fixtures of the security tests: one small programme with a user for each role."""

import pytest

from tests.security.world import build_world


@pytest.fixture
def world(thames_valley, kent, media, planned_visit):
    return build_world(thames_valley, kent, planned_visit)
