"""Batches: every pack for an area and date range, built by a background task into one ZIP."""

import io
import zipfile
from datetime import date, time

import pytest
from django.core.management import call_command

import sessions.packs.batch
import sessions.packs.pdf
from sessions.factories import A_SCHOOL_DAY, CoordinatorFactory, VisitFactory
from sessions.models import PackBatch, Visit
from sessions.packs.batch import build_batch


@pytest.fixture
def two_visits(thames_valley, media, make_visit):  # noqa: F811
    first = make_visit(thames_valley, school_name="Riverside Primary School")
    second = make_visit(thames_valley, school_name="Hilltop Primary School", slugs=("workshop-years-5-6",))
    VisitFactory(school=second.school, date=A_SCHOOL_DAY, status=Visit.Status.CANCELLED,
                 starts_at=time(13, 0), ends_at=time(14, 0))
    return first, second


def post_batch(client, area, first="2027-03-01", last="2027-03-05"):
    return client.post("/packs/batches/new/", {"area": area.pk, "first_date": first, "last_date": last})


def test_a_coordinator_builds_a_zip_of_every_live_visits_pack_and_handouts_in_the_range(
        coordinator_client, two_visits, django_capture_on_commit_callbacks, pages_text, pupil_pages):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_batch(coordinator_client, coordinator_client.area)
    batch = PackBatch.objects.get()
    assert response["Location"] == f"/packs/batches/{batch.pk}/"
    assert (batch.status, batch.total, batch.done, batch.percent) == ("done", 2, 2, 100)
    download = coordinator_client.get(f"/packs/batches/{batch.pk}/packs.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "2027-03-02-hilltop-primary-school/handouts-2027-03-02-hilltop-primary-school.pdf",
        "2027-03-02-hilltop-primary-school/pack-2027-03-02-hilltop-primary-school.pdf",
        "2027-03-02-riverside-primary-school/handouts-2027-03-02-riverside-primary-school.pdf",
        "2027-03-02-riverside-primary-school/pack-2027-03-02-riverside-primary-school.pdf",
    ]
    hilltop = pages_text(archive.read("2027-03-02-hilltop-primary-school/pack-2027-03-02-hilltop-primary-school.pdf"))
    assert "Hilltop Primary School" in hilltop[0]
    # Each visit's handouts: its pupil pages alone, one per session type, nothing for adults.
    riverside = pages_text(archive.read(
        "2027-03-02-riverside-primary-school/handouts-2027-03-02-riverside-primary-school.pdf"))
    assert pupil_pages(riverside) == riverside and len(riverside) == 2
    assert "My helping hand" in riverside[0] and "My trusted adults" in riverside[1]
    for page in riverside:
        assert "Helen Ward" not in page and "Confidential" not in page and "Thames Valley" not in page
    (hilltop_handouts,) = pages_text(archive.read(
        "2027-03-02-hilltop-primary-school/handouts-2027-03-02-hilltop-primary-school.pdf"))
    assert "Online: don't share personal details or photos" in hilltop_handouts


def test_a_visit_with_no_handout_for_its_school_has_its_pack_alone_in_the_batch(coordinator, thames_valley, media,
                                                                               make_visit, pages_text):
    make_visit(thames_valley, slugs=("workshop-years-5-6",), low_age=4, high_age=7, school_name="Brook Infant School")
    batch = PackBatch.objects.create(requested_by=coordinator.user, area=thames_valley,
                                     first_date=date(2027, 3, 1), last_date=date(2027, 3, 5))
    build_batch(batch.pk)
    batch.refresh_from_db()
    with batch.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    (name,) = archive.namelist()
    assert name == "2027-03-02-brook-infant-school/pack-2027-03-02-brook-infant-school.pdf"
    pages = pages_text(archive.read(name))
    assert all("Draft — not for use" in page for page in pages)
    assert "No handout is made for “Workshop for Years 5 and 6”" in pages[0]


