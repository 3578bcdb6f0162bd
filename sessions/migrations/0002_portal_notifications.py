import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("school_sessions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.CreateModel(
            name="SentNotification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("reminder", "Visit reminder"),
                            ("report_nudge", "Visit report nudge"),
                            ("clearance_expiry", "Clearance expiry warning"),
                        ],
                        max_length=30,
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["-sent_at"],
                "constraints": [models.UniqueConstraint(fields=("kind", "key"), name="notification_sent_once")],
            },
        ),
    ]
