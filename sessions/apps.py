from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _work_out_stored_problems(using: str = "default", **kwargs) -> None:
    """After `migrate`: work out the stored errors of visits that have none yet (when the schema has them:
    a migration back to before they existed leaves them alone)."""
    from sessions.models import Visit, stored_problems  # noqa: PLC0415 — models are loaded only now

    connection = connections[using]
    with connection.cursor() as cursor:
        table = Visit._meta.db_table
        exists = table in connection.introspection.table_names(cursor)
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)} if exists else set()
    if "error_codes" in columns:
        stored_problems.refresh_unworked()


class SchoolSessionsConfig(AppConfig):
    # "sessions" is taken by django.contrib.sessions; a session here is one assembly or workshop.
    name = "sessions"
    label = "school_sessions"
    verbose_name = "Visits and volunteers"

    def ready(self) -> None:
        # Emails are sent from model signals, so every path that changes a visit notifies.
        from sessions.notifications import receivers  # noqa: PLC0415 — models are loaded only now

        receivers.connect()
        # Cached coordinators' calendar feeds are rebuilt when anything they show changes.
        from sessions.portal import feed_changes  # noqa: PLC0415

        feed_changes.connect()
        # Each visit's errors are stored for the lists, and refreshed whenever what the rules read changes;
        # after a migration, visits not yet worked out are.
        from sessions.models import stored_problems  # noqa: PLC0415

        stored_problems.connect()
        post_migrate.connect(_work_out_stored_problems, sender=self, dispatch_uid="problems-after-migrate")
        # Session packs are built in the task worker whenever what they show changes.
        from sessions.packs import ahead  # noqa: PLC0415

        ahead.connect()
        # The statistics pages ask for schools due and coverage through stats.coverage; the
        # programme's answer lives here, since stats may not import schools or visits.
        from sessions.reach import coverage  # noqa: PLC0415, F401 — registers itself once models are loaded
