"""The data migration to per-year-group attendance: reports filed as one number per session keep those
numbers as the sessions' totals, shared across their year groups by the plan, and the visit's children
reached is recounted once per child."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

APP = "school_sessions"
BEFORE = (APP, "0012_request_form_details_and_school_notes")
AFTER = (APP, "0013_report_attendance_and_teacher_feedback")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_old_session_totals_become_attendance_per_year_group_and_the_reach_is_recounted(thames_valley):
    from schools.factories import SchoolFactory  # noqa: PLC0415

    school = SchoolFactory(in_area=thames_valley, pupils=150)
    old = migrate(BEFORE)
    try:
        Visit = old.get_model(APP, "Visit")
        VisitSession = old.get_model(APP, "VisitSession")
        VisitReport = old.get_model(APP, "VisitReport")
        SessionType = old.get_model(APP, "SessionType")
        visit = Visit.objects.create(school_id=school.pk, date="2026-03-03", status="delivered",
                                     pupils_by_year={"5": 30, "6": 30})
        ks2 = SessionType.objects.get(slug="assembly-ks2")
        workshop = SessionType.objects.get(slug="workshop-years-5-6")
        VisitSession.objects.create(visit=visit, session_type=ks2, starts_at="09:00", year_groups=[3, 4, 5, 6],
                                    pupils=120, children_reached=116)
        VisitSession.objects.create(visit=visit, session_type=workshop, starts_at="10:00", year_groups=[5, 6],
                                    pupils=60, children_reached=58)
        VisitReport.objects.create(visit=visit, children_reached=174, sessions_delivered=2)

        new = migrate(AFTER)
        lines = list(new.get_model(APP, "VisitSession").objects.filter(visit_id=visit.pk).order_by("starts_at"))
        report = new.get_model(APP, "VisitReport").objects.get(visit_id=visit.pk)
        # Each session's number stays its total, shared across its year groups.
        assert [sum(line.attendance.values()) for line in lines] == [116, 58]
        assert [line.children_reached for line in lines] == [116, 58]
        assert lines[1].attendance == {"5": 29, "6": 29}
        # The workshop's Years 5 and 6 were at the assembly too: counted once.
        assert report.children_reached == 116

        back = migrate(BEFORE)
        assert back.get_model(APP, "VisitReport").objects.get(visit_id=visit.pk).children_reached == 174
    finally:
        migrate(("school_sessions", max_migration()))


def max_migration() -> str:
    executor = MigrationExecutor(connection)
    return max(name for app, name in executor.loader.graph.leaf_nodes() if app == APP)
