"""Batches of packs: every pack for an area and date range, built by the task worker into one ZIP."""

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
from sessions.packs.pdf import pack_filename, pack_for, read_pack

logger = logging.getLogger(__name__)

MAX_BATCH_VISITS = 300


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


def build_batch(batch_id: int) -> None:
    """Build (or reuse) each visit's pack and store them all as one ZIP.

    Side effects: updates the batch's progress after every pack, stores new packs and the ZIP in
    media storage; on an error marks the batch failed with a message for the coordinator.
    """
    batch = PackBatch.objects.select_related("requested_by", "area").get(pk=batch_id)
    visits = list(batch_visits(batch))
    batch.status, batch.total, batch.done = PackBatch.Status.RUNNING, len(visits), 0
    batch.save(update_fields=["status", "total", "done"])
    try:
        # PDFs barely compress: store them. Spill to disk past 32 MB rather than hold a big batch in memory.
        buffer = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            names: set[str] = set()
            for visit in visits:
                stored = pack_for(visit)
                name = pack_filename(visit)
                if name in names:
                    name = name.removesuffix(".pdf") + f"-{visit.pk}.pdf"
                names.add(name)
                archive.writestr(name, read_pack(stored))
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
