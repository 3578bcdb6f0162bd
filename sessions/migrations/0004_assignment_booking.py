"""The assignment carries its visit's time, so the database itself can refuse a double booking.

On PostgreSQL an exclusion constraint (btree_gist) forbids two live bookings of one volunteer whose
times overlap; the application checks first under a row lock (sessions/services.py), and this is the
backstop. SQLite has no such constraint: there the IMMEDIATE transaction mode serialises bookings.
"""

from datetime import datetime

from django.db import migrations, models
from django.utils import timezone

CONSTRAINT = "assignment_no_double_booking"
TABLE = "school_sessions_assignment"


def fill_booked_range(apps, schema_editor):
    Assignment = apps.get_model("school_sessions", "Assignment")
    zone = timezone.get_current_timezone()
    for assignment in Assignment.objects.select_related("visit").exclude(status="declined").exclude(
        visit__status="cancelled"
    ):
        visit = assignment.visit
        assignment.booked_from = datetime.combine(visit.date, visit.starts_at, tzinfo=zone)
        assignment.booked_until = datetime.combine(visit.date, visit.ends_at, tzinfo=zone)
        assignment.save(update_fields=["booked_from", "booked_until"])


def add_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(volunteer_id WITH =, tstzrange(booked_from, booked_until, '[)') WITH &&) "
        "WHERE (booked_from IS NOT NULL AND booked_until IS NOT NULL) "
        # Checked at once, as if not deferrable; a test that needs a double booking to exist (to see
        # how problems() reports one) may defer it inside its own transaction, which is never committed.
        "DEFERRABLE INITIALLY IMMEDIATE"
    )


def drop_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [
        ("school_sessions", "0003_session_packs"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="booked_from",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="assignment",
            name="booked_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_booked_range, migrations.RunPython.noop),
        migrations.RunPython(add_exclusion_constraint, drop_exclusion_constraint),
    ]
