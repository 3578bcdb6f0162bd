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
import threading
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import cache
from itertools import zip_longest
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from config.dates import plus_minutes
from schools.models import School, SchoolContact
from sessions.models import (
    Assignment,
    PackContent,
    Problem,
    SessionType,
    StoredPack,
    Visit,
    VisitSession,
    Volunteer,
    contact_card,
    person_name,
    year_group_label,
)
from sessions.packs import reuse
from sessions.packs.content import Contents, Language, SessionContent, content_for, fill, filled
from sessions.packs.nations import Terms, session_name, stage_label, terms_for
from stats.models import Area, LocalAuthority
from stats.picture import LocalPicture, local_picture

# Relative URLs in the pack resolve against this origin; `.invalid` can never resolve on a network,
# and the fetcher maps it to our static files.
ASSET_BASE = "https://pack-assets.invalid/static/"
ASSET_PREFIX = "pack/"
TEMPLATE = "sessions/packs/pack.html"
HANDOUTS_TEMPLATE = "sessions/packs/handouts.html"
STYLESHEET = "pack/print.css"
PARTS_STYLESHEET = "pack/parts.css"  # a reusable part laid out alone: empty page margins (packs/reuse.py)
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
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 — WeasyPrint loads on first render

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
def _renderer() -> tuple[Any, Any, Any, Any]:
    """One FontConfiguration, the parsed print stylesheet (its fonts loaded once) and the parts' one, and one
    fetcher per process."""
    from weasyprint import CSS  # noqa: PLC0415 — WeasyPrint (0.8 s) loads on first render, not at start-up
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 — as above

    font_config = FontConfiguration()
    fetcher = url_fetcher()
    stylesheet = CSS(url=ASSET_BASE + STYLESHEET, url_fetcher=fetcher, font_config=font_config)
    parts = CSS(url=ASSET_BASE + PARTS_STYLESHEET, url_fetcher=fetcher, font_config=font_config)
    return font_config, stylesheet, parts, fetcher


# Release the font configuration while the interpreter is still whole (its finaliser needs Pango).
atexit.register(_renderer.cache_clear)


def _laid_out(html: str, *, part: bool = False):
    """The HTML laid out in pages (a WeasyPrint Document), as a pack or, with `part`, as a reusable part of
    one (empty page margins); call it holding `_render_lock`."""
    from weasyprint import HTML  # noqa: PLC0415 — WeasyPrint loads on first render

    font_config, stylesheet, parts, fetcher = _renderer()
    return HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher).render(
        stylesheets=[stylesheet, parts] if part else [stylesheet], font_config=font_config
    )


def _render(html: str) -> tuple[bytes, int]:
    """The PDF and page count for the pack HTML, its reusable parts laid out once (packs/reuse.py); call it
    holding `_render_lock`."""
    framed, placements = reuse.frame(html, design_version(), _laid_out)
    document = _laid_out(framed)
    return reuse.draw(document.write_pdf(), document, placements, _laid_out), len(document.pages)


def render_html(html: str) -> tuple[bytes, int]:
    """The PDF bytes and page count for the pack HTML."""
    with _render_lock:  # one shared FontConfiguration: render one pack at a time per process
        return _render(html)


def html_to_pdf(html: str) -> bytes:
    return render_html(html)[0]


