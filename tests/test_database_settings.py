"""How the app talks to PostgreSQL (config/settings.py): each connection's settings and prepared statements,
and the switches that turn them off behind a pooler."""

import json

import pytest
from django.db import connection

from schools.models import School
from tests.test_deploy import run

PG_URL = "postgres:///any?host=/var/run/postgresql"
SHOW_OPTIONS = ["-c", "import json, config.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"]


def options(**env: str) -> dict:
    """The default database's OPTIONS as the settings build them from the environment (no connection made)."""
    result = run(SHOW_OPTIONS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_connections_bind_parameters_on_the_server_and_prepare_repeated_queries():
    found = options(DATABASE_URL=PG_URL)

    assert found["server_side_binding"] is True
    assert found["prepare_threshold"] == 5
    assert found["options"] == "-c jit=off -c random_page_cost=1.1"


def test_behind_a_pooler_each_switch_turns_its_part_off_alone():
    without_prepared = options(DATABASE_URL=PG_URL, POSTGRES_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in without_prepared
    assert "prepare_threshold" not in without_prepared
    assert without_prepared["options"] == "-c jit=off -c random_page_cost=1.1"

    without_session_settings = options(DATABASE_URL=PG_URL, POSTGRES_SESSION_SETTINGS="false")
    assert "options" not in without_session_settings
    assert without_session_settings["server_side_binding"] is True


def test_sqlite_takes_neither():
    found = options(DATABASE_URL="sqlite:///unused.sqlite3")

    assert {"server_side_binding", "prepare_threshold", "options"}.isdisjoint(found)


@pytest.mark.django_db
def test_a_query_the_connection_runs_again_is_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for urn in range(6):  # the same query with other parameters: one statement
        list(School.objects.filter(urn=urn))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%FROM "schools_school" WHERE%']
        )
        assert cursor.fetchone()[0] == 1
