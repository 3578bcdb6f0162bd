"""Session pack timings, called by bench/run.py: first render, cached download, WeasyPrint's floor, and
batch throughput in one process and with two task workers.

- first render: a download whose inputs just changed (gather, hash, render, store, log);
- cached download: the same download again (gather, hash, read from storage, log);
- floor: WeasyPrint alone rendering the same pack's HTML, saved to a file, with the same stylesheet
  and font configuration: first render / floor is our overhead (aim: within 1.3×);
- batch: packs per second when the batch task builds packs that are not stored yet, in this process
  (`build_batch` called directly: its helper task waits in the queue) and with two `manage.py db_worker`
  processes taking tasks from the database queue as in production, by default one coordinator's batch of
  about 24 visits, which the batch task shares with the helper task it queues (sessions/packs/batch.py;
  aim: 3 or more a second with two workers): first by workers that
  have built one pack each (most of the parts many packs share, sessions/packs/reuse.py, are laid out on
  their first use), then the same batches again with their packs removed, by the same workers (as workers
  that have been running a while, or rebuild every upcoming pack after a content change).

Everything a run adds (stored packs, batches, downloads, queued tasks) is removed afterwards and the
visit's notes are put back, so the data set is the same for the next run.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.test.utils import CaptureQueriesContext

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class PackResults:
    pages: int = 0
    size: int = 0
    first: list[float] = field(default_factory=list)
    cached: list[float] = field(default_factory=list)
    not_modified: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    first_queries: int = 0
    cached_queries: int = 0
    batch_one: tuple[int, float] | None = None  # packs, seconds
    batch_two: tuple[int, float, float] | None = None  # packs, seconds from first start to last finish, wall
    batch_two_again: tuple[int, float, float] | None = None  # the same batches again, the workers' parts laid out
    batch_tasks: int = 1


def pack_visit(user):
    """An upcoming confirmed visit with sessions and volunteers in the user's areas: a typical pack."""
    from django.utils import timezone

    from sessions import access
    from sessions.models import Visit

    return (
        access.pack_visits(user)
        .filter(status=Visit.Status.CONFIRMED, date__gte=timezone.localdate(), sessions__isnull=False,
                assignments__isnull=False)
        .distinct()
        .order_by("date", "pk")
        .first()
    )


def batch_windows(user, area, first_day: date, per_batch: int, count: int) -> list[tuple[date, date, int]]:
    """`count` consecutive date ranges from `first_day`, each holding about `per_batch` of the area's
    live visits (whole days, so no visit falls in two)."""
    from sessions import access

    days = list(
        access.pack_visits(user).live().in_areas([area]).filter(date__gte=first_day)
        .order_by("date").values_list("date", flat=True)
    )
    windows, start, n = [], None, 0
    for i, day in enumerate(days):
        start = start or day
        n += 1
        if n >= per_batch and (i + 1 == len(days) or days[i + 1] != day):
            windows.append((start, day, n))
            start, n = None, 0
            if len(windows) == count:
                break
    return windows


def measure(client, user, workdir: Path, *, runs: int, batch_packs: int, batch_tasks: int, log) -> PackResults:
    from weasyprint import HTML

    from sessions.models import PackBatch, PackDownload, StoredPack
    from sessions.packs.pdf import _renderer, gather, pack_html

    results = PackResults(batch_tasks=batch_tasks)
    visit = pack_visit(user)
    if visit is None:
        raise SystemExit("No upcoming confirmed visit with volunteers in the coordinator's areas to build a pack for.")
    url = f"/visits/{visit.pk}/pack.pdf"
    notes = visit.notes
    started_at = time.time()

    def download(headers=None):
        response = client.get(url, secure=True, headers=headers or {})
        assert response.status_code in (200, 304), (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        response.close()
        return response, body

    try:
        from pypdf import PdfReader

        _, pdf = download()  # warm: imports, fonts, stylesheet
        results.pages, results.size = len(PdfReader(io.BytesIO(pdf)).pages), len(pdf)
        html_file = workdir / "pack.html"
        html_file.write_text(pack_html(gather(visit)), encoding="utf-8")
        font_config, stylesheet, _, fetcher = _renderer()

        def floor_render() -> None:
            HTML(
                filename=str(html_file), base_url="https://pack-assets.invalid/static/", url_fetcher=fetcher
            ).write_pdf(stylesheets=[stylesheet], font_config=font_config)

        floor_render()
        # Interleaved, so that load from anything else on the machine falls on both alike.
        for run in range(runs):
            visit.notes = f"{notes}\nBench run {run}"  # a changed input: a new pack must be rendered
            visit.save(update_fields=["notes"])
            with CaptureQueriesContext(_connection()) as queries:
                t = time.perf_counter()
                download()
                results.first.append(time.perf_counter() - t)
            results.first_queries = len(queries)
            t = time.perf_counter()
            floor_render()
            results.floor.append(time.perf_counter() - t)
        for _ in range(runs * 3):
            with CaptureQueriesContext(_connection()) as queries:
                t = time.perf_counter()
                download()
                results.cached.append(time.perf_counter() - t)
            results.cached_queries = len(queries)
        etag = download()[0]["ETag"]
        for _ in range(runs * 3):
            t = time.perf_counter()
            response, _ = download({"If-None-Match": etag})
            results.not_modified.append(time.perf_counter() - t)
            assert response.status_code == 304

        area = visit.school.police_force
        windows = batch_windows(user, area, visit.date + timedelta(days=1), batch_packs, batch_tasks + 1)
        warm = batch_windows(user, area, windows[-1][1] + timedelta(days=1), 1, 2) if windows else []
        if len(windows) < batch_tasks + 1 or len(warm) < 2:
            log(f"  (not enough upcoming visits for {batch_tasks + 1} batches of {batch_packs}: batches skipped)")
        else:
            results.batch_one = batch_in_process(user, area, windows[0])
            log(f"  batch in this process: {results.batch_one[0]} packs in {results.batch_one[1]:.1f} s")
            results.batch_two, results.batch_two_again = batch_with_workers(user, area, warm, windows[1:], workdir, log)
            log(f"  batch with two workers: {results.batch_two[0]} packs in {results.batch_two[1]:.1f} s; "
                f"again: {results.batch_two_again[1]:.1f} s")
    finally:
        visit.notes = notes
        visit.save(update_fields=["notes"])
        from django_tasks_db.models import DBTaskResult

        PackBatch.objects.filter(created_at__gte=_aware(started_at)).delete()
        PackDownload.objects.filter(at__gte=_aware(started_at)).delete()
        StoredPack.objects.filter(created_at__gte=_aware(started_at)).delete()
        visit.history.filter(history_date__gte=_aware(started_at)).delete()
        DBTaskResult.objects.filter(enqueued_at__gte=_aware(started_at)).delete()
    return results


def _connection():
    from django.db import connection

    return connection


def _aware(seconds: float):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds - 1, tz=timezone.utc)


