"""What the app holds about a volunteer, for them to see and download (UK GDPR right of access)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from django.utils import timezone

from config import csv_export
from sessions.models import Volunteer


def _value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def personal_data(volunteer: Volunteer) -> dict:
    """Everything stored about the volunteer, grouped as a person would read it."""
    user = volunteer.user
    assignments = volunteer.assignments.select_related("visit__school").order_by("visit__date", "pk")
    reports = volunteer.visitreport_set.select_related("visit__school").order_by("visit__date")
    return {
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "joined": _value(user.date_joined),
            "last_logged_in": _value(user.last_login),
        },
        "volunteer": {
            "phone": volunteer.phone,
            "postcode": volunteer.postcode,
            "furthest_travel_km": volunteer.max_travel_km,
            "speaks_welsh": volunteer.speaks_welsh,
            "signs_bsl": volunteer.signs_bsl,
            "send_experience": volunteer.send_experience,
            "may_lead": volunteer.may_lead,
            "areas_covered": ", ".join(area.name for area in volunteer.areas.all()),
            "dbs_check_date": _value(volunteer.dbs_checked_on),
            "dbs_certificate_number": volunteer.dbs_reference,
            "on_dbs_update_service": volunteer.dbs_update_service,
            "safeguarding_training_date": _value(volunteer.training_on),
            "active": volunteer.active,
            "left_on": _value(volunteer.left_on),
            "email_reminders": volunteer.email_reminders,
            "email_report_nudges": volunteer.email_report_nudges,
            "calendar_feed": "a secret address, shown on your calendar feed page",
        },
        "visits": [
            {
                "school": a.visit.school.name,
                "date": _value(a.visit.date),
                "times": a.visit.times,
                "visit_status": a.visit.get_status_display(),
                "role": a.get_role_display(),
                "answer": a.get_status_display(),
                "invited_at": _value(a.created_at),
                "answered_at": _value(a.responded_at),
            }
            for a in assignments
        ],
        "unavailable_dates": [
            {"first_day": _value(u.starts_on), "last_day": _value(u.ends_on), "reason": u.reason}
            for u in volunteer.unavailabilities.all()
        ],
        "visit_reports_filed": [
            {
                "school": r.visit.school.name,
                "date": _value(r.visit.date),
                "filed_at": _value(r.filed_at),
                "children_reached": r.children_reached,
                "sessions_delivered": r.sessions_delivered,
                "notes": r.notes,
                "concern_passed_to_safeguarding_lead": r.follow_up,
            }
            for r in reports
        ],
    }


def personal_data_csv(data: dict) -> str:
    """One row per value: section, item number (for lists), field, value."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for section, content in data.items():
        if isinstance(content, dict):
            for name, value in content.items():
                writer.writerow([section, "", name, value])
        else:
            for number, item in enumerate(content, start=1):
                for name, value in item.items():
                    writer.writerow([section, number, name, value])
    return out.getvalue()


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def readable_value(value) -> str:
    """A value as the page shows it: dates and times in words (the downloads keep ISO 8601)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "—"
    if isinstance(value, str) and ISO_DATE.match(value):
        return f"{date.fromisoformat(value):%-d %B %Y}"
    if isinstance(value, str) and ISO_MOMENT.match(value):
        return f"{datetime.fromisoformat(value):%-d %B %Y at %H:%M}"
    return str(value)


def for_display(data: dict) -> dict:
    """`personal_data` with every value readable, for the page."""
    return {
        section: {name: readable_value(value) for name, value in content.items()}
        if isinstance(content, dict)
        else [{name: readable_value(value) for name, value in item.items()} for item in content]
        for section, content in data.items()
    }


def readable(section: dict) -> list[tuple[str, str]]:
    """A section's fields as (label, text) pairs for the page."""
    return [
        (name.replace("_", " ").capitalize().replace("Dbs", "DBS").replace(" dbs ", " DBS "), readable_value(value))
        for name, value in section.items()
    ]
