"""Packs built before anyone asks (sessions/packs/ahead.py): a change to what a pack shows queues its
rebuild once the change commits, the task worker stores the pack and its handouts for the current inputs,
and the download then serves the stored file without rendering."""

from datetime import timedelta

import pytest
from django.utils import timezone

import sessions.packs.pdf
from sessions.models import PackContent, StoredPack, Visit, VisitSession
from sessions.packs import ahead
from sessions.packs.pdf import gather
from stats.models import Figure, figures_changed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def built_ahead(settings):
    settings.PACKS_BUILT_AHEAD = True


@pytest.fixture
def visit(thames_valley, media, make_visit):
    visit = make_visit(thames_valley)
    Visit.objects.filter(pk=visit.pk).update(date=timezone.localdate() + timedelta(days=30))
    visit.refresh_from_db()
    return visit


def stored_keys(visit) -> set[str]:
    return set(StoredPack.objects.filter(visit=visit).values_list("key", flat=True))


def current_keys(visit) -> set[str]:
    data = gather(visit.pk)
    return {data.key, data.handouts_key} if data.handouts else {data.key}


def no_rendering(*args, **kwargs):
    raise AssertionError("the pack was rendered on request")


def test_saving_an_upcoming_visit_builds_its_pack_and_handouts_and_the_download_renders_nothing(
    staff_client, visit, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        visit.save()

    assert stored_keys(visit) == current_keys(visit) and len(stored_keys(visit)) == 2
    monkeypatch.setattr(sessions.packs.pdf, "render_html", no_rendering)
    response = staff_client.get(f"/visits/{visit.pk}/pack.pdf")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_change_to_a_session_replaces_the_stored_pack_with_one_for_the_new_inputs(
    visit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit.save()
    before = stored_keys(visit)

    line = VisitSession.objects.filter(visit=visit).first()
    line.pupils = 45
    with django_capture_on_commit_callbacks(execute=True):
        line.save()

    assert stored_keys(visit) == current_keys(visit)
    assert not stored_keys(visit) & before


def test_a_volunteers_new_name_rebuilds_the_packs_of_their_visits(visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visit.save()
    before = stored_keys(visit)
    user = visit.assignments.get(role="lead").volunteer.user

    user.last_name = "Patel-Jones"
    with django_capture_on_commit_callbacks(execute=True):
        user.save()

    assert stored_keys(visit) == current_keys(visit) != before


@pytest.mark.parametrize("status, days", [(Visit.Status.CANCELLED, 30), (Visit.Status.REQUESTED, 30),
                                          (Visit.Status.CONFIRMED, -3)])
def test_cancelled_requested_and_past_visits_are_not_built(visit, django_capture_on_commit_callbacks, status, days):
    Visit.objects.filter(pk=visit.pk).update(status=status, date=timezone.localdate() + timedelta(days=days))
    visit.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        visit.save()

    assert not StoredPack.objects.exists()


def test_a_change_every_pack_shows_queues_every_upcoming_pack(visit, queued_tasks, django_capture_on_commit_callbacks):
    content = PackContent.objects.first()
    content.body += " "
    with django_capture_on_commit_callbacks(execute=True):
        content.save()
        figures_changed.send(sender=Figure)

    assert [r.task.name for r in queued_tasks if "pack" in r.task.name] == ["build_upcoming_packs"] * 2


def test_every_upcoming_pack_is_rebuilt_in_shares_of_a_few_visits_the_soonest_first(
        visit, thames_valley, make_visit, queued_tasks, monkeypatch, django_capture_on_commit_callbacks):
    from sessions.packs.tasks import build_upcoming_packs  # noqa: PLC0415

    later = [make_visit(thames_valley, school_name=f"Later Primary School {n}") for n in range(2)]  # in March
    monkeypatch.setattr(ahead, "SHARE", 2)

    assert build_upcoming_packs.call() == 3
    rebuilds = [result for result in queued_tasks if result.task.name == "build_packs"]
    assert [result.args[0] for result in rebuilds] == [[visit.pk, later[0].pk], [later[1].pk]]  # a share a worker
    # behind a visit changed meanwhile, whose pack the workers build first
    with django_capture_on_commit_callbacks(execute=True):
        visit.save()
    changed = queued_tasks[-1]
    assert changed.args == [[visit.pk]] and changed.task.priority > max(result.task.priority for result in rebuilds)


def test_changes_queue_nothing_when_turned_off(visit, settings, queued_tasks, django_capture_on_commit_callbacks):
    settings.PACKS_BUILT_AHEAD = False
    with django_capture_on_commit_callbacks(execute=True):
        visit.save()
        VisitSession.objects.filter(visit=visit).first().save()

    assert [r.task.name for r in queued_tasks if "pack" in r.task.name] == []


def test_a_rolled_back_change_queues_nothing(visit, queued_tasks, django_capture_on_commit_callbacks):
    from django.db import transaction  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            visit.save()
            raise RuntimeError("refused")

    assert [r.task.name for r in queued_tasks if "pack" in r.task.name] == []


def test_the_worker_skips_a_pack_already_built_for_the_same_inputs(visit, monkeypatch):
    assert ahead.build([visit.pk]) == 1
    monkeypatch.setattr(sessions.packs.pdf, "render_html", no_rendering)

    assert ahead.build([visit.pk]) == 1
    assert stored_keys(visit) == current_keys(visit)


def test_setting_up_queues_nothing_and_reloading_unchanged_reference_data_queues_nothing(
    visit, queued_tasks, django_capture_on_commit_callbacks
):
    from django.core.management import call_command  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_reference_data", verbosity=0)
        call_command("seed_demo", "--schools", "60", "--volunteers", "30", "--visits", "120", verbosity=0)

    assert [r.task.name for r in queued_tasks if "pack" in r.task.name] == []


def test_reloading_reference_data_that_changes_the_wording_queues_every_upcoming_pack(
    visit, queued_tasks, django_capture_on_commit_callbacks
):
    from django.core.management import call_command  # noqa: PLC0415

    PackContent.objects.order_by("pk").first().delete()  # a section this version ships and the database lacks
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_reference_data", verbosity=0)

    assert [r.task.name for r in queued_tasks if "pack" in r.task.name] == ["build_upcoming_packs"]
