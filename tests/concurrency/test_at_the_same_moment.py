"""Twenty coordinators, each in their own process, act at the same moment through the whole stack.

Booking one volunteer for twenty overlapping visits: exactly one booking, nineteen clean refusals, no
server error — on SQLite (IMMEDIATE transactions queue the writers) and on PostgreSQL (the volunteer's
row lock, and the exclusion constraint behind it). Twenty conflicting changes to one visit (confirm,
cancel, move), all made from the same version of it: exactly one lands, the others are told the visit
changed meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import time as clock
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from sessions.factories import AssignmentFactory, CoordinatorFactory, UserFactory, VolunteerFactory
from sessions.models import CoverRequest, Visit
from stats.models import Area

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = Path(__file__).with_name("worker.py")
PROCESSES = 20
TIMEOUT = 180  # seconds for all of them together; a hang fails the test instead of blocking the run


def run_at_once(tmp_path: Path, requests: list[tuple[int, str, dict]]) -> list[dict]:
    """One process per (user id, url, data); when all are signed in and waiting, let them go at once."""
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory: give the workers a file copy of it.
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        # In WAL mode already, as a deployed database is from its first connection. Otherwise the processes
        # opening the copy at once each switch it to WAL (settings' init_command), and about a third of runs
        # failed with "database is locked".
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        database = {"NAME": str(path)}
    else:
        database = {"NAME": connection.settings_dict["NAME"]}
    env = {**os.environ, "DATABASE_SETTINGS": json.dumps(database), "SECURE_SSL_REDIRECT": "false",
           "SECURE_COOKIES": "false", "DEBUG": "false", "LOG_LEVEL": "ERROR", "REQUEST_LOG_LEVEL": "ERROR",
           "STATIC_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage", "CACHE_BACKEND": "locmem"}
    start = tmp_path / "start"
    readies = [tmp_path / f"ready-{n}" for n in range(len(requests))]
    # One process sets Django up and forks one process per request (tests/concurrency/worker.py).
    workers = subprocess.Popen([sys.executable, str(WORKER), str(start), str(tmp_path), json.dumps(requests)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    try:
        while not all(ready.exists() for ready in readies):
            assert workers.poll() is None, workers.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the workers did not all start"
            time.sleep(0.05)
        start.touch()
        out, err = workers.communicate(timeout=max(1, deadline - time.monotonic()))
        assert workers.returncode == 0, err[-2000:]
        results = json.loads(out.strip().splitlines()[-1])
    finally:
        workers.kill()
    if connection.vendor == "sqlite":
        results.append({"database": str(database["NAME"])})
    return results


def shared_count(results: list[dict], sql: str, params: tuple) -> int:
    """Count rows in the database the workers used."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(results[-1]["database"]) as db:
            return db.execute(sql, params).fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("?", "%s"), params)
        return cursor.fetchone()[0]


def responses(results: list[dict]) -> list[dict]:
    return [r for r in results if "status" in r]


@pytest.fixture
def area():
    call_command("load_reference_data", verbosity=0)
    return Area.objects.get(code="E23000029")


def test_twenty_coordinators_booking_one_volunteer_for_overlapping_visits_make_exactly_one_booking(tmp_path, area, planned_visit):
    volunteer = VolunteerFactory(areas=[area], user__first_name="Priya", user__last_name="Patel")
    visits = [planned_visit(area, starts_at=clock(9, n), ends_at=clock(10, 30 + n)) for n in range(PROCESSES)]
    coordinators = [CoordinatorFactory(areas=[area]) for _ in visits]

    results = run_at_once(tmp_path, [
        (c.user_id, f"/visits/{v.pk}/assign/", {"volunteer": volunteer.pk, "role": "lead"})
        for c, v in zip(coordinators, visits)
    ])

    got = responses(results)
    assert [r for r in got if r["status"] != 200] == []
    booked = [r for r in got if "Priya Patel is invited as lead." in r["body"]]
    refused = [r for r in got if "Priya Patel is already at" in r["body"] or "a moment ago" in r["body"]]
    assert (len(booked), len(refused)) == (1, PROCESSES - 1)
    sql = "SELECT COUNT(*) FROM school_sessions_assignment WHERE volunteer_id = ?"
    assert shared_count(results, sql, (volunteer.pk,)) == 1


