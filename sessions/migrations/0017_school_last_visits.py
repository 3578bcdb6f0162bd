"""Each school's last visit, stored (schools 0005): worked out here from the delivered visits, then kept by
sessions/models/stored_problems.py."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def work_out(apps, schema_editor):
    School = apps.get_model("schools", "School")
    Visit = apps.get_model("school_sessions", "Visit")
    latest = (
        Visit.objects.filter(school=OuterRef("pk"), status="delivered")
        .order_by().values("school").annotate(last=Max("date")).values("last")
    )
    School.objects.update(last_visit_on=Subquery(latest))


class Migration(migrations.Migration):

    dependencies = [
        ("school_sessions", "0016_stored_errors"),
        ("schools", "0005_school_last_visit"),
    ]

    operations = [migrations.RunPython(work_out, migrations.RunPython.noop)]
