"""Session packs: one PDF per visit, rendered by WeasyPrint, stored once per distinct content.

`pack_for(visit)` is what views, the batch task and the command call: it gathers every input of the
pack in a fixed number of queries, names the pack by a hash of those inputs, and renders it only if
no pack with that name is stored yet. `render_pack(visit)` always renders (the command and the bench
use it). The renderer fetches nothing from outside: `PackURLFetcher` serves `data:` URLs and our
own static files under static/pack/ and refuses everything else.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import mimetypes
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from schools.models import School, SchoolContact
from sessions.models import Assignment, SessionType, StoredPack, Visit, year_group_label, year_groups_label
from sessions.pack_content import SessionContent, content_for
from stats import charts, wording

# Relative URLs in the pack resolve against this origin; `.invalid` can never resolve on a network,
# and the fetcher maps it to our static files.
ASSET_BASE = "https://pack-assets.invalid/static/"
ASSET_PREFIX = "pack/"
TEMPLATE = "sessions/pack/pack.html"
STYLESHEET = "pack/print.css"
ARRIVE_MINUTES_BEFORE = 15
CONFIDENTIAL = "Confidential: for volunteers and school staff. Contains contact details; shred after the visit."

_render_lock = threading.Lock()


# --- Fetching: data: URLs and our own static files only

class RefusedURL(ValueError):
    pass


@cache
def _static_file(relative: str) -> tuple[bytes, str]:
    path = finders.find(relative)
    if not path:
        raise RefusedURL(f"No static file {relative!r}.")
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Path(path).read_bytes(), mime


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackURLFetcher(URLFetcher):
        """Serves `data:` URLs and files under static/pack/; refuses every other URL (http:, file:, …)."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=["data", "https"], allow_redirects=False, timeout=1)

        def fetch(self, url: str, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(ASSET_BASE):
                relative = url.removeprefix(ASSET_BASE).split("#")[0].split("?")[0]
                parts = relative.split("/")
                if relative.startswith(ASSET_PREFIX) and ".." not in parts and "" not in parts:
                    body, mime = _static_file(relative)
                    return URLFetcherResponse(url, body, {"Content-Type": mime})
            raise RefusedURL(f"The pack may use only data: URLs and its own static files, not {url[:80]!r}.")

    return PackURLFetcher


def url_fetcher():
    return _fetcher_class()()


@cache
def _renderer() -> tuple[Any, Any, Any]:
    """One FontConfiguration, one parsed print stylesheet (its fonts loaded once) and one fetcher per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    fetcher = url_fetcher()
    stylesheet = CSS(url=ASSET_BASE + STYLESHEET, url_fetcher=fetcher, font_config=font_config)
    return font_config, stylesheet, fetcher


# Release the font configuration while the interpreter is still whole (its finaliser needs Pango).
atexit.register(_renderer.cache_clear)


def render_html(html: str) -> tuple[bytes, int]:
    """The PDF bytes and page count for the pack HTML."""
    from weasyprint import HTML

    font_config, stylesheet, fetcher = _renderer()
    with _render_lock:  # one shared FontConfiguration: render one pack at a time per process
        document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher).render(
            stylesheets=[stylesheet], font_config=font_config
        )
        return document.write_pdf(), len(document.pages)


def html_to_pdf(html: str) -> bytes:
    return render_html(html)[0]


@cache
def design_version() -> str:
    """A hash of the templates, stylesheet and fonts: a new design gives new packs."""
    digest = hashlib.sha256()
    template_dir = Path(settings.BASE_DIR) / "templates" / "sessions" / "pack"
    static_dir = Path(settings.BASE_DIR) / "static" / "pack"
    templates = [path for path in template_dir.rglob("*.html") if not path.name.startswith("batch")]
    for path in sorted([*templates, *static_dir.rglob("*.css"), *static_dir.rglob("*.woff")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- The local picture (adults only)
# Minimal versions of what the statistics pages' stats/picture.py, stats/wording.py and
# stats/charts.py provide; kept here until those modules exist (see the report to the lead).

OFFENCES = "child-sexual-offences"
UNDER_11 = "child-sexual-offences-under-11"
UK_CODE = "K02000001"
@dataclass
class PictureRow:
    period: str
    value: int
    under_11: int | None
    source_no: int
    under_11_source_no: int | None = None

    @property
    def value_text(self) -> str:
        return f"{self.value:,}"

    @property
    def under_11_text(self) -> str:
        return f"{self.under_11:,}" if self.under_11 is not None else ""


@dataclass
class LocalPicture:
    area_name: str
    rows: list[PictureRow]
    sources: list[dict[str, Any]]
    uk: PictureRow | None
    uk_latest: PictureRow | None
    fingerprint: list
    chart_svg: str = ""

    @property
    def has_figures(self) -> bool:
        return bool(self.rows)

    @property
    def latest(self) -> PictureRow | None:
        return self.rows[-1] if self.rows else None

    @property
    def previous(self) -> PictureRow | None:
        return self.rows[-2] if len(self.rows) > 1 else None

    @property
    def per_day(self) -> str:
        return wording.per_day(self.latest.value, self.latest.period) if self.latest else ""

    @property
    def uk_every(self) -> str:
        row = self.uk or self.uk_latest
        return wording.one_every(row.value, row.period) if row else ""

    @property
    def change(self) -> str:
        """The change on the previous available period, naming both periods and any gap between them."""
        latest, previous = self.latest, self.previous
        if latest is None:
            return ""
        return wording.sentence(
            wording.change(previous and previous.value, previous and previous.period, latest.value, latest.period)
        )

    @property
    def common_caveat(self) -> str:
        """The caveat every source shares, printed once (empty when the sources differ)."""
        caveats = {source["caveats"] for source in self.sources}
        return caveats.pop() if len(caveats) == 1 and len(self.sources) > 1 else ""

    @property
    def under_11_latest(self) -> PictureRow | None:
        known = [row for row in self.rows if row.under_11 is not None]
        return known[-1] if known else None

    @property
    def under_11_share(self) -> int | None:
        row = self.under_11_latest
        return round(100 * row.under_11 / row.value) if row and row.value else None


def local_picture_for(area) -> LocalPicture:
    """The figures in use for the police force area and the UK, with their sources, in two queries."""
    from django.db.models import Q

    from stats.models import Figure

    where = Q(area__code=UK_CODE) | Q(area=area) if area is not None else Q(area__code=UK_CODE)
    figures = list(
        Figure.objects.in_use()
        .filter(where, indicator__slug__in=[OFFENCES, UNDER_11])
        .select_related("source", "indicator", "area")
        .order_by("period", "pk")
    )
    sources: dict[int, dict[str, Any]] = {}

    def source_no(figure) -> int:
        if figure.source_id not in sources:
            s = figure.source
            sources[figure.source_id] = {
                "no": len(sources) + 1, "publisher": s.publisher, "title": s.title, "published": s.published,
                "url": s.url, "caveats": s.caveats,
            }
        return sources[figure.source_id]["no"]

    local = {f.period: f for f in figures if area and f.area_id == area.pk and f.indicator.slug == OFFENCES}
    local_u11 = {f.period: f for f in figures if area and f.area_id == area.pk and f.indicator.slug == UNDER_11}
    uk = {f.period: f for f in figures if f.area.code == UK_CODE and f.indicator.slug == OFFENCES}
    rows = []
    for period in sorted(local):
        u11 = local_u11.get(period)
        rows.append(PictureRow(period, local[period].value, u11.value if u11 else None, source_no(local[period]),
                               source_no(u11) if u11 else None))
    latest_period = rows[-1].period if rows else None
    uk_same = uk.get(latest_period) if latest_period else None
    uk_row = PictureRow(uk_same.period, uk_same.value, None, source_no(uk_same)) if uk_same else None
    uk_latest_f = uk[max(uk)] if uk else None
    uk_latest = (PictureRow(uk_latest_f.period, uk_latest_f.value, None, source_no(uk_latest_f))
                 if uk_latest_f else None)
    picture = LocalPicture(
        area_name=area.name if area else "",
        rows=rows,
        sources=sorted(sources.values(), key=lambda s: s["no"]),
        uk=uk_row,
        uk_latest=uk_latest,
        fingerprint=[(f.pk, f.area_id, f.indicator_id, f.period, f.value, f.source_id, str(f.source.published),
                      f.source.title, f.source.url, f.source.caveats) for f in figures],
    )
    # Every year from the first to the last, so a year without a figure shows as a gap, not as nothing.
    picture.chart_svg = charts.bar_chart(
        charts.periods_with_gaps({row.period: row.value for row in rows}),
        title=f"Offences recorded in {picture.area_name}, by year",
        x_label="Financial year (April to March)",
        y_label="Offences recorded",
        chart_id="pack-chart",
    ) if rows else ""
    return picture


# --- Gathering the inputs

@dataclass
class Line:
    """One session line as the pack shows it."""

    pk: int
    name: str
    slug: str
    key_stage: str
    key_stage_label: str
    format: str
    starts_at: time
    ends_at: time
    duration_minutes: int
    year_groups: str
    pupils: int
    send_adapted: bool
    welsh_language: bool
    content: SessionContent
    clock: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class PackData:
    visit: Visit
    school: School
    police_force: Any
    lines: list[Line]
    handouts: list[Line]
    dsl: SchoolContact | None
    deputies: list[SchoolContact]
    other_contacts: list[SchoolContact]
    volunteers: list[Assignment]
    coordinator: dict[str, str] | None
    arrive_at: time
    pupils_by_year: list[tuple[str, int]]
    shared: dict[str, list[str]]
    picture: LocalPicture
    key: str = ""
    preview: bool = False

    @property
    def date_label(self) -> str:
        return f"{self.visit.date:%A %-d %B %Y}"


def _minus_minutes(moment: time, minutes: int) -> time:
    total = max(moment.hour * 60 + moment.minute - minutes, 0)
    return time(total // 60, total % 60)


def _plus_minutes(moment: time, minutes: int) -> time:
    total = min(moment.hour * 60 + moment.minute + minutes, 23 * 60 + 59)
    return time(total // 60, total % 60)


def gather(visit: Visit | int) -> PackData:
    """Everything the pack shows, in a fixed number of queries, with its cache key."""
    pk = visit.pk if isinstance(visit, Visit) else visit
    visit = Visit.objects.select_related(
        "school__local_authority__police_force__parent", "coordinator__coordinator"
    ).get(pk=pk)
    school = visit.school
    nation = school.nation
    sessions = list(visit.sessions.select_related("session_type").order_by("starts_at", "pk"))
    contacts = list(school.contacts.order_by("role", "name", "pk"))
    assignments = list(
        visit.assignments.exclude(status=Assignment.Status.DECLINED)
        .select_related("volunteer__user")
        .order_by("role", "volunteer__user__last_name", "pk")
    )
    types = {line.session_type.pk: line.session_type for line in sessions}
    content, shared, content_versions = content_for(types.values())
    police_force = school.police_force
    data = assemble(
        visit,
        sessions=sessions,
        contacts=contacts,
        assignments=assignments,
        content=content,
        shared=shared,
        picture=local_picture_for(police_force),
    )
    data.key = pack_key(data, contacts, sessions, content_versions)
    return data


def assemble(visit: Visit, *, sessions, contacts, assignments, content, shared, picture) -> PackData:
    """The pack's data from what `gather` read (or, for a preview, from objects made in memory)."""
    school = visit.school
    nation = school.nation
    police_force = school.police_force
    lines = []
    for index, line in enumerate(sessions, start=1):
        st: SessionType = line.session_type
        parsed = content[st.pk]
        ends_at = _plus_minutes(line.starts_at, st.duration_minutes)
        clock = [
            (f"{_plus_minutes(line.starts_at, step.starts_after):%H:%M}", step) for step in parsed.outline
        ]
        lines.append(
            Line(
                pk=line.pk or index,
                name=st.name,
                slug=st.slug,
                key_stage=st.key_stage,
                key_stage_label=st.get_key_stage_display(),
                format=st.get_format_display(),
                starts_at=line.starts_at,
                ends_at=ends_at,
                duration_minutes=st.duration_minutes,
                year_groups=year_groups_label(line.year_groups, nation),
                pupils=line.pupils,
                send_adapted=line.send_adapted,
                welsh_language=line.welsh_language,
                content=parsed,
                clock=clock,
            )
        )
    # One pupil handout per age band, from the first session line in that band.
    handouts, bands = [], set()
    for line in lines:
        if line.key_stage not in bands and line.content.handout:
            bands.add(line.key_stage)
            handouts.append(line)

    # The visit's booked start, or a quarter of an hour before the first session if that is earlier.
    arrive_at = min([visit.starts_at, *(_minus_minutes(line.starts_at, ARRIVE_MINUTES_BEFORE) for line in sessions)])
    coordinator = None
    if visit.coordinator_id:
        user = visit.coordinator
        profile = getattr(user, "coordinator", None)
        coordinator = {
            "name": user.get_full_name() or user.get_username(),
            "email": user.email,
            "phone": profile.phone if profile else "",
        }
    pupils_by_year = sorted(
        ((int(year), int(count)) for year, count in (visit.pupils_by_year or {}).items() if str(year).isdigit()),
    )
    data = PackData(
        visit=visit,
        school=school,
        police_force=police_force,
        lines=lines,
        handouts=handouts,
        dsl=next((c for c in contacts if c.role == SchoolContact.Role.DSL), None),
        deputies=[c for c in contacts if c.role == SchoolContact.Role.DEPUTY_DSL],
        other_contacts=[c for c in contacts if c.role not in (SchoolContact.Role.DSL, SchoolContact.Role.DEPUTY_DSL)],
        volunteers=assignments,
        coordinator=coordinator,
        arrive_at=arrive_at,
        pupils_by_year=[(year_group_label(year, nation), count) for year, count in pupils_by_year],
        shared=shared,
        picture=picture,
    )
    return data


def sample_pack(session_type: SessionType | None) -> PackData:
    """A pack for a made-up visit, to preview the editable content in the admin (nothing is saved).

    Shows the session type's plan and pupil page (for a shared section, a Key Stage 1 and a Key
    Stage 2 assembly) with the real local picture for Thames Valley.
    """
    from django.contrib.auth import get_user_model

    from sessions.models import Volunteer, VisitSession
    from stats.models import Area, LocalAuthority

    force = Area.objects.filter(code="E23000029").first()
    authority = LocalAuthority(name="Sample district", police_force=force) if force else None
    school = School(
        urn=0, name="Sample Primary School", street="1 Example Road", town="Reading", postcode="RG1 1AA",
        low_age=4, high_age=11, local_authority=authority, telephone="0118 000 0000",
    )
    visit = Visit(school=school, date=timezone.localdate() + timedelta(days=14), starts_at=time(9, 0),
                  ends_at=time(11, 0), status=Visit.Status.CONFIRMED, pupils_by_year={"2": 30, "5": 30},
                  notes="This is a preview made from sample data.")
    types = [session_type] if session_type else list(
        SessionType.objects.filter(slug__in=["assembly-ks1", "assembly-ks2"]).order_by("min_age")
    )
    sessions = [
        VisitSession(visit=visit, session_type=st, starts_at=time(9 + index, 15),
                     year_groups=[1, 2] if st.key_stage == SessionType.KeyStage.KS1 else [5, 6], pupils=60)
        for index, st in enumerate(types)
    ]
    contacts = [
        SchoolContact(school=school, name="Sam Sample", role=SchoolContact.Role.DSL, phone="0118 000 0001"),
        SchoolContact(school=school, name="Alex Example", role=SchoolContact.Role.DEPUTY_DSL, phone="0118 000 0002"),
    ]
    user = get_user_model()(first_name="Jo", last_name="Volunteer")
    assignments = [Assignment(visit=visit, volunteer=Volunteer(user=user, phone="07700 900000"),
                              role=Assignment.Role.LEAD, status=Assignment.Status.ACCEPTED)]
    content, shared, _ = content_for(types)
    data = assemble(visit, sessions=sessions, contacts=contacts, assignments=assignments, content=content,
                    shared=shared, picture=local_picture_for(force))
    data.key = "preview"
    data.preview = True
    return data


def _fields(instance) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def pack_key(data: PackData, contacts, sessions, content_versions) -> str:
    """A hash over every input of the pack: any change to one gives a different key (and pack)."""
    visit_fields = _fields(data.visit)
    visit_fields.pop("updated_at", None)  # saving without a change must not make a new pack
    school_fields = _fields(data.school)
    school_fields.pop("updated_at", None)
    inputs = {
        "design": design_version(),
        "visit": visit_fields,
        "school": school_fields,
        "police_force": data.police_force.pk if data.police_force else None,
        "contacts": [_fields(c) for c in contacts],
        "sessions": [(_fields(s), _fields(s.session_type)) for s in sessions],
        "volunteers": [
            (_fields(a), a.volunteer.phone, a.volunteer.user.get_full_name(), a.volunteer.user.email)
            for a in data.volunteers
        ],
        "coordinator": data.coordinator,
        "figures": data.picture.fingerprint,
        "content": content_versions,
    }
    blob = json.dumps(inputs, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


# --- Rendering

def pack_html(data: PackData) -> str:
    return render_to_string(
        TEMPLATE,
        {
            "pack": data,
            "visit": data.visit,
            "school": data.school,
            "picture": data.picture,
            "confidential": CONFIDENTIAL,
            "generated": timezone.localtime(),
        },
    )


def render_pack(visit: Visit | int) -> bytes:
    """Render the visit's pack now, whatever is stored."""
    return html_to_pdf(pack_html(gather(visit)))


def storage_name(visit_pk: int, key: str) -> str:
    return f"packs/{visit_pk}/{key}.pdf"


def pack_for(visit: Visit | int, data: PackData | None = None) -> StoredPack:
    """The stored pack for the visit's current inputs, rendering and storing it if there is none."""
    data = data or gather(visit)
    stored = StoredPack.objects.filter(key=data.key).first()
    if stored and default_storage.exists(stored.file.name):
        return stored
    pdf, pages = render_html(pack_html(data))
    name = storage_name(data.visit.pk, data.key)
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(pdf))
    details = {"visit": data.visit, "file": saved, "pages": pages, "size": len(pdf), "created_at": timezone.now()}
    try:
        with transaction.atomic():
            stored, _ = StoredPack.objects.update_or_create(key=data.key, defaults=details)
    except IntegrityError:  # the same pack was stored by a concurrent request a moment ago
        stored = StoredPack.objects.get(key=data.key)
    # Superseded packs of this visit describe it as it was: remove them and their files.
    for old in StoredPack.objects.filter(visit=data.visit).exclude(key=data.key):
        if old.file.name != stored.file.name and default_storage.exists(old.file.name):
            default_storage.delete(old.file.name)
        old.delete()
    return stored


def read_pack(stored: StoredPack) -> bytes:
    with default_storage.open(stored.file.name, "rb") as handle:
        return handle.read()


def pack_filename(visit: Visit) -> str:
    from django.utils.text import slugify

    return f"pack-{visit.date:%Y-%m-%d}-{slugify(visit.school.name)[:60]}.pdf"


# --- Batches: every pack for an area and date range, as one ZIP

MAX_BATCH_VISITS = 300


def batch_visits(batch) -> Any:
    """The visits a batch covers: not cancelled, in its area and dates, and visible to whoever asked."""
    return (
        Visit.objects.packs_visible_to(batch.requested_by)
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
    import zipfile

    from sessions.models import PackBatch

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
    except Exception as error:  # the coordinator sees that it failed; the log has the detail
        import logging

        logging.getLogger(__name__).exception("Pack batch %s failed", batch.pk)
        batch.status = PackBatch.Status.FAILED
        batch.error = f"The packs could not be built ({type(error).__name__}). Try again, or tell the programme team."
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "file", "error", "finished_at"])
