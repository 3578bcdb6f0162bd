"""The visit's errors, stored: `Visit.error_codes`, `staffing_errors` and `other_errors` always hold what
`problems()` would say, so that the dashboard, the calendar and the admin choose and mark visits in SQL
instead of applying every rule to thousands of rows. Beside them, each school's last visit:
`School.last_visit_on` always holds the date of its latest delivered visit, for the due rule
(`School.objects.due`) and the lists of schools (`refresh_last_visits`, below).

They are worked out in one place, `refresh()`, from the same set-level rules the lists used before
(`Visit.signal_codes`, whose agreement with `problems()` is tested), and refreshed here, on the model
signals, whenever something a rule reads changes, in the same transaction as the change:

- a visit (its date, times, status, school) and its session lines and team;
- other visits of the same volunteers on the same day (double booking), before and after the change;
- a volunteer's clearance and activity, and their unavailable dates;
- a school's ages and nation, its closures, and its authority's term dates;
- a session type's ages and the volunteers it needs.

No rule depends on today's date, so nothing goes stale as days pass. Bulk writes skip model signals: the
schools and term-date imports send `schools_changed_in_bulk` (received here), the demo calls `refresh()`
once at its end, `migrate` works out visits that have none yet (`refresh_unworked`), and
`manage.py refresh_problems` recomputes every visit, e.g. after a change to the DBS settings.
tests/sessions/models/test_stored_problems.py checks, on random sequences of changes and on each kind of
change in turn, that the stored values always equal those worked out from scratch.

A school's last visit changes only with its visits (their status, date or school, or one deleted), and with a
save of the school itself, which would otherwise write back the value it was read with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache, wraps
from itertools import batched

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save, pre_save

from config.pausing import Pause
from config.prepared import ByKeys
from schools.models import School, SchoolClosure, TermDate, schools_changed_in_bulk
from sessions.models.people import Unavailability, Volunteer
from sessions.models.problems import STAFFING_CODES
from sessions.models.visits import Assignment, SessionType, Visit, VisitSession

CHUNK = 500
# `with paused():` for bulk writes (imports, the demo) that refresh what they touched once, at the end, themselves.
paused = Pause()


def _unless_paused(handler: Callable) -> Callable:
    @wraps(handler)
    def receiver(*args, **kwargs) -> None:
        if not paused.on:
            handler(*args, **kwargs)
    return receiver


def stored_values(codes: frozenset[str]) -> dict:
    """The columns for a visit whose errors are `codes`."""
    return {
        "error_codes": " ".join(sorted(codes)),
        "staffing_errors": bool(codes & STAFFING_CODES),
        "other_errors": bool(codes - STAFFING_CODES),
    }


@cache
def _with_signals() -> QuerySet:
    """`Visit.objects.with_signals()` built once: its nested subqueries take longer to build than a refresh of
    a few visits takes to run. Never evaluated itself; each use is a filtered copy."""
    return Visit.objects.with_signals().order_by()


# A change touches a few visits (the visit, its team's others that day): up to eight are read by SQL built once a
# process (config/prepared.py), which was nearly half of a refresh's time.
_signalled = ByKeys(lambda keys: _with_signals().filter(pk__in=keys), most=8)


def refresh(visits: Iterable[int] | Q) -> int:
    """Work out and store the errors of these visits (ids, or a condition on visits); returns how many.
    Only values that change are written."""
    ids = sorted(_ids(Visit.objects.filter(visits)) if isinstance(visits, Q) else set(visits))
    count = 0
    for chunk in batched(ids, CHUNK):
        by_codes: dict[frozenset[str], list[int]] = defaultdict(list)
        for visit in _signalled(chunk):
            count += 1
            codes = visit.signal_codes
            if visit.error_codes is None or visit.stored_error_codes != codes:
                by_codes[codes].append(visit.pk)
        for codes, pks in by_codes.items():
            Visit.objects.filter(pk__in=pks).update(**stored_values(codes))
    return count


def refresh_last_visits(schools: Iterable[int] | Q) -> int:
    """Store the date of each of these schools' latest delivered visit (ids, or a condition on schools)."""
    condition = schools if isinstance(schools, Q) else Q(pk__in=sorted(set(schools)))
    latest = (
        Visit.objects.filter(school=OuterRef("pk"), status=Visit.Status.DELIVERED)
        .order_by().values("school").annotate(last=Max("date")).values("last")
    )
    return School.objects.filter(condition).update(last_visit_on=Subquery(latest))


def refresh_unworked() -> int:
    """Visits whose errors were never worked out (added in bulk, or before the columns existed)."""
    return refresh(Q(error_codes__isnull=True))


# --- Which visits a change can touch. Each set is read with plain conditions (no OR across joins), so that
# the database finds it through its indexes however many visits there are.

def _ids(visits: QuerySet) -> set[int]:
    return set(visits.order_by().values_list("pk", flat=True))


def _same_day_as_team(visit_id: int, days: Iterable) -> set[int]:
    """The visit, and the visits of its team (anyone not declined) on those days: double bookings."""
    team = Assignment.objects.filter(visit=visit_id).exclude(status=Assignment.Status.DECLINED).values("volunteer")
    return {visit_id} | _ids(Visit.objects.filter(date__in=[d for d in days if d], assignments__volunteer__in=team))


def _volunteer_on_day(volunteer_id: int, visit_id: int) -> set[int]:
    """A volunteer's other visits on a visit's day (the visit row may be gone, when it is being deleted)."""
    day = Visit.objects.filter(pk=visit_id).values("date")
    return {visit_id} | _ids(Visit.objects.filter(date__in=day, assignments__volunteer=volunteer_id))