def test_twenty_conflicting_changes_to_one_visit_from_the_same_version_let_exactly_one_through(tmp_path, area, planned_visit, visit_data):
    visit = planned_visit(area, status=Visit.Status.PROPOSED)
    for role in ("lead", "support"):
        AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[area]), status="accepted", role=role)
    visit.refresh_from_db()
    seen = visit.version
    coordinators = [CoordinatorFactory(areas=[area]) for _ in range(PROCESSES)]
    requests = []
    for n, coordinator in enumerate(coordinators):
        if n % 3 == 0:
            requests.append((coordinator.user_id, f"/visits/{visit.pk}/status/", {"to": "confirmed", "version": seen}))
        elif n % 3 == 1:
            requests.append((coordinator.user_id, f"/visits/{visit.pk}/status/",
                             {"to": "cancelled", "reason": f"Snow ({n})", "version": seen}))
        else:
            day = f"2027-03-{2 + 7 * (n % 4):02d}"
            requests.append((coordinator.user_id, f"/visits/{visit.pk}/edit/",
                             {**visit_data(visit.school, date=day), "version": seen}))

    results = run_at_once(tmp_path, requests)

    got = responses(results)
    assert [r for r in got if r["status"] not in (200, 302)] == []
    landed = [r for r in got if r["status"] == 302 or "The visit is now" in r["body"]]
    told = [r for r in got if Visit.CHANGED_MEANWHILE in r["body"]]
    unexplained = [re.findall(r"role=\"alert\">(.*?)</", r["body"], re.S) or r["body"][:300] for r in got
                   if r not in told and r not in landed]
    assert (len(landed), len(told)) == (1, PROCESSES - 1), unexplained
    sql = "SELECT version FROM school_sessions_visit WHERE id = ?"
    assert shared_count(results, sql, (visit.pk,)) == seen + 1


def test_bookings_through_the_admin_and_the_staffing_page_at_once_still_make_exactly_one(tmp_path, area, planned_visit):
    volunteer = VolunteerFactory(areas=[area], user__first_name="Priya", user__last_name="Patel")
    visits = [planned_visit(area, starts_at=clock(9, n), ends_at=clock(10, 30 + n)) for n in range(PROCESSES)]
    staff = UserFactory(is_staff=True, is_superuser=True)
    coordinator = CoordinatorFactory(areas=[area])
    requests = []
    for n, visit in enumerate(visits):
        if n % 2:
            requests.append((staff.pk, "/admin/school_sessions/assignment/add/",
                             {"visit": visit.pk, "volunteer": volunteer.pk, "role": "lead", "status": "invited"}))
        else:
            requests.append((coordinator.user_id, f"/visits/{visit.pk}/assign/",
                             {"volunteer": volunteer.pk, "role": "lead"}))

    results = run_at_once(tmp_path, requests)

    got = responses(results)
    assert [r for r in got if r["status"] not in (200, 302)] == []
    booked = [r for r in got if r["status"] == 302 or "Priya Patel is invited as lead." in r["body"]]
    refused = [r for r in got if "Priya Patel is already at" in r["body"] or "a moment ago" in r["body"]]
    assert (len(booked), len(refused)) == (1, PROCESSES - 1)
    sql = "SELECT COUNT(*) FROM school_sessions_assignment WHERE volunteer_id = ?"
    assert shared_count(results, sql, (volunteer.pk,)) == 1


def test_twenty_volunteers_answering_cover_links_at_the_same_moment_book_exactly_one(tmp_path, area, planned_visit):
    visit = planned_visit(area)
    AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[area]), role="support")  # the lead dropped out
    asked = [CoverRequest.objects.create(visit=visit, volunteer=VolunteerFactory(areas=[area])) for _ in range(PROCESSES)]

    results = run_at_once(tmp_path, [(a.volunteer.user_id, f"/cover/{a.token}/", {}) for a in asked])

    got = responses(results)
    assert [r for r in got if r["status"] != 200] == []
    booked = [r for r in got if "You are booked as the lead" in r["body"]]
    covered = [r for r in got if "Already covered — thank you." in r["body"]]
    assert (len(booked), len(covered)) == (1, PROCESSES - 1)
    sql = "SELECT COUNT(*) FROM school_sessions_assignment WHERE visit_id = ? AND role = 'lead'"
    assert shared_count(results, sql, (visit.pk,)) == 1
    sql = "SELECT COUNT(*) FROM school_sessions_coverrequest WHERE visit_id = ? AND outcome = ''"
    assert shared_count(results, sql, (visit.pk,)) == 0


def test_one_volunteer_clicking_their_cover_link_twice_at_once_is_booked_once(tmp_path, area, planned_visit):
    visit = planned_visit(area)
    AssignmentFactory(visit=visit, volunteer=VolunteerFactory(areas=[area]), role="lead")
    asked = CoverRequest.objects.create(visit=visit, volunteer=VolunteerFactory(areas=[area]))

    results = run_at_once(tmp_path, [(asked.volunteer.user_id, f"/cover/{asked.token}/", {})] * 2)

    got = responses(results)
    assert [r["status"] for r in got] == [200, 200]
    assert all("You are booked" in r["body"] for r in got)
    sql = "SELECT COUNT(*) FROM school_sessions_assignment WHERE volunteer_id = ?"
    assert shared_count(results, sql, (asked.volunteer_id,)) == 1
