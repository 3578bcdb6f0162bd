import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from schools.factories import SchoolFactory
from schools.models import School

ROOT = Path(__file__).resolve().parent.parent


def snapshot() -> list[tuple]:
    return list(School.objects.order_by("urn").values_list("urn", "name", "status"))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_data_exactly_as_it_was(tmp_path):
    SchoolFactory(name="Ash Primary")
    SchoolFactory(name="Beech Primary")
    before = snapshot()
    backup_file = tmp_path / "backup.db"

    call_command("backup", str(backup_file), verbosity=0)
    School.objects.filter(name="Ash Primary").update(name="Renamed", status=School.Status.CLOSED)
    SchoolFactory(name="Added after the backup")
    assert snapshot() != before

    call_command("restore", str(backup_file), "--no-input", verbosity=0)

    assert snapshot() == before


@pytest.mark.django_db
def test_restoring_from_a_missing_file_changes_nothing(tmp_path):
    SchoolFactory()

    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.db"), "--no-input")
    assert School.objects.count() == 1


# --- A file that is not a backup: a clear message and an exit code, nothing changed


def refused(path) -> str:
    schools = snapshot()
    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(path), "--no-input", verbosity=0)
    assert snapshot() == schools, "nothing may change"
    return str(refusal.value)


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"urn,name\n100001,Ash Primary\n", b"\x00" * 4096, b"PGDMP" + b"\x00" * 50,
                                     b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_file_that_is_not_a_backup_is_refused_with_the_reason(tmp_path, content):
    SchoolFactory(name="Ash Primary")
    path = tmp_path / "not-a-backup.db"
    path.write_bytes(content)

    message = refused(path)

    assert message.startswith(f"{path} is not a backup this database can be restored from:")
    assert message.endswith("Nothing was changed.")


@pytest.mark.django_db
def test_a_database_file_of_something_else_is_refused(tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    SchoolFactory(name="Ash Primary")

    message = refused(other)

    assert "Nothing was changed." in message


@pytest.mark.django_db(transaction=True)
def test_a_backup_cut_short_is_refused_and_the_data_stays_as_it_was(tmp_path):
    SchoolFactory.create_batch(30)
    whole = tmp_path / "backup.db"
    call_command("backup", str(whole), verbosity=0)
    cut = tmp_path / "cut.db"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    SchoolFactory(name="Added after the backup")

    message = refused(cut)

    assert message.startswith(f"{cut} is not a backup this database can be restored from:")


def test_make_restore_of_a_bad_file_ends_with_the_message_and_an_error_status_not_a_traceback(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a backup\n")

    result = subprocess.run([sys.executable, "manage.py", "restore", "--no-input", str(path)], cwd=ROOT,
                            env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}"},
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{path} is not a backup this database can be restored from:" in result.stderr
