"""Loads the programme's session types from sessions/data/session_types.csv."""

import csv
from pathlib import Path

from django.db import transaction

from sessions.models import SessionType

DATA = Path(__file__).resolve().parent / "data"


@transaction.atomic
def load_session_types() -> dict[str, int]:
    with open(DATA / "session_types.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            SessionType.objects.update_or_create(
                slug=row["slug"],
                defaults={
                    "name": row["name"],
                    "format": row["format"],
                    "key_stage": row["key_stage"],
                    "min_age": int(row["min_age"]),
                    "max_age": int(row["max_age"]),
                    "duration_minutes": int(row["duration_minutes"]),
                    "volunteers_needed": int(row["volunteers_needed"]),
                    "description": row["description"],
                },
            )
    return {"session types": SessionType.objects.count()}
