"""Session packs built before anyone asks for them.

A pack takes WeasyPrint about a second; a volunteer opening it on the morning of a visit should not wait.
So every change to what a pack shows queues its rebuild in the task worker, once the change has committed:
a visit (its date, times, status, what the school confirmed), its sessions and team, the school and its
contacts, the local authority's children's services numbers, a volunteer's or coordinator's name and phone.
A change to what every pack shows (the editable content, a session type, an import of figures) queues the
rebuild of every upcoming pack, which the worker splits into tasks of a few visits that every worker shares.
Only visits that are proposed or confirmed and still to come are built; the worker skips a pack that is
already stored for its current inputs (`pdf.pack_for`), so queueing the same visit twice costs a look-up,
not a render.

`PACKS_BUILT_AHEAD` (on by default) turns this off: the test suite does, except where it tests it, so
that saving a visit in a test does not render a PDF. Setting up (`seed_demo`, `load_reference_data`)
queues nothing while it writes (`paused()`); the reference loader then queues one rebuild of every
upcoming pack if it changed what packs show.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from config.pausing import Pause
from schools.models import School, SchoolContact
from sessions.models import Assignment, Coordinator, PackContent, SessionType, Visit, VisitSession, Volunteer
from sessions.models.people import user_save_shows_a_change
from stats.models import Figure, LocalAuthority, Source, figures_changed

# `with paused():` queues nothing while setting up (the demo, the reference data): no worker need be running yet.
paused = Pause()
# Visits a task when every upcoming pack is rebuilt: about ten seconds of a worker's time each. Those tasks come
# after any other in the queue (a visit just changed, a coordinator's batch): the workers take the highest
# priority first.
SHARE = 20
REBUILD_PRIORITY = -10


def _on() -> bool:
    return settings.PACKS_BUILT_AHEAD and not paused.on


def shared_content_fingerprint() -> str:
    """What every pack shows from the shipped reference data: the editable content, the session types and
    the figures with their sources."""
    rows = [list(model.objects.order_by("pk").values_list()) for model in (PackContent, SessionType, Figure, Source)]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def upcoming() -> QuerySet[Visit]:
    """The visits whose packs are kept built: proposed or confirmed, today or later."""
    return Visit.objects.filter(status__in=(Visit.Status.PROPOSED, Visit.Status.CONFIRMED),
                                date__gte=timezone.localdate())


def build_later(visit_ids: Iterable[int]) -> None:
    """Queue the packs of these visits (those still upcoming) once the current transaction commits."""
    if not _on():
        return
    from sessions.packs.tasks import build_packs  # noqa: PLC0415 — tasks import the pack renderer

    ids = sorted(set(visit_ids))
    if ids:
        transaction.on_commit(lambda: build_packs.enqueue(ids))


def build_all_later() -> None:
    """Queue every upcoming pack (content or figures that every pack shows changed), when there is one."""
    if not _on() or not upcoming().exists():
        return
    from sessions.packs.tasks import build_upcoming_packs  # noqa: PLC0415

    transaction.on_commit(lambda: build_upcoming_packs.enqueue())


def build(visit_ids: Iterable[int]) -> int:
    """Build (or find built) the packs and handouts of those visits that are upcoming; returns how many
    visits were looked at. Run by the task worker."""
    from sessions.packs.pdf import pack_and_handouts_for  # noqa: PLC0415 — WeasyPrint is loaded only here

    count = 0
    for visit_id in upcoming().filter(pk__in=list(visit_ids)).order_by("date", "pk").values_list("pk", flat=True):
        pack_and_handouts_for(visit_id)
        count += 1
    return count


def queue_upcoming() -> int:
    """Queue the rebuild of every upcoming pack in tasks of SHARE visits, the soonest first, so that every task
    worker takes a share (one task for them all would keep one worker busy for hours and the others idle),
    behind the packs of visits that change meanwhile; returns how many visits. Run by the task worker."""
    from sessions.packs.tasks import build_packs  # noqa: PLC0415

    ids = list(upcoming().order_by("date", "starts_at", "pk").values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(ids), SHARE):
            build_packs.using(priority=REBUILD_PRIORITY).enqueue(ids[start:start + SHARE])
    return len(ids)


# --- What changed → which visits


def _upcoming_of(**where) -> list[int]:
    return list(upcoming().filter(**where).values_list("pk", flat=True))


def _visit_saved(sender, instance: Visit, raw=False, **kwargs) -> None:
    if not raw:
        build_later([instance.pk])


def _part_changed(sender, instance: VisitSession | Assignment, raw=False, **kwargs) -> None:
    if not raw:
        build_later([instance.visit_id])


def _school_changed(sender, instance: School, raw=False, **kwargs) -> None:
    if not raw and _on():
        build_later(_upcoming_of(school=instance.pk))


def _contact_changed(sender, instance: SchoolContact, raw=False, **kwargs) -> None:
    if not raw and _on():
        build_later(_upcoming_of(school=instance.school_id))


def _authority_changed(sender, instance: LocalAuthority, raw=False, **kwargs) -> None:
    if not raw and _on():
        build_later(_upcoming_of(school__local_authority=instance.pk))


def _person_changed(user_id: int) -> None:
    if _on():
        build_later(_upcoming_of(assignments__volunteer__user=user_id) + _upcoming_of(coordinator=user_id))


def _user_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs) -> None:
    if not user_save_shows_a_change(raw=raw, created=created, update_fields=update_fields):
        return
    _person_changed(instance.pk)


def _profile_saved(sender, instance: Volunteer | Coordinator, raw=False, created=False, **kwargs) -> None:
    if not raw and not created:
        _person_changed(instance.user_id)


def _everything_changed(sender, raw=False, **kwargs) -> None:
    if not raw:
        build_all_later()


def connect() -> None:
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="packs-ahead-visit")
    for model in (VisitSession, Assignment):
        post_save.connect(_part_changed, sender=model, dispatch_uid=f"packs-ahead-{model.__name__}-saved")
        post_delete.connect(_part_changed, sender=model, dispatch_uid=f"packs-ahead-{model.__name__}-deleted")
    post_save.connect(_school_changed, sender=School, dispatch_uid="packs-ahead-school")
    for signal in (post_save, post_delete):
        signal.connect(_contact_changed, sender=SchoolContact, dispatch_uid=f"packs-ahead-contact-{id(signal)}")
    post_save.connect(_authority_changed, sender=LocalAuthority, dispatch_uid="packs-ahead-authority")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="packs-ahead-user")
    for model in (Volunteer, Coordinator):
        post_save.connect(_profile_saved, sender=model, dispatch_uid=f"packs-ahead-{model.__name__}")
    for model in (PackContent, SessionType):
        post_save.connect(_everything_changed, sender=model, dispatch_uid=f"packs-ahead-{model.__name__}")
    figures_changed.connect(_everything_changed, dispatch_uid="packs-ahead-figures")
