"""The user groups and what each may do in the admin. `load_reference_data` calls `ensure_groups`.

Data entry staff (is_staff, not superusers) keep schools, volunteers, visits and figures up to date.
They may look up the geography but not change it, and delete only what is safe to delete: a
mistyped contact, absence, session line, booking or figure. Schools, volunteers and visits are never
deleted here (visits are cancelled, volunteers made inactive); the status history is read-only.
Coordinators and volunteers work in the app's own pages, so their groups carry no admin permissions.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from sessions.models import COORDINATORS_GROUP, DATA_ENTRY_GROUP, VOLUNTEERS_GROUP

VIEW = ("view",)
EDIT = ("view", "add", "change")
EDIT_DELETE = ("view", "add", "change", "delete")

# (app label, model name) → the actions allowed on it.
DATA_ENTRY_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("stats", "area"): VIEW,
    ("stats", "localauthority"): VIEW,
    ("stats", "source"): EDIT,
    ("stats", "indicator"): EDIT,
    ("stats", "figure"): EDIT_DELETE,
    ("schools", "school"): EDIT,
    ("schools", "schoolcontact"): EDIT_DELETE,
    # A school's own closures and INSET days (beyond its authority's term dates): entered from its letters.
    ("schools", "schoolclosure"): EDIT_DELETE,
    ("school_sessions", "sessiontype"): VIEW,
    ("school_sessions", "coordinator"): VIEW,
    ("school_sessions", "volunteer"): EDIT,
    ("school_sessions", "unavailability"): EDIT_DELETE,
    ("school_sessions", "visit"): EDIT,
    ("school_sessions", "statuschange"): VIEW,
    ("school_sessions", "visitsession"): EDIT_DELETE,
    ("school_sessions", "assignment"): EDIT_DELETE,
    ("school_sessions", "visitreport"): EDIT,
    # What a school added by asking again: read, or deleted when sent by mistake; never rewritten.
    ("school_sessions", "visitnote"): ("view", "delete"),
    # The schools' own words: read, never changed on their behalf.
    ("school_sessions", "teacherfeedback"): VIEW,
}


def data_entry_permissions() -> list[Permission]:
    wanted = {
        (app_label, f"{action}_{model}")
        for (app_label, model), actions in DATA_ENTRY_PERMISSIONS.items()
        for action in actions
    }
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
        ).select_related("content_type")
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        names = ", ".join(sorted(f"{app}.{code}" for app, code in missing))
        raise RuntimeError(f"These permissions do not exist yet (run migrate first): {names}")
    return found


def ensure_groups() -> dict[str, int]:
    """Create the groups if missing and set the Data entry group's permissions to exactly the list
    above (a permission added by hand is taken away again: the list here is the record). Safe to run
    again."""
    with transaction.atomic():
        Group.objects.get_or_create(name=COORDINATORS_GROUP)
        Group.objects.get_or_create(name=VOLUNTEERS_GROUP)
        data_entry, _ = Group.objects.get_or_create(name=DATA_ENTRY_GROUP)
        data_entry.permissions.set(data_entry_permissions())
    return {"user groups": 3}
