"""Each school's last visit, stored: filled by sessions 0017 and kept by sessions/models/stored_problems.py."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('schools', '0004_term_calendars_and_school_closures'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalschool',
            name='last_visit_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='last visit'),
        ),
        migrations.AddField(
            model_name='school',
            name='last_visit_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='last visit'),
        ),
    ]
