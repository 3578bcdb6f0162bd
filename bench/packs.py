"""Session pack timings: first render, cached download, WeasyPrint's floor, and batch throughput.

    .venv/bin/python bench/packs.py [--runs 7]

Runs against a throwaway SQLite database and media folder (nothing of yours is touched), with the
shipped reference data and a visit made by the factories. Prints one line per measure:

- first render: a download whose inputs just changed (gather, hash, render, store, log), median;
- cached download: the same download again (gather, hash, read from storage, log), median;
- floor: WeasyPrint alone rendering the same pack's HTML, saved to a file, with the same stylesheet
  and font configuration: the ratio first render / floor is our overhead;
- batch: packs per second when a batch task builds packs that are not stored yet.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)


def make_visit(area, n: int, slugs=("assembly-ks2",)):
    from datetime import time as clock

    from schools.factories import SchoolContactFactory, SchoolFactory
    from sessions.factories import A_SCHOOL_DAY, AssignmentFactory, CoordinatorFactory, VisitFactory, VisitSessionFactory
    from sessions.models import SessionType

    school = SchoolFactory(name=f"Bench Primary School {n}", in_area=area)
    SchoolContactFactory(school=school, role="dsl")
    SchoolContactFactory(school=school, role="deputy_dsl")
    visit = VisitFactory(school=school, date=A_SCHOOL_DAY + timedelta(days=7 * (n % 10)), status="confirmed",
                         coordinator=CoordinatorFactory(areas=[area]).user, pupils_by_year={"5": 30, "6": 30})
    for slug in slugs:
        VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug=slug), starts_at=clock(9, 15),
                            year_groups=[5, 6], pupils=60)
    AssignmentFactory(visit=visit, role="lead")
    AssignmentFactory(visit=visit)
    return visit


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f}, n={len(samples)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=6, help="visits in the batch")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-packs-") as tmp:
        workdir = Path(tmp)
        setup(workdir)
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's response attributes; nothing else changes
        from sessions.factories import UserFactory
        from sessions.models import PackBatch, StoredPack
        from sessions.pdf import _renderer, build_batch, gather, pack_html
        from stats.models import Area

        area = Area.objects.get(code="E23000029")
        visit = make_visit(area, 0)
        staff = UserFactory(is_staff=True)
        client = Client()
        client.force_login(staff)
        url = f"/visits/{visit.pk}/pack.pdf"

        def download() -> bytes:
            response = client.get(url, secure=True)
            assert response.status_code == 200, response.status_code
            return b"".join(response.streaming_content)

        from pypdf import PdfReader
        import io

        pages = len(PdfReader(io.BytesIO(download())).pages)  # warm: imports, fonts, stylesheet

        from weasyprint import HTML

        html_file = workdir / "pack.html"
        html_file.write_text(pack_html(gather(visit)), encoding="utf-8")
        font_config, stylesheet, fetcher = _renderer()

        def floor_render() -> None:
            HTML(filename=str(html_file), base_url="https://pack-assets.invalid/static/", url_fetcher=fetcher).write_pdf(
                stylesheets=[stylesheet], font_config=font_config
            )

        # Interleaved, so that load from anything else on the machine falls on both alike.
        first, floor = [], []
        for run in range(args.runs):
            visit.notes = f"Bench run {run}"  # a changed input: a new pack must be rendered
            visit.save(update_fields=["notes"])
            started = time.perf_counter()
            download()
            first.append(time.perf_counter() - started)
            started = time.perf_counter()
            floor_render()
            floor.append(time.perf_counter() - started)

        cached = []
        for _ in range(args.runs * 3):
            started = time.perf_counter()
            download()
            cached.append(time.perf_counter() - started)

        not_modified = []
        etag = client.get(url, secure=True)["ETag"]
        for _ in range(args.runs * 3):
            started = time.perf_counter()
            assert client.get(url, secure=True, headers={"If-None-Match": etag}).status_code == 304
            not_modified.append(time.perf_counter() - started)

        for n in range(1, args.batch + 1):
            make_visit(area, n)
        StoredPack.objects.all().delete()
        batch = PackBatch.objects.create(requested_by=staff, area=area, first_date=visit.date - timedelta(days=1),
                                         last_date=visit.date + timedelta(days=80))
        started = time.perf_counter()
        build_batch(batch.pk)
        elapsed = time.perf_counter() - started
        batch.refresh_from_db()

        ratio = statistics.median(first) / statistics.median(floor)
        print(f"Session pack bench ({pages}-page pack: one session line; Python {sys.version.split()[0]})")
        print(f"  first render (download after an input changed): {median_ms(first)}")
        print(f"  cached download (stored pack):                   {median_ms(cached)}")
        print(f"  not modified (If-None-Match, 304):               {median_ms(not_modified)}")
        print(f"  WeasyPrint floor (same HTML from a file):        {median_ms(floor)}")
        print(f"  overhead: first render / floor = {ratio:.2f}x (aim: within 1.3x)")
        print(f"  batch: {batch.done} packs in {elapsed:.1f} s = {batch.done / elapsed:.2f} packs/s ({batch.status})")


if __name__ == "__main__":
    main()