def _new_batch(user, area, window):
    from sessions.models import PackBatch

    return PackBatch.objects.create(requested_by=user, area=area, first_date=window[0], last_date=window[1])


def batch_in_process(user, area, window) -> tuple[int, float]:
    """The batch task's work (`build_batch`) in this process, whose renderer is already warm."""
    from sessions.models import PackBatch
    from sessions.packs.batch import build_batch

    batch = _new_batch(user, area, window)
    t = time.perf_counter()
    build_batch(batch.pk)
    elapsed = time.perf_counter() - t
    batch.refresh_from_db()
    assert batch.status == PackBatch.Status.DONE, batch.error
    return batch.done, elapsed


def batch_with_workers(user, area, warm_windows, windows, workdir: Path, log):
    """Two `manage.py db_worker` processes take batch tasks from the database queue.

    Each worker first builds one small warm-up batch (imports, fonts and stylesheet loaded); then the
    measured batches are queued together and timed from the first task's start to the last one's finish,
    as the queue records them; then their packs are removed and the same batches timed again. Returns
    (packs, seconds, wall) for each of the two rounds.
    """
    from django_tasks_db.models import DBTaskResult

    from sessions.models import PackBatch, StoredPack
    from sessions.packs.tasks import build_pack_batch

    env = {**os.environ, "DEBUG": "false", "PYTHONUNBUFFERED": "1"}
    workers = []
    logs = []
    try:
        for n in range(2):
            out = open(workdir / f"worker-{n}.log", "wb")
            logs.append(out)
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(ROOT / "manage.py"),
                        "db_worker",
                        "--no-reload",
                        "--no-startup-delay",
                        "--interval",
                        "0.1",
                        "--worker-id",
                        f"bench-{n}",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )

        def run(batch_windows) -> list:
            with transaction.atomic():
                batches = [_new_batch(user, area, window) for window in batch_windows]
                results = [build_pack_batch.enqueue(batch.pk) for batch in batches]
            ids = [result.id for result in results]
            deadline = time.monotonic() + 300
            while True:
                rows = list(DBTaskResult.objects.filter(id__in=ids))
                if all(row.finished_at for row in rows):
                    break
                if any(worker.poll() is not None for worker in workers):
                    raise SystemExit(f"A task worker stopped; see {workdir}/worker-*.log")
                if time.monotonic() > deadline:
                    raise SystemExit("The batch tasks did not finish within 5 minutes.")
                time.sleep(0.05)
            for batch in batches:
                batch.refresh_from_db()
                assert batch.status == PackBatch.Status.DONE, (batch.status, batch.error)
            return rows

        warmed: set[str] = set()
        for _ in range(4):  # until each worker has built a batch (almost always at the first try)
            warmed |= {worker_id for row in run(warm_windows) for worker_id in row.worker_ids}
            if len(warmed) >= 2:
                break
            StoredPack.objects.filter(visit__date__range=(warm_windows[0][0], warm_windows[-1][1])).delete()
        log(f"  workers warmed: {', '.join(sorted(warmed))}")
        packs = sum(window[2] for window in windows)

        def timed() -> tuple[int, float, float]:
            from django.utils import timezone  # noqa: PLC0415

            queued_from = timezone.now()
            wall_start = time.perf_counter()
            rows = run(windows)
            wall = time.perf_counter() - wall_start
            span = (max(row.finished_at for row in rows) - min(row.started_at for row in rows)).total_seconds()
            helpers = DBTaskResult.objects.filter(task_path__endswith=".build_batch_share", enqueued_at__gte=queued_from)
            took = {worker_id for row in [*rows, *helpers] for worker_id in row.worker_ids}
            if len(took) < 2:
                log("  (warning: only one worker built the measured packs)")
            return packs, span, wall

        first = timed()
        StoredPack.objects.filter(visit__date__range=(windows[0][0], windows[-1][1])).delete()
        return first, timed()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        for out in logs:
            out.close()
