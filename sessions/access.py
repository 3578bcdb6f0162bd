"""Who may plan or see what: the one answer, asked by every view, the navigation and the exports.

- **Staff** plan and see everything.
- **A coordinator** plans for their police force areas: those areas' schools, visits, volunteers,
  reach, statistics and pack batches. A coordinator who also volunteers does not plan the visits
  they only volunteer on.
- **A volunteer** sees the visits they are on, and downloads the pack of a visit only while invited
  or accepted (a declined volunteer may not).
- Anyone else sees none of it: the views answer 404, as if the page were not there.

Every user-scoped query starts from these functions, so a view cannot forget the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from config.prepared import Key, Prepared
from schools.models import School
from sessions.models import Assignment, Coordinator, PackBatch, Visit, Volunteer
from stats.models import Area, LocalAuthority


def is_staff(user) -> bool:
    return user.is_authenticated and user.is_staff


def is_coordinator(user) -> bool:
    return user.is_authenticated and hasattr(user, "coordinator")


def is_volunteer(user) -> bool:
    return user.is_authenticated and hasattr(user, "volunteer")


def is_planner(user) -> bool:
    """May plan visits (and see reach and statistics): staff and coordinators."""
    return is_staff(user) or is_coordinator(user)


def roles(request: HttpRequest) -> dict:
    """Which parts of the site the user may reach, for the navigation (a template context processor).
    Each is worked out when a template first asks, so a fragment that shows no navigation asks nothing."""
    user = getattr(request, "user", None)
    if user is None:
        return {"is_coordinator": False, "is_volunteer": False, "is_staff_user": False, "is_planner": False}
    return {
        "is_coordinator": SimpleLazyObject(lambda: is_coordinator(user)),
        "is_volunteer": SimpleLazyObject(lambda: is_volunteer(user)),
        "is_staff_user": SimpleLazyObject(lambda: is_staff(user)),
        "is_planner": SimpleLazyObject(lambda: is_planner(user)),
    }


def planner_required(view: Callable) -> Callable:
    """Coordinators and staff only; anyone else signed in gets a 404, as if the page were not there."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_planner(request.user):
            raise Http404("Not a planning user")
        return view(request, *args, **kwargs)

    return wrapper


def volunteer_of(user) -> Volunteer:
    """The user's Volunteer record; no record, no portal (404)."""
    if not is_volunteer(user):
        raise Http404("You are not registered as a volunteer.")
    return user.volunteer


def coordinator_of(user) -> Coordinator | None:
    return user.coordinator if is_coordinator(user) else None


# --- Planning: staff everything, coordinators their areas

def planning_areas(user) -> QuerySet[Area]:
    """The police force areas the user plans for: staff every one, a coordinator theirs, others none."""
    if is_staff(user):
        return Area.objects.police_forces()
    if is_coordinator(user):
        return user.coordinator.areas.all()
    return Area.objects.none()


def planning_schools(user) -> QuerySet[School]:
    return School.objects.all() if is_staff(user) else School.objects.in_areas(planning_areas(user))


def planning_visits(user) -> QuerySet[Visit]:
    """Visits the user may plan: staff all, a coordinator their areas' (not those they only volunteer on).

    On PostgreSQL a coordinator's areas are read first as their local authorities and the visits found by
    that list: given the areas as a subquery, PostgreSQL guessed a few hundred schools and probed each of
    the thousands there are for a range of dates, rather than reading the range by date (the dashboard's
    lists: 18 ms against 8). SQLite, given the list, does the reverse and is slower, so it keeps the
    subquery. Both are the same rule (`Visit.objects.in_areas`); the suite runs on both databases."""
    if is_staff(user):
        return Visit.objects.all()
    areas = planning_areas(user)
    if connection.vendor != "postgresql":
        return Visit.objects.in_areas(areas)
    authorities = LocalAuthority.objects.filter(police_force__in=areas).values_list("pk", flat=True)
    return Visit.objects.filter(school__local_authority__in=list(authorities))


# The visit a planner opens, with what its pages show of the school and coordinator: every fragment of the
# visit page and every live problems check asks for it, so its SQL is built once a process (config/prepared.py).
_SHOWN_WITH_THE_VISIT = ("school__local_authority__police_force", "coordinator")
_ANY_VISIT = Prepared(
    lambda: Visit.objects.filter(pk=Key("visit")).select_related(*_SHOWN_WITH_THE_VISIT)
)
_COORDINATORS_VISIT = Prepared(lambda: Visit.objects.in_areas(
    Area.objects.filter(coordinators=Key("coordinator"))
).filter(pk=Key("visit")).select_related(*_SHOWN_WITH_THE_VISIT))


def planning_visit(user, pk: int) -> Visit | None:
    """The one visit `pk` with its school, if the user may plan it (None otherwise): by its key the areas are
    asked as a subquery, which costs a lookup by key nothing, where `planning_visits`' list of authorities is a
    query of its own. The same rule (`Visit.objects.in_areas` of `planning_areas`)."""
    if is_staff(user):
        found = _ANY_VISIT(visit=pk)
    elif is_coordinator(user):
        found = _COORDINATORS_VISIT(visit=pk, coordinator=user.coordinator.pk)
    else:
        return None
    return found[0] if found else None


def planning_volunteers(user, also_area: Area | None = None) -> QuerySet[Volunteer]:
    """Volunteers covering the user's areas (staff: every volunteer), and those covering `also_area`."""
    if is_staff(user):
        return Volunteer.objects.all()
    areas = Q(area__in=planning_areas(user))
    if also_area is not None:
        areas |= Q(area=also_area)
    return Volunteer.objects.filter(pk__in=Volunteer.areas.through.objects.filter(areas).values("volunteer_id"))


# --- Seeing visits and their packs

def _visits(user, *, booked: Q) -> QuerySet[Visit]:
    if is_staff(user):
        return Visit.objects.all()
    match = Q(pk__in=[])
    if is_coordinator(user):
        match |= Q(school__local_authority__police_force__in=planning_areas(user))
    if is_volunteer(user):
        match |= Q(pk__in=Assignment.objects.filter(booked, volunteer=user.volunteer).values("visit_id"))
    return Visit.objects.filter(match)


def visible_visits(user) -> QuerySet[Visit]:
    """Visits the user may see: staff all; coordinators their areas'; volunteers those they are on."""
    return _visits(user, booked=Q())


def pack_visits(user) -> QuerySet[Visit]:
    """Visits whose session pack the user may download: as `visible_visits`, except that a volunteer
    who declined a visit may no longer download its pack."""
    return _visits(user, booked=~Q(status=Assignment.Status.DECLINED))


def pack_batches(user) -> QuerySet[PackBatch]:
    """Batches of packs the user may follow and download: staff all, anyone else their own."""
    batches = PackBatch.objects.all()
    return batches if is_staff(user) else batches.filter(requested_by=user)
