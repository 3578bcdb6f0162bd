"""Fixtures of the browser tests."""

import pytest


@pytest.fixture
def live_server(transactional_db, plain_http):
    """A live server of this test's own. pytest-django's is started once per run, before the
    per-test settings (tests/conftest.py plain_http) apply, so it would redirect to HTTPS; this one
    starts after them and speaks plain HTTP like the test client."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()
