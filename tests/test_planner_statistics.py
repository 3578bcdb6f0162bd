"""After a bulk load the database's query planner has statistics for what was loaded
(config/planner_statistics.py): the demo and the schools import refresh them, a dry run or a refused
import does not need to."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from schools.importers import import_gias
from schools.models import School
from sessions.models import Visit
from tests.schools.test_import_schools import FORMAT

pytestmark = pytest.mark.django_db


def planner_rows(table: str) -> int | None:
    """How many rows the planner's statistics say the table has (None: it has none for it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            # The first number of a table's row is its row count.
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
            found = cursor.fetchone()
            return int(found[0].split()[0]) if found else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        count = cursor.fetchone()[0]
        return None if count < 0 else round(count)


def test_the_demo_leaves_the_planner_knowing_how_many_visits_and_schools_it_built():
    if connection.vendor == "sqlite":
        assert planner_rows(Visit._meta.db_table) is None  # a new database: no statistics yet

    call_command("seed_demo", "--schools", "40", "--volunteers", "20", "--visits", "40", stdout=StringIO())

    assert planner_rows(Visit._meta.db_table) == Visit.objects.count() > 0
    assert planner_rows(School._meta.db_table) == School.objects.count() > 0


def test_a_schools_import_leaves_the_planner_knowing_the_schools_and_a_dry_run_leaves_it_alone():
    import_gias(FORMAT, dry_run=True)
    if connection.vendor == "sqlite":
        assert planner_rows(School._meta.db_table) is None

    import_gias(FORMAT)

    assert planner_rows(School._meta.db_table) == School.objects.count() > 0