@cache
def design_version() -> str:
    """A hash of the templates, stylesheet and fonts: a new design gives new packs."""
    digest = hashlib.sha256()
    template_dir = Path(settings.BASE_DIR) / "templates" / "sessions" / "packs"
    static_dir = Path(settings.BASE_DIR) / "static" / "pack"
    templates = [path for path in template_dir.rglob("*.html") if not path.name.startswith("batch")]
    assets = [*static_dir.rglob("*.css"), *static_dir.rglob("*.woff"), *static_dir.rglob("*.svg")]
    for path in sorted([*templates, *assets]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    content_cy: SessionContent | None = None
    suits_school: bool = True
    age_range: str = ""
    year_numbers: list[int] = field(default_factory=list)
    clock: list[tuple[str, Any]] = field(default_factory=list)
    handouts: list[Handout] = field(default_factory=list)  # this session's pupil handouts (standard, SEND)

    def _pairs(self, name: str) -> list[tuple[str, str]]:
        """English with the Welsh beside it (line by line) for what is read aloud in a Welsh session."""
        english = getattr(self.content, name)
        welsh = getattr(self.content_cy, name) if self.content_cy else []
        if welsh == english:
            welsh = []  # no Welsh written yet: the English alone
        return [(text, welsh[index] if index < len(welsh) else "") for index, text in enumerate(english)]

    @property
    def key_messages_said(self) -> list[tuple[str, str]]:
        return self._pairs("key_messages")

    @property
    def ground_rules_said(self) -> list[tuple[str, str]]:
        return self._pairs("ground_rules")

    @property
    def interrupting_said(self) -> list[tuple[str, str]]:
        return self._pairs("interrupting")

    @property
    def words_to_use_said(self) -> list[tuple[str, str]]:
        return self._pairs("words_to_use")

    @property
    def cards_shown(self) -> list[tuple[str, str, str]]:
        """(picture, words, English beneath) for each card: in Welsh, with the English small, where the
        session is in Welsh and the cards are written in Welsh; else in English."""
        english = self.content.cards
        welsh = self.content_cy.cards if self.content_cy else []
        if not welsh or welsh == english:
            return [(card.picture, card.words, "") for card in english]
        return [(card.picture, card.words, english[index].words if index < len(english) else "")
                for index, card in enumerate(welsh)]

    @property
    def story_shown(self) -> StoryShown | None:
        """The story to read aloud: where the session is in Welsh and the story is written in Welsh, the
        English with the Welsh beside it, paragraph by paragraph (so no English paragraph is lost if the
        two differ in length); else the English alone."""
        english = self.content.story
        welsh = self.content_cy.story if self.content_cy else None
        if english is None:
            return None
        if welsh is None or welsh == english:
            return StoryShown(english.title, "", [(pause, text, "") for pause, text in english.parts])
        rows = [
            (bool((en and en[0]) or (cy and cy[0])), en[1] if en else "", cy[1] if cy else "")
            for en, cy in zip_longest(english.parts, welsh.parts)
        ]
        return StoryShown(english.title, welsh.title, rows)

    @property
    def bilingual(self) -> bool:
        return bool(self.content_cy) and any(cy for _, cy in self.key_messages_said)


@dataclass(frozen=True)
class StoryShown:
    """A story as the pack prints it: its rows are (is a pause for a question, English, Welsh or "")."""

    title: str
    title_cy: str
    rows: list[tuple[bool, str, str]]

    @property
    def bilingual(self) -> bool:
        return bool(self.title_cy)


@dataclass
class Handout:
    """One pupil handout: one per session type that suits the school (and per language and SEND need)."""

    line: Line
    for_label: str
    send: bool = False
    language: str = "en"

    @property
    def anchor(self) -> str:
        return f"pupil-{self.line.slug}-{self.language}{'-send' if self.send else ''}"

    @property
    def content(self) -> SessionContent:
        return self.line.content_cy if self.language == Language.WELSH and self.line.content_cy else self.line.content

    @property
    def html_lang(self) -> str:
        return "cy" if self.language == Language.WELSH else "en-GB"


# How much of a draft's reasons its band holds in two lines above the page head: up to 158 characters of the
# demo's reasons fitted, 130 capital Ms did not (tests/sessions/packs/test_pdf.py measures the band).
DRAFT_BAND_MOST_CHARACTERS = 120


@dataclass
class PackData:
    visit: Visit
    school: School
    police_force: Any
    lines: list[Line]
    handouts: list[Handout]
    dsl: SchoolContact | None
    deputies: list[SchoolContact]
    other_contacts: list[SchoolContact]
    volunteers: list[Assignment]
    coordinator: dict[str, str] | None
    arrive_at: time
    pupils_by_year: list[tuple[str, int]]
    shared: dict[str, list[str]]
    picture: LocalPicture
    terms: Terms | None = None
    authority: LocalAuthority | None = None
    welsh_unreviewed: bool = False
    shared_cy: dict[str, list] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    key: str = ""
    preview: bool = False

    @property
    def handouts_key(self) -> str:
        """The handouts PDF's storage key: the pack's, made distinct."""
        return hashlib.sha256(f"handouts:{self.key}".encode()).hexdigest()

    @property
    def handouts_title(self) -> str:
        """The handouts PDF's title (its HTML's, and so its metadata's)."""
        return f"Pupil handouts: {self.school.name}"

    @property
    def handouts_description(self) -> str:
        return f"Pupil handouts for {self.school.name}, to photocopy"

    @property
    def draft_reasons(self) -> list[str]:
        """Why the pack is not ready for use: every error `visit.problems()` reports."""
        return [problem.message for problem in self.errors]

    @property
    def draft_band_names_reasons(self) -> bool:
        """The band on every page of a draft names why while that fits in its two lines above the page head;
        longer, it counts the reasons and the cover lists them (a third line would cover the page head)."""
        return len(" ".join(self.draft_reasons)) <= DRAFT_BAND_MOST_CHARACTERS

    @property
    def uses_feelings_faces(self) -> bool:
        """A plan that tells volunteers to show the feelings faces gets them printed in the pack."""
        return any("feelings faces" in step.detail.lower() for line in self.lines for step in line.content.outline)

    @property
    def equipment(self) -> list[str]:
        """What to bring, for every session of the visit, each item once."""
        return list(dict.fromkeys(item for line in self.lines for item in line.content.equipment))

    @property
    def equipment_columns(self) -> list[list[str]]:
        """What to bring in two columns, read down the first then the second (the first has the odd one).
        Two table cells, not CSS columns: WeasyPrint balances columns by laying them out again and again
        (docs/benchmarks.md)."""
        items = self.equipment
        half = (len(items) + 1) // 2
        return [column for column in (items[:half], items[half:]) if column]

    @property
    def feelings(self) -> list[tuple[str, str, str]]:
        """(picture, English word, Welsh word where the visit is in Welsh) for the feelings faces."""
        welsh = {card.picture: card.words for card in self.shared_cy.get(Language.WELSH, [])} if self.uses_welsh else {}
        return [(card.picture, card.words, welsh.get(card.picture, "")) for card in self.shared["feelings"]]

    @property
    def uses_welsh(self) -> bool:
        return any(line.welsh_language for line in self.lines)

    @property
    def unsuitable_lines(self) -> list[Line]:
        return [line for line in self.lines if not line.suits_school]

    @property
    def date_label(self) -> str:
        return f"{self.visit.date:%A %-d %B %Y}"


def gather(visit: Visit | int, within: QuerySet[Visit] | None = None) -> PackData:
    """Everything the pack shows, in a fixed number of queries, with its cache key. The visit is read afresh,
    from `within` when given (the visits the user may have packs for: Visit.DoesNotExist when not one)."""
    pk = visit.pk if isinstance(visit, Visit) else visit
    visit = (Visit.objects.all() if within is None else within).select_related(
        "school__local_authority__police_force__parent", "coordinator__coordinator"
    ).get(pk=pk)
    school = visit.school
    sessions = list(visit.sessions.select_related("session_type").order_by("starts_at", "pk"))
    contacts = list(school.contacts.order_by("role", "name", "pk"))
    assignments = list(
        visit.assignments.booked()
        .select_related("volunteer__user")
        .order_by("role", "volunteer__user__last_name", "pk")
    )
    types = {line.session_type.pk: line.session_type for line in sessions}
    contents = content_for(types.values())
    police_force = school.police_force
    data = assemble(
        visit,
        sessions=sessions,
        contacts=contacts,
        assignments=assignments,
        contents=contents,
        picture=local_picture(police_force),
    )
    # The one answer to "is anything wrong with this visit?": an error makes the pack a draft.
    data.errors = visit.errors_to_show(sessions)
    data.key = pack_key(data, contacts, sessions, contents.versions)
    return data


def placeholder_words(school: School, dsl: SchoolContact | None, language: str = "en") -> dict[str, str]:
    """What the content's placeholders say for this school (`sessions.packs.content.PLACEHOLDERS`)."""
    terms = terms_for(school.nation)
    authority = school.local_authority
    if authority and authority.childrens_services_phone:
        contact = f"{authority.name} children's services"
        if authority.childrens_services_name:
            contact += f" ({authority.childrens_services_name})"
        contact += f" on {authority.childrens_services_phone}"
        if authority.out_of_hours_phone:
            contact += f", or out of hours on {authority.out_of_hours_phone}"
        else:
            contact += f" (out of hours, the number you asked the school's {terms.lead_role} for before the visit)"
    else:
        contact = (f"the local authority's children's services (the number is not recorded: ask the school's "
                   f"{terms.lead_role} for it before the visit)")
    return {
        "{lead}": f"{dsl.name}, the {terms.lead_role}" if dsl else f"the school's {terms.lead_role}",
        "{lead_role}": terms.lead_role,
        "{head}": terms.head,
        "{designated_officer}": terms.designated_officer,
        "{childrens_services}": contact,
    }


def delivered_in_welsh(visit: Visit, line: VisitSession) -> bool:
    """Welsh handouts and bilingual read-aloud words: a Welsh-medium school, a visit asked for in Welsh,
    or a session marked as delivered in Welsh."""
    return bool(line.welsh_language or visit.school.welsh_medium or visit.needs_welsh)


def visit_safeguarding_lead(visit: Visit) -> SchoolContact | None:
    """The safeguarding lead the school named for this visit on its own page (as an unsaved contact, so the
    pack reads it as it reads the school's recorded one); None when the school has named nobody. It comes
    before the school's recorded lead: it is the newer, and it is for the day."""
    if not visit.safeguarding_lead_name:
        return None
    return SchoolContact(
        school=visit.school, name=visit.safeguarding_lead_name, role=SchoolContact.Role.DSL,
        email=visit.safeguarding_lead_email, phone=visit.safeguarding_lead_phone,
    )


def assemble(visit: Visit, *, sessions, contacts, assignments, contents: Contents, picture) -> PackData:
    """The pack's data from what `gather` read (or, for a preview, from objects made in memory)."""
    school = visit.school
    nation = school.nation
    police_force = school.police_force
    dsl = visit_safeguarding_lead(visit) or next((c for c in contacts if c.role == SchoolContact.Role.DSL), None)
    words = placeholder_words(school, dsl)
    lines = []
    for index, line in enumerate(sessions, start=1):
        st: SessionType = line.session_type
        parsed = filled(contents.per_type[st.pk][Language.ENGLISH], words)
        welsh = delivered_in_welsh(visit, line)
        ends_at = plus_minutes(line.starts_at, st.duration_minutes)
        clock = [
            (f"{plus_minutes(line.starts_at, step.starts_after):%H:%M}", step) for step in parsed.outline
        ]
        lines.append(
            Line(
                pk=line.pk or index,
                name=session_name(st, nation),
                slug=st.slug,
                key_stage=st.key_stage,
                key_stage_label=stage_label(st, nation),
                format=st.get_format_display(),
                starts_at=line.starts_at,
                ends_at=ends_at,
                duration_minutes=st.duration_minutes,
                year_groups=years_phrase(line.year_groups or [], nation),
                pupils=line.pupils,
                send_adapted=line.send_adapted,
                welsh_language=welsh,
                content=parsed,
                content_cy=filled(contents.per_type[st.pk][Language.WELSH], words) if welsh else None,
                # The same rule as the `age_unsuitable` error: a session that does not suit gets no handout.
                suits_school=st.suits(school),
                age_range=st.age_range,
                year_numbers=sorted(line.year_groups or []),
                clock=clock,
            )
        )
    handouts = handouts_for(lines, nation)
    for line in lines:
        language = Language.WELSH if line.welsh_language else Language.ENGLISH
        line.handouts = [h for h in handouts if h.line.slug == line.slug and h.language == language]

    # The visit's booked start, or a quarter of an hour before the first session if that is earlier.
    arrive_at = visit.arrival_time(sessions)
    coordinator = contact_card(visit.coordinator) if visit.coordinator_id else None
    pupils_by_year = sorted(
        ((int(year), int(count)) for year, count in (visit.pupils_by_year or {}).items() if str(year).isdigit()),
    )
    data = PackData(
        visit=visit,
        school=school,
        police_force=police_force,
        lines=lines,
        handouts=handouts,
        dsl=dsl,
        deputies=[c for c in contacts if c.role == SchoolContact.Role.DEPUTY_DSL],
        other_contacts=[c for c in contacts if c.role not in (SchoolContact.Role.DSL, SchoolContact.Role.DEPUTY_DSL)],
        volunteers=assignments,
        coordinator=coordinator,
        arrive_at=arrive_at,
        pupils_by_year=[(year_group_label(year, nation), count) for year, count in pupils_by_year],
        shared={key: [fill(item, words) if isinstance(item, str) else item for item in value]
                for key, value in contents.shared[Language.ENGLISH].items()},
        picture=picture,
        terms=terms_for(nation),
        authority=school.local_authority,
        welsh_unreviewed=contents.welsh_unreviewed,
        shared_cy={Language.WELSH: contents.shared[Language.WELSH][PackContent.Section.FEELINGS]},
    )
    return data


def handouts_for(lines: list[Line], nation: str) -> list[Handout]:
    """One handout per session type in the visit, in the order the sessions run, for each session
    type that suits the school: in Welsh where the session is delivered in Welsh, and followed by its
    SEND-adapted version where a session is marked SEND. Its year groups are those of every line of
    that type and language."""
    handouts: dict[tuple[str, str, bool], Handout] = {}
    years: dict[tuple[str, str, bool], set[int]] = {}
    for line in lines:
        if not line.suits_school or not line.content.handout:
            continue
        language = Language.WELSH if line.welsh_language else Language.ENGLISH
        versions = [False, True] if line.send_adapted and line.content.send_handout else [False]
        for send in versions:
            key = (line.slug, language, send)
            years.setdefault(key, set()).update(line.year_numbers)
            if key not in handouts:
                handouts[key] = Handout(line=line, for_label="", send=send, language=language)
    for key, handout in handouts.items():
        handout.for_label = years_phrase(years[key], nation, handout.language) or handout.line.key_stage_label
    return list(handouts.values())


def years_phrase(numbers, nation: str, language: str = "en") -> str:
    """Year groups as a sentence says them: "Years 1 and 2", "Years 3 to 6", "Reception and Year 1",
    "P2, P3 and P4"; in Welsh "Blynyddoedd 1 a 2", "Derbyn a Blwyddyn 1"."""
    numbers = sorted(set(numbers))
    if not numbers:
        return ""
    # A run of three or more year groups reads as a range: "Years 3 to 6".
    consecutive = len(numbers) >= 3 and 0 not in numbers and numbers[-1] - numbers[0] == len(numbers) - 1
    if consecutive and nation in (School.Nation.ENGLAND, School.Nation.WALES):
        if language == Language.WELSH:
            return f"Blynyddoedd {numbers[0]} i {numbers[-1]}"
        return f"Years {numbers[0]} to {numbers[-1]}"
    if language == Language.WELSH:
        labels = ["Derbyn" if n == 0 else f"Blwyddyn {n}" for n in numbers]
        if len(numbers) > 1 and 0 not in numbers:
            return "Blynyddoedd " + listed([str(n) for n in numbers], "a")
        return listed(labels, "a")
    labels = [year_group_label(number, nation) for number in numbers]
    if len(labels) > 1 and all(label.startswith("Year ") for label in labels):
        numbers_only = [label.removeprefix("Year ") for label in labels]
        return "Years " + listed(numbers_only)
    return listed(labels)


def listed(items: list[str], conjunction: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {conjunction} {items[-1]}"


def sample_pack(session_type: SessionType | None, language: str = "en") -> PackData:
    """A pack for a made-up visit, to preview the editable content in the admin (nothing is saved).

    Shows the session type's plan and pupil page (for a shared section, a Key Stage 1 and a Key
    Stage 2 assembly) with the real local picture for Thames Valley; for Welsh text, a made-up
    Welsh-medium school in South Wales, so the Welsh shows where it is used.
    """
    welsh = language == Language.WELSH
    force = Area.objects.filter(code="W15000003" if welsh else "E23000029").first()
    authority = LocalAuthority(name="Sample district", police_force=force) if force else None
    school = School(
        urn=0, name="Sample Primary School", street="1 Example Road", town="Reading", postcode="RG1 1AA",
        low_age=4, high_age=11, local_authority=authority, telephone="0118 000 0000",
        nation=School.Nation.WALES if welsh else School.Nation.ENGLAND, welsh_medium=welsh,
    )
    visit = Visit(school=school, date=timezone.localdate() + timedelta(days=14), starts_at=time(9, 0),
                  ends_at=time(11, 0), status=Visit.Status.CONFIRMED, pupils_by_year={"2": 30, "5": 30},
                  notes="This is a preview made from sample data.")
    types = [session_type] if session_type else list(
        SessionType.objects.filter(slug__in=["assembly-ks1", "assembly-ks2"]).order_by("min_age")
    )
    sessions = [
        VisitSession(visit=visit, session_type=st, starts_at=time(9 + index, 15),
                     year_groups=[n for n in ([1, 2] if st.key_stage == SessionType.KeyStage.KS1 else [5, 6])
                                  if st.suits_year_group(n)],  # a Year 2 workshop: Year 2 only
                     pupils=60)
        for index, st in enumerate(types)
    ]
    contacts = [
        SchoolContact(school=school, name="Sam Sample", role=SchoolContact.Role.DSL, phone="0118 000 0001"),
        SchoolContact(school=school, name="Alex Example", role=SchoolContact.Role.DEPUTY_DSL, phone="0118 000 0002"),
    ]
    user = get_user_model()(first_name="Jo", last_name="Volunteer")
    assignments = [Assignment(visit=visit, volunteer=Volunteer(user=user, phone="07700 900000"),
                              role=Assignment.Role.LEAD, status=Assignment.Status.ACCEPTED)]
    data = assemble(visit, sessions=sessions, contacts=contacts, assignments=assignments,
                    contents=content_for(types), picture=local_picture(force))
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
        # The children's services numbers the safeguarding page prints
        "authority": _fields(data.authority) if data.authority else None,
        "contacts": [_fields(c) for c in contacts],
        "sessions": [(_fields(s), _fields(s.session_type)) for s in sessions],
        "volunteers": [
            (_fields(a), a.volunteer.phone, person_name(a.volunteer.user), a.volunteer.user.email)
            for a in data.volunteers
        ],
        "coordinator": data.coordinator,
        "errors": data.draft_reasons,
        "figures": data.picture.fingerprint(),
        "content": content_versions,
    }
    blob = json.dumps(inputs, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


# --- Rendering

def pack_html(data: PackData, *, handouts_only: bool = False) -> str:
    """The pack's HTML; with `handouts_only`, the pupil pages alone (safe to photocopy)."""
    return render_to_string(
        HANDOUTS_TEMPLATE if handouts_only else TEMPLATE,
        {
            "pack": data,
            "visit": data.visit,
            "school": data.school,
            "picture": data.picture,
            "picture_chart": data.picture.chart("pack-chart"),
            "confidential": CONFIDENTIAL,
            "generated": timezone.localtime(),
        },
    )


def render_pack(visit: Visit | int, *, handouts_only: bool = False) -> bytes:
    """Render the visit's pack (or its handouts alone) now, whatever is stored."""
    return html_to_pdf(pack_html(gather(visit), handouts_only=handouts_only))


def render_pack_and_handouts(data: PackData) -> tuple[tuple[bytes, int], tuple[bytes, int] | None]:
    """The pack's PDF and page count and its handouts PDF's (None if the visit has no handouts). The handouts
    are the pack's pupil pages, laid out once for both (packs/reuse.py): the handouts PDF costs little more
    than its page heads and feet."""
    with _render_lock:
        pack = _render(pack_html(data))
        return pack, _render(pack_html(data, handouts_only=True)) if data.handouts else None


def storage_name(visit_pk: int, key: str, *, handouts_only: bool = False) -> str:
    return f"packs/{visit_pk}/{'handouts-' if handouts_only else ''}{key}.pdf"


def pack_for(visit: Visit | int, data: PackData | None = None, *, handouts_only: bool = False) -> StoredPack:
    """The stored pack (or handouts PDF) for the visit's current inputs, rendering and storing it if
    there is none. The pack and its handouts are stored side by side under keys from the same inputs; a pack
    rendered stores its handouts too (`render_pack_and_handouts`: their pages are drawn from the same parts)."""
    data = data or gather(visit)
    key = data.handouts_key if handouts_only else data.key
    stored = StoredPack.objects.filter(key=key).first()
    if stored and default_storage.exists(stored.file.name):
        return stored
    if handouts_only:
        return _store(data, *render_html(pack_html(data, handouts_only=True)), handouts_only=True)
    pack, handouts = render_pack_and_handouts(data)
    stored = _store(data, *pack, handouts_only=False)
    if handouts and not StoredPack.objects.filter(key=data.handouts_key).exists():
        _store(data, *handouts, handouts_only=True)
    return stored


def pack_and_handouts_for(visit: Visit | int) -> tuple[StoredPack, StoredPack | None]:
    """The visit's stored pack and handouts PDF (None when it has no handout) for its current inputs, built
    now if they are not stored yet (the task worker: batches, packs built ahead)."""
    data = gather(visit)
    return pack_for(data.visit, data), pack_for(data.visit, data, handouts_only=True) if data.handouts else None


def _store(data: PackData, pdf: bytes, pages: int, *, handouts_only: bool) -> StoredPack:
    """Store the visit's pack (or handouts PDF) under its key, and remove the visit's superseded ones."""
    key = data.handouts_key if handouts_only else data.key
    name = storage_name(data.visit.pk, key, handouts_only=handouts_only)
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(pdf))
    details = {"visit": data.visit, "file": saved, "pages": pages, "size": len(pdf), "created_at": timezone.now()}
    try:
        with transaction.atomic():
            stored, _ = StoredPack.objects.update_or_create(key=key, defaults=details)
    except IntegrityError:  # the same pack was stored by a concurrent request a moment ago
        stored = StoredPack.objects.get(key=key)
    # Superseded packs of this visit describe it as it was: remove them and their files.
    for old in StoredPack.objects.filter(visit=data.visit).exclude(key__in=[data.key, data.handouts_key]):
        if old.file.name != stored.file.name and default_storage.exists(old.file.name):
            default_storage.delete(old.file.name)
        old.delete()
    return stored


def read_pack(stored: StoredPack) -> bytes:
    with default_storage.open(stored.file.name, "rb") as handle:
        return handle.read()


def pack_filename(visit: Visit, *, handouts_only: bool = False) -> str:
    kind = "handouts" if handouts_only else "pack"
    return f"{kind}-{visit.date:%Y-%m-%d}-{slugify(visit.school.name)[:60]}.pdf"
