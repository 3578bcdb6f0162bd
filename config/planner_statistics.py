"""The database's statistics for its query planner, refreshed after a bulk load.

SQLite keeps no statistics until ANALYZE runs, and without them it guesses. On the national data set it
found a coordinator's week of visits by probing each of their 6,853 schools (15 ms) rather than reading
the week's visits by date (6 ms), and counted an area's delivered visits by walking every delivered visit
in the country (58 ms rather than 14). PostgreSQL's autovacuum analyses tables by itself, but some time
after a bulk load, not at once. So whatever loads data in bulk (the demo, the schools import) refreshes
the statistics when it has finished: `refresh()`.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


def refresh(using: str = DEFAULT_DB_ALIAS) -> None:
    """Analyse every table (about a second for the national data set on PostgreSQL, less on SQLite)."""
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