def _before(sender, instance, raw=False, **kwargs) -> None:
    """Keep the row as it was, for the rows a change moves away from (old date, old volunteer…)."""
    instance._row_before = None
    if instance.pk and not raw:
        instance._row_before = sender._base_manager.filter(pk=instance.pk).first()


def _rows(instance) -> list:
    before = getattr(instance, "_row_before", None)
    return [instance] if before is None else [instance, before]


# What of a visit the rules read (its lines, team and school aside).
VISIT_FIELDS = {"date", "starts_at", "ends_at", "status", "school"}


def _visit_saved(sender, instance: Visit, raw=False, created=False, update_fields=None, **kwargs) -> None:
    """Every full save refreshes, even when nothing the rules read changed: an instance read before a refresh
    writes back the stored values it was read with, and this puts them right."""
    if raw or (update_fields is not None and not VISIT_FIELDS & set(update_fields)):
        return
    if created:  # nobody is on it yet
        refresh([instance.pk])
    else:
        refresh(_same_day_as_team(instance.pk, {row.date for row in _rows(instance)}))
    refresh_last_visits({row.school_id for row in _rows(instance)})


def _visit_deleted(sender, instance: Visit, **kwargs) -> None:
    refresh_last_visits([instance.school_id])


def _line_changed(sender, instance: VisitSession, raw=False, **kwargs) -> None:
    if not raw:
        refresh({row.visit_id for row in _rows(instance)})


def _assignment_changed(sender, instance: Assignment, raw=False, **kwargs) -> None:
    if not raw:
        refresh(set().union(*(_volunteer_on_day(row.volunteer_id, row.visit_id) for row in _rows(instance))))


# What of a volunteer `clearance_issues` reads.
VOLUNTEER_FIELDS = ("active", "dbs_checked_on", "dbs_level", "dbs_update_service", "dbs_status_checked_on",
                    "training_on")


def _volunteer_saved(sender, instance: Volunteer, raw=False, created=False, **kwargs) -> None:
    if not raw and not created and _changed(instance, VOLUNTEER_FIELDS):
        refresh(_ids(Visit.objects.filter(assignments__volunteer=instance.pk)))


def _unavailability_changed(sender, instance: Unavailability, raw=False, **kwargs) -> None:
    if not raw:
        refresh(set().union(*(_ids(Visit.objects.filter(assignments__volunteer=row.volunteer_id,
                                                         date__range=(row.starts_on, row.ends_on)))
                              for row in _rows(instance))))


def _term_date_changed(sender, instance: TermDate, raw=False, **kwargs) -> None:
    if not raw:
        refresh(set().union(*(_ids(Visit.objects.filter(school__local_authority=row.local_authority_id,
                                                         date__range=(row.starts_on, row.ends_on)))
                              for row in _rows(instance))))


def _closure_changed(sender, instance: SchoolClosure, raw=False, **kwargs) -> None:
    if not raw:
        refresh(set().union(*(_ids(Visit.objects.filter(school=row.school_id, date__range=(row.starts_on, row.ends_on)))
                              for row in _rows(instance))))


# What of a school or a session type the rules read: a change elsewhere (a name, a phone) refreshes nothing.
SCHOOL_FIELDS = ("low_age", "high_age", "nation", "local_authority_id")
SESSION_TYPE_FIELDS = ("min_age", "max_age", "volunteers_needed")


def _changed(instance, fields: tuple[str, ...]) -> bool:
    before = getattr(instance, "_row_before", None)
    return before is not None and any(getattr(before, f) != getattr(instance, f) for f in fields)


def _school_saved(sender, instance: School, raw=False, **kwargs) -> None:
    if raw:
        return
    if _changed(instance, SCHOOL_FIELDS):
        refresh(_ids(Visit.objects.filter(school=instance.pk)))
    refresh_last_visits([instance.pk])


def _session_type_saved(sender, instance: SessionType, raw=False, **kwargs) -> None:
    if not raw and _changed(instance, SESSION_TYPE_FIELDS):
        refresh(_ids(Visit.objects.filter(sessions__session_type=instance.pk)))


def _schools_changed_in_bulk(sender, schools: Q, between: tuple | None = None, **kwargs) -> None:
    condition = Q(school__in=School.objects.filter(schools).values("pk"))
    refresh(condition & Q(date__range=between) if between else condition)


def connect() -> None:
    schools_changed_in_bulk.connect(_schools_changed_in_bulk, dispatch_uid="problems-schools-in-bulk")
    watched = {
        Visit: (_visit_saved, _visit_deleted),
        VisitSession: (_line_changed, _line_changed),
        Assignment: (_assignment_changed, _assignment_changed),
        Volunteer: (_volunteer_saved, None),
        Unavailability: (_unavailability_changed, _unavailability_changed),
        TermDate: (_term_date_changed, _term_date_changed),
        SchoolClosure: (_closure_changed, _closure_changed),
        School: (_school_saved, None),
        SessionType: (_session_type_saved, None),
    }
    for model, (saved, deleted) in watched.items():
        name = model.__name__
        pre_save.connect(_unless_paused(_before), sender=model, dispatch_uid=f"problems-{name}-before", weak=False)
        post_save.connect(_unless_paused(saved), sender=model, dispatch_uid=f"problems-{name}-saved", weak=False)
        if deleted:
            post_delete.connect(_unless_paused(deleted), sender=model, dispatch_uid=f"problems-{name}-deleted",
                                weak=False)
