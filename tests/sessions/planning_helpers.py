"""Builders shared by the planning tests."""

from datetime import time

from django.db import connection

from schools.factories import SchoolFactory
from sessions.factories import A_SCHOOL_DAY, AssignmentFactory, VisitFactory, VisitSessionFactory, VolunteerFactory
from sessions.models import SessionType

HTMX = {"HX-Request": "true"}
NAMES = [("Priya", "Patel"), ("Tom", "Jones"), ("Sam", "Okafor"), ("Lee", "Wong"), ("Ana", "Silva")]


def planned_visit(area, *, date=A_SCHOOL_DAY, volunteers: int = 0, **kwargs):
    """A visit in the area with one KS2 assembly and `volunteers` accepted volunteers."""
    school = kwargs.pop("school", None) or SchoolFactory(in_area=area)
    visit = VisitFactory(school=school, date=date, **kwargs)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"))
    for n in range(volunteers):
        # Plain names (a random one may hold an apostrophe, which the page shows escaped).
        first, last = NAMES[n % len(NAMES)]
        volunteer = VolunteerFactory(areas=[area], user__first_name=first, user__last_name=last)
        AssignmentFactory(visit=visit, volunteer=volunteer)
    return visit


def session_line_data(prefix: str = "sessions", *, session_type=None, starts_at="09:15", years=(3, 4), pupils=60,
                      total=1, initial=0) -> dict:
    session_type = session_type or SessionType.objects.get(slug="assembly-ks2")
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-session_type": str(session_type.pk),
        f"{prefix}-0-starts_at": starts_at,
        f"{prefix}-0-year_groups": [str(y) for y in years],
        f"{prefix}-0-pupils": str(pupils),
    }
    return data


def visit_data(school, *, date="2027-03-02", starts_at="09:00", ends_at="10:30", **lines) -> dict:
    return {"school": str(school.urn), "date": date, "starts_at": starts_at, "ends_at": ends_at, "notes": "",
            **session_line_data(**lines)}




def allow_double_booking() -> None:
    """Let this test's transaction hold a double booking, to see how it is reported.

    On PostgreSQL the exclusion constraint refuses one (which is the point); deferred, it is checked only
    at a commit or at the test's end, so delete the double booking before the test ends. SQLite has no
    such constraint.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS assignment_no_double_booking DEFERRED")
