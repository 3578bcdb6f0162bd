import pytest
from django.core.management import call_command

from schools.factories import SchoolFactory
from schools.models import School


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
    from django.core.management.base import CommandError

    SchoolFactory()

    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.db"), "--no-input")
    assert School.objects.count() == 1
