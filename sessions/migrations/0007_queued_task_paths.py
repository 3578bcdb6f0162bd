"""Tasks queued before the sessions app was grouped by area name their old module paths
(django_tasks_db stores the path); point them at the new ones so the worker still runs them after an
upgrade. No schema change."""

from django.db import migrations

MOVED = {
    "sessions.tasks.build_pack_batch": "sessions.packs.tasks.build_pack_batch",
    "sessions.email_tasks.send_notification": "sessions.notifications.tasks.send_notification",
}


def rename(apps, schema_editor, moves: dict[str, str]) -> None:
    tasks = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in moves.items():
        tasks.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor) -> None:
    rename(apps, schema_editor, MOVED)


def backwards(apps, schema_editor) -> None:
    rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("school_sessions", "0006_benchmark_indexes"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
