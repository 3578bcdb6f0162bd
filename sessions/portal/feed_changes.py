"""Which cached calendar feeds a change makes stale.

A coordinator's feed holds every visit of their areas for a year back and all ahead (thousands of events
for a busy coordinator), so it is built once and cached under its areas' change counts
(`Area.calendar_changes`, see `feeds.coordinator_feed_key`). Everything such a feed shows counts a change
in the areas it touches here, on the model signals, so every path that changes it is covered: a visit
(its school's area, before and after a move to another school), its sessions, its team, a school's name
and address, a session type's name, a volunteer's or coordinator's name and contact details. The count
is an UPDATE in the same transaction as the change, so the new count is seen exactly when the new data is.

The area's statistics page caches its coverage and map under the same counts, so a visit's report (the
children reached) counts a change too.

Bulk writes skip signals: the schools import counts a change for every area itself.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save

from schools.models import School
from sessions.models import Assignment, Coordinator, SessionType, Visit, VisitReport, VisitSession, Volunteer
from sessions.models.people import user_save_shows_a_change
from stats.models import Area


def _areas_where(condition: Q) -> None:
    # Through a subquery of the areas' ids: an UPDATE cannot join, and the join may repeat an area.
    Area.objects.filter(pk__in=Area.objects.filter(condition).values("pk")).calendars_changed()


def visit_changed(visit_id: int) -> None:
    _areas_where(Q(local_authorities__schools__visits=visit_id))


def school_changed(school_id: int) -> None:
    _areas_where(Q(local_authorities__schools=school_id))


def _visit_saving(sender, instance: Visit, raw=False, **kwargs) -> None:
    if instance.pk and not raw:  # the area it is leaving, when it moves to another school
        visit_changed(instance.pk)


def _visit_saved(sender, instance: Visit, raw=False, **kwargs) -> None:
    if not raw:
        school_changed(instance.school_id)


def _visit_deleted(sender, instance: Visit, **kwargs) -> None:
    school_changed(instance.school_id)


def _part_changed(sender, instance: VisitSession | Assignment | VisitReport, raw=False, **kwargs) -> None:
    if not raw:
        visit_changed(instance.visit_id)


def _school_saving(sender, instance: School, raw=False, **kwargs) -> None:
    if instance.pk and not raw:  # the area it is leaving, when it moves to another local authority
        school_changed(instance.pk)


def _school_saved(sender, instance: School, raw=False, **kwargs) -> None:
    if not raw:
        school_changed(instance.pk)


def _session_type_saved(sender, instance: SessionType, raw=False, **kwargs) -> None:
    if not raw:
        _areas_where(Q(local_authorities__schools__visits__sessions__session_type=instance.pk))


def person_changed(user_id: int) -> None:
    """A person's name or contact details: the areas of the visits they are on or coordinate."""
    _areas_where(Q(local_authorities__schools__visits__assignments__volunteer__user=user_id)
                 | Q(local_authorities__schools__visits__coordinator=user_id))


def _user_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs) -> None:
    if not user_save_shows_a_change(raw=raw, created=created, update_fields=update_fields):
        return
    person_changed(instance.pk)


def _profile_saved(sender, instance: Volunteer | Coordinator, raw=False, created=False, **kwargs) -> None:
    if not raw and not created:
        person_changed(instance.user_id)


def connect() -> None:
    pre_save.connect(_visit_saving, sender=Visit, dispatch_uid="feeds-visit-saving")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="feeds-visit-saved")
    post_delete.connect(_visit_deleted, sender=Visit, dispatch_uid="feeds-visit-deleted")
    for model in (VisitSession, Assignment, VisitReport):
        post_save.connect(_part_changed, sender=model, dispatch_uid=f"feeds-{model.__name__}-saved")
        post_delete.connect(_part_changed, sender=model, dispatch_uid=f"feeds-{model.__name__}-deleted")
    pre_save.connect(_school_saving, sender=School, dispatch_uid="feeds-school-saving")
    post_save.connect(_school_saved, sender=School, dispatch_uid="feeds-school-saved")
    post_save.connect(_session_type_saved, sender=SessionType, dispatch_uid="feeds-session-type-saved")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="feeds-user-saved")
    for model in (Volunteer, Coordinator):
        post_save.connect(_profile_saved, sender=model, dispatch_uid=f"feeds-{model.__name__}-saved")
