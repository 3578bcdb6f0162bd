"""Batches of packs: every pack for an area and date range, built by the task worker into one ZIP.

Each visit has a folder in the ZIP holding its pack and, where any of its sessions has a handout for
this school, its pupils' handouts as a separate PDF (pupil pages only, safe to photocopy), each named
as the single download of that file is named.

A pack not yet stored takes a worker about half a second, so the batch task shares the work: it queues a
helper task for the later half of the visits, which another worker takes, and builds the first half itself;
then it goes through the later half from its end, finding stored what the helper built (the two meet in the
middle, so at most one pack is built twice). With one worker the helper waits in the queue and finds every
pack stored when it runs.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone

from sessions.access import pack_visits
from sessions.models import PackBatch, Visit
from sessions.packs.pdf import pack_and_handouts_for, pack_filename, read_pack

logger = logging.getLogger(__name__)

MAX_BATCH_VISITS = 300
# A coordinator is waiting on the batch: its helper task goes before the rebuilds queued after a content change.
HELPER_PRIORITY = 10


def batch_visits(batch: PackBatch) -> QuerySet[Visit]:
    """The visits a batch covers: not cancelled, in its area and dates, and visible to whoever asked."""
    return (
        pack_visits(batch.requested_by)
        .live()
        .in_areas([batch.area])
        .between(batch.first_date, batch.last_date)
        .select_related("school")
        .order_by("date", "starts_at", "pk")
    )


def visit_folder(visit: Visit, taken: set[str]) -> str:
    """The visit's folder in the ZIP: its date and school ("2027-03-02-riverside-primary-school"), with
    the visit's number added where the same school has two visits that day."""
    folder = pack_filename(visit).removeprefix("pack-").removesuffix(".pdf")
    if folder in taken:
        folder = f"{folder}-visit-{visit.pk}"
    taken.add(folder)
    return folder


def build_batch(batch_id: int) -> None:
    """Build (or reuse) each visit's pack and handouts and store them all as one ZIP.

    Side effects: updates the batch's progress after every pack, stores new packs and the ZIP in
    media storage; on an error marks the batch failed with a message for the coordinator.
    """
    batch = PackBatch.objects.select_related("requested_by", "area").get(pk=batch_id)
    visits = list(batch_visits(batch))
    batch.status, batch.total, batch.done = PackBatch.Status.RUNNING, len(visits), 0
    batch.save(update_fields=["status", "total", "done"])
    try:
        taken: set[str] = set()
        folders = {visit.pk: visit_folder(visit, taken) for visit in visits}  # in date order, whoever builds
        half = (len(visits) + 1) // 2
        if later := visits[half:]:
            from sessions.packs.tasks import build_batch_share  # noqa: PLC0415 — the tasks import this module

            build_batch_share.using(priority=HELPER_PRIORITY).enqueue(batch.pk, [visit.pk for visit in later])
        # PDFs barely compress: store them. Spill to disk past 32 MB rather than hold a big batch in memory.
        buffer = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for visit in visits[:half] + later[::-1]:
                pack, handouts = _read_built(visit)
                folder = folders[visit.pk]
                archive.writestr(f"{folder}/{pack_filename(visit)}", pack)
                if handouts:
                    archive.writestr(f"{folder}/{pack_filename(visit, handouts_only=True)}", handouts)
                batch.done += 1
                PackBatch.objects.filter(pk=batch.pk).update(done=batch.done)
        name = f"pack-batches/{batch.pk}/packs-{batch.area.code}-{batch.first_date}-{batch.last_date}.zip"
        if default_storage.exists(name):
            default_storage.delete(name)
        buffer.seek(0)
        batch.file = default_storage.save(name, File(buffer, name=name))
        buffer.close()
        batch.status = PackBatch.Status.DONE
    except Exception as error:  # any failure: the coordinator sees that it failed; the log has the traceback
        logger.exception("Pack batch %s failed", batch.pk)
        batch.status = PackBatch.Status.FAILED
        batch.error = f"The packs could not be built ({type(error).__name__}). Try again, or tell the programme team."
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "file", "error", "finished_at"])


def _read_built(visit: Visit) -> tuple[bytes, bytes | None]:
    """The visit's pack and handouts PDFs, built now if they are not stored. Where the helper and the batch task
    met at this visit, both built it, and the one to finish second stores its file again: read in that
    moment, the file is missing, so it is looked up (or built) once more."""
    pack, handouts = pack_and_handouts_for(visit)
    try:
        return read_pack(pack), read_pack(handouts) if handouts else None
    except FileNotFoundError:
        pack, handouts = pack_and_handouts_for(visit)
        return read_pack(pack), read_pack(handouts) if handouts else None


def build_share(batch_id: int, visit_ids: list[int]) -> int:
    """Build (or find built) the packs of these visits of a batch, in date order, while the batch is still being
    built (the batch task finds them stored); returns how many were looked at. Run by the task worker."""
    batch = PackBatch.objects.select_related("requested_by", "area").filter(pk=batch_id).first()
    if batch is None:
        return 0
    count = 0
    for visit in batch_visits(batch).filter(pk__in=visit_ids):
        if not PackBatch.objects.filter(pk=batch_id, status=PackBatch.Status.RUNNING).exists():
            break  # the batch task has built the rest, or failed
        pack_and_handouts_for(visit)
        count += 1
    return count