def test_two_visits_to_one_school_on_one_day_get_a_folder_each(coordinator, thames_valley, media, make_visit):
    first = make_visit(thames_valley, slugs=("assembly-ks1",))
    second = VisitFactory(school=first.school, date=A_SCHOOL_DAY, status=Visit.Status.CONFIRMED,
                          starts_at=time(13, 0), ends_at=time(14, 0))
    batch = PackBatch.objects.create(requested_by=coordinator.user, area=thames_valley,
                                     first_date=date(2027, 3, 1), last_date=date(2027, 3, 5))
    build_batch(batch.pk)
    batch.refresh_from_db()
    with batch.file.open("rb") as handle:
        folders = {name.split("/")[0] for name in zipfile.ZipFile(io.BytesIO(handle.read())).namelist()}
    assert folders == {"2027-03-02-riverside-primary-school", f"2027-03-02-riverside-primary-school-visit-{second.pk}"}


def test_the_batch_page_shows_progress_that_polls_until_the_packs_are_ready(coordinator_client, thames_valley):
    batch = PackBatch.objects.create(requested_by=coordinator_client.coordinator.user, area=thames_valley,
                                     first_date=date(2027, 3, 1), last_date=date(2027, 3, 5),
                                     status=PackBatch.Status.RUNNING, total=4, done=1)
    html = coordinator_client.get(f"/packs/batches/{batch.pk}/").content.decode()
    assert "<html" in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="100" value="25"' in html
    assert "1 of 4 packs built (25%)" in html


def test_the_progress_fragment_alone_answers_htmx_and_stops_polling_when_done(coordinator_client, thames_valley):
    batch = PackBatch.objects.create(requested_by=coordinator_client.coordinator.user, area=thames_valley,
                                     first_date=date(2027, 3, 1), last_date=date(2027, 3, 5),
                                     status=PackBatch.Status.DONE, total=2, done=2, file="pack-batches/x.zip")
    response = coordinator_client.get(f"/packs/batches/{batch.pk}/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="batch-progress"' in html
    assert "hx-trigger" not in html
    assert f'href="/packs/batches/{batch.pk}/packs.zip"' in html


def test_the_task_records_progress_after_every_pack(coordinator, two_visits, monkeypatch, queued_tasks):
    seen = []
    real = sessions.packs.batch.pack_and_handouts_for

    def watching(visit):
        seen.append(PackBatch.objects.get().done)
        return real(visit)

    monkeypatch.setattr(sessions.packs.batch, "pack_and_handouts_for", watching)
    batch = PackBatch.objects.create(requested_by=coordinator.user, area=coordinator.areas.get(),
                                     first_date=date(2027, 3, 1), last_date=date(2027, 3, 5))
    build_batch(batch.pk)  # its helper waits in the queue: the batch task builds both
    batch.refresh_from_db()
    assert seen == [0, 1]
    assert (batch.done, batch.total, batch.status) == (2, 2, "done")
    assert batch.finished_at is not None


def new_batch(coordinator, **fields):
    return PackBatch.objects.create(requested_by=coordinator.user, area=coordinator.areas.get(),
                                    first_date=date(2027, 3, 1), last_date=date(2027, 3, 5), **fields)


def test_the_batch_task_queues_the_later_half_of_its_visits_for_another_worker(coordinator, media, thames_valley,
                                                                             make_visit, queued_tasks):
    visits = [make_visit(thames_valley, school_name=f"School {n}", slugs=("assembly-ks1",)) for n in range(3)]
    batch = new_batch(coordinator)
    build_batch(batch.pk)
    (helper,) = [result for result in queued_tasks if result.task.name == "build_batch_share"]
    in_order = list(sessions.packs.batch.batch_visits(batch).values_list("pk", flat=True))
    assert sorted(in_order) == sorted(visit.pk for visit in visits)
    assert helper.args == [batch.pk, in_order[2:]]
    assert helper.task.priority > 0  # a coordinator is waiting: before the rebuilds after a content change
    # The batch task built every pack itself, so the helper, run now, finds the batch done and builds nothing
    assert sessions.packs.batch.build_share(batch.pk, in_order[2:]) == 0


def test_the_packs_a_helper_built_are_found_stored_by_the_batch_task(coordinator, two_visits, monkeypatch,
                                                                    queued_tasks):
    batch = new_batch(coordinator, status=PackBatch.Status.RUNNING)
    first, second = sessions.packs.batch.batch_visits(batch)
    assert sessions.packs.batch.build_share(batch.pk, [second.pk]) == 1  # the helper, on the other worker
    rendered = []
    real = sessions.packs.pdf.render_pack_and_handouts
    monkeypatch.setattr(sessions.packs.pdf, "render_pack_and_handouts",
                        lambda data: rendered.append(data.visit.pk) or real(data))

    build_batch(batch.pk)
    batch.refresh_from_db()
    assert rendered == [first.pk]
    assert (batch.status, batch.done) == ("done", 2)
    with batch.file.open("rb") as handle:
        assert len(zipfile.ZipFile(io.BytesIO(handle.read())).namelist()) == 4  # two packs, two handouts


def test_a_pack_stored_again_by_the_helper_as_the_batch_reads_it_is_read_again(coordinator, two_visits, monkeypatch,
                                                                              queued_tasks):
    real = sessions.packs.batch.read_pack
    vanished = []

    def stored_again_meanwhile(stored):
        if not vanished:  # the helper, which built the same pack, deletes the file to store its own
            vanished.append(stored.file.name)
            raise FileNotFoundError(stored.file.name)
        return real(stored)

    monkeypatch.setattr(sessions.packs.batch, "read_pack", stored_again_meanwhile)
    batch = new_batch(coordinator)
    build_batch(batch.pk)
    batch.refresh_from_db()
    assert vanished and (batch.status, batch.done) == ("done", 2)
    with batch.file.open("rb") as handle:
        assert len(zipfile.ZipFile(io.BytesIO(handle.read())).namelist()) == 4


def test_a_batch_with_no_visits_is_refused_with_a_clear_message(coordinator_client, thames_valley):
    response = post_batch(coordinator_client, thames_valley)
    assert "There are no visits in that area between those dates." in response.content.decode()
    assert not PackBatch.objects.exists()


def test_dates_in_the_wrong_order_are_refused(coordinator_client, thames_valley):
    response = post_batch(coordinator_client, thames_valley, first="2027-03-05", last="2027-03-01")
    assert "The last date cannot be before the first date." in response.content.decode()


def test_a_coordinator_cannot_build_packs_for_another_area(coordinator_client, kent):
    response = post_batch(coordinator_client, kent)
    assert "Select a valid choice" in response.content.decode()
    assert not PackBatch.objects.exists()


def test_volunteers_have_no_batch_page(volunteer_client):
    assert volunteer_client.get("/packs/batches/new/").status_code == 404


def test_another_coordinators_batch_is_404(client, thames_valley):
    batch = PackBatch.objects.create(requested_by=CoordinatorFactory(areas=[thames_valley]).user, area=thames_valley,
                                     first_date=date(2027, 3, 1), last_date=date(2027, 3, 5))
    client.force_login(CoordinatorFactory(areas=[thames_valley]).user)
    assert client.get(f"/packs/batches/{batch.pk}/").status_code == 404
    assert client.get(f"/packs/batches/{batch.pk}/packs.zip").status_code == 404


def test_the_batch_form_has_a_label_for_every_field(coordinator_client):
    html = coordinator_client.get("/packs/batches/new/").content.decode()
    for name in ("area", "first_date", "last_date"):
        assert f'<label for="id_{name}">' in html
    assert "Build the packs</button>" in html


def test_render_pack_command_writes_the_pdf(two_visits, tmp_path, pages_text):
    visit = two_visits[0]
    out = tmp_path / "pack.pdf"
    call_command("render_pack", str(visit.pk), "-o", str(out), stdout=io.StringIO())
    assert "Riverside Primary School" in pages_text(out.read_bytes())[0]
