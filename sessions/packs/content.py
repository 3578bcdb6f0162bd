"""The editable text of the session packs: its formats, its defaults and how a pack reads it.

Each section is plain text in a simple line format (so staff can edit it in the admin without
learning markup); the parsers here turn it into the lists and tables the pack templates show.
Text may name the school's people and roles with placeholders (`PLACEHOLDERS`), filled per pack by
the school's nation and contacts, so a plan says "tell Helen Ward" and a Welsh school's pack says
"designated safeguarding person". Sections exist per language: a Welsh section replaces the English
one where it exists (`content_for`).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from sessions.models import PackContent, SessionType

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULTS_FILE = DATA_DIR / "pack_content.toml"
WELSH_DEFAULTS_FILE = DATA_DIR / "pack_content_cy.toml"
Section = PackContent.Section
Language = PackContent.Language

# Words a section may use that the pack fills in for each school (see `sessions.packs.nations`).
PLACEHOLDERS = {
    "{lead}": "the safeguarding lead by name and role, or the role alone where no name is recorded",
    "{lead_role}": "the safeguarding lead's role as the school's nation names it",
    "{head}": "headteacher, or principal in Northern Ireland",
    "{designated_officer}": "who takes a concern about the headteacher, as the nation arranges it",
    "{childrens_services}": "the local authority's children's services contact and numbers, where recorded",
}

# The line drawings (static/pack/pictures/<name>.svg) a card or SEND handout line may name.
PICTURES = (
    "body", "feelings", "secret", "surprise", "tell", "hand", "childline", "safe", "online", "friends",
    "toy", "hug", "hurt", "no", "help", "happy", "sad", "worried", "scared", "cross", "calm", "confused",
)

# Bodies of sections this project shipped before and has since corrected (sha256, first 16 hex digits):
# where a database still holds one unchanged, `load_pack_content` replaces it with the new default.
# Staff edits never match, so they are kept.
SUPERSEDED = {
    "5b80dd6cfeb054ab",  # safeguarding: 999 the only fallback, no children's services
    "bc8395b8a9610d38", "cf824af4e6aaf64e", "0dd63eb7451f4526", "ee2e035c70804f0c",  # questions: "Can I tell you now?"
    "66dd3adf38a32852", "f2534f350ccd3700", "0cc226a99f9d1976", "f5520949802a3ed3",  # outlines without ground rules
    "a0cebf0ca6474c4a", "089b4b0e0a49af51",  # KS1 and Year 2 handouts asked five-year-olds to write a list
}

SECTION_HELP = {
    Section.KEY_MESSAGES: "One message per line.",
    Section.OUTLINE: 'One step per line: "minutes | step | what happens". The minutes must add up to '
    "the session's length.",
    Section.WORDS_TO_USE: "One word or phrase per line.",
    Section.WORDS_TO_AVOID: 'One per line: "avoid | say instead".',
    Section.QUESTIONS: 'Each question on a line starting "Q:", its suggested answer on the next line starting '
    '"A:", and a blank line between questions.',
    Section.CLOSING: "Paragraphs, with a blank line between them.",
    Section.PUPIL_HANDOUT: "The first line is the handout's title, then one short message per line; the last line "
    "is the prompt above the space to draw or write in. "
    "No figures: this page is for children.",
    Section.PUPIL_HANDOUT_SEND: 'The first line is the title, then one message per line as "picture | a few words" '
    "(at most eight words). Pictures: " + ", ".join(PICTURES) + ". No figures: this page is for children.",
    Section.GROUND_RULES: "One rule per line, as the volunteer says it to the children.",
    Section.INTERRUPTING: "One line per thing to say, in order, as the volunteer says it to stop a child telling "
    "something private in front of the group.",
    Section.STORY: "The first line is the story's title, then paragraphs with a blank line between them. "
    'A paragraph starting "Pause:" is a question for the children, printed as a prompt.',
    Section.CARDS: 'One card per line: "picture | words" (pictures: ' + ", ".join(PICTURES) + ') or "- | words" '
    "for a scenario card with no picture.",
    Section.EQUIPMENT: "One item per line.",
    Section.ARRIVAL: "One step per line.",
    Section.AFTER_INTERRUPTING: "One step per line, in the order to follow.",
    Section.SAFEGUARDING: "One step per line, in the order to follow.",
    Section.STAFF_CONCERNS: "One step per line, in the order to follow.",
    Section.FEELINGS: 'One face per line: "picture | word" (pictures: happy, sad, worried, scared, cross, calm, '
    "confused).",
    Section.LOCAL_PICTURE: "Paragraphs, with a blank line between them. Shown to adults only.",
}
PLACEHOLDER_HELP = "You may write " + "; ".join(f"{key} for {meaning}" for key, meaning in PLACEHOLDERS.items()) + "."


@dataclass(frozen=True)
class Step:
    minutes: int
    title: str
    detail: str
    starts_after: int = 0  # minutes into the session

    @property
    def heading(self) -> str:
        """The title as the start of a sentence: a full stop only where it has no mark of its own."""
        return self.title if self.title[-1:] in "?!.:" else f"{self.title}."


@dataclass(frozen=True)
class Question:
    question: str
    answer: str
    names_the_school: bool = False  # it holds a placeholder, so its words differ from school to school


@dataclass(frozen=True)
class Card:
    picture: str  # a name in PICTURES, or "" for a words-only scenario card
    words: str


@dataclass
class Story:
    title: str
    paragraphs: list[str]

    @property
    def parts(self) -> list[tuple[bool, str]]:
        """(is a pause for a question, text) for each paragraph."""
        return [(p.lower().startswith("pause:"), p.split(":", 1)[1].strip() if p.lower().startswith("pause:") else p)
                for p in self.paragraphs]


@dataclass
class SessionContent:
    """A session type's pack text in one language, parsed."""

    key_messages: list[str] = field(default_factory=list)
    ground_rules: list[str] = field(default_factory=list)
    interrupting: list[str] = field(default_factory=list)
    outline: list[Step] = field(default_factory=list)
    story: Story | None = None
    cards: list[Card] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    words_to_use: list[str] = field(default_factory=list)
    words_to_avoid: list[tuple[str, str]] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    handout_title: str = ""
    handout: list[str] = field(default_factory=list)
    send_title: str = ""
    send_handout: list[Card] = field(default_factory=list)

    @property
    def outline_minutes(self) -> int:
        return sum(step.minutes for step in self.outline)


def lines(text: str) -> list[str]:
    return [line.strip().removeprefix("- ").strip() for line in text.splitlines() if line.strip()]


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in text.strip().split("\n\n") if block.strip()]


def parse_outline(text: str) -> list[Step]:
    steps, elapsed = [], 0
    for number, line in enumerate(lines(text), start=1):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1]:
            raise ValidationError(f'Outline line {number} should read "minutes | step | what happens": {line!r}')
        steps.append(Step(int(parts[0]), parts[1], parts[2], elapsed))
        elapsed += int(parts[0])
    return steps


def parse_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(lines(text), start=1):
        avoid, sep, instead = line.partition("|")
        if not sep or not avoid.strip() or not instead.strip():
            raise ValidationError(f'Line {number} should read "avoid | say instead": {line!r}')
        pairs.append((avoid.strip(), instead.strip()))
    return pairs


def parse_questions(text: str) -> list[Question]:
    found = []
    for number, block in enumerate(paragraphs_raw(text), start=1):
        q_lines = [line for line in lines(block)]
        question = " ".join(line[2:].strip() for line in q_lines if line[:2].upper() == "Q:")
        answer = " ".join(line[2:].strip() for line in q_lines if line[:2].upper() == "A:")
        if not question or not answer:
            raise ValidationError(f'Question {number} needs a line starting "Q:" and a line starting "A:".')
        found.append(Question(question, answer, any(key in block for key in PLACEHOLDERS)))
    return found


def parse_cards(text: str, pictures=PICTURES) -> list[Card]:
    cards = []
    for number, line in enumerate(lines(text), start=1):
        picture, sep, words = line.partition("|")
        picture, words = picture.strip(), words.strip()
        if not sep or not words:
            raise ValidationError(f'Line {number} should read "picture | words": {line!r}')
        if picture in ("-", ""):
            picture = ""
        elif picture not in pictures:
            raise ValidationError(f"Line {number}: there is no picture called {picture!r}. Use one of: "
                                  + ", ".join(pictures) + ".")
        cards.append(Card(picture, words))
    return cards


def parse_story(text: str) -> Story | None:
    blocks = paragraphs(text)
    if not blocks:
        return None
    title, _, first = text.strip().partition("\n")
    return Story(title.strip(), paragraphs(first))


def fill(text: str, words: dict[str, str]) -> str:
    """The text with its placeholders replaced (unknown braces are left as written)."""
    for key, value in words.items():
        text = text.replace(key, value)
    return text


def filled(content: SessionContent, words: dict[str, str]) -> SessionContent:
    """A copy of the content with every placeholder filled for one school."""
    def walk(value):
        if isinstance(value, str):
            return fill(value, words)
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, tuple):
            return tuple(walk(item) for item in value)
        if hasattr(value, "__dataclass_fields__"):
            return replace(value, **{name: walk(getattr(value, name)) for name in value.__dataclass_fields__})
        return value

    return walk(content)


def paragraphs_raw(text: str) -> list[str]:
    return [block for block in text.strip().split("\n\n") if block.strip()]


def parse_session_content(rows: dict[str, str]) -> SessionContent:
    """Parse one session type's sections (a dict of section → body); missing sections are empty."""
    handout = lines(rows.get(Section.PUPIL_HANDOUT, ""))
    send = rows.get(Section.PUPIL_HANDOUT_SEND, "").strip()
    send_title, _, send_rest = send.partition("\n")
    return SessionContent(
        key_messages=lines(rows.get(Section.KEY_MESSAGES, "")),
        ground_rules=lines(rows.get(Section.GROUND_RULES, "")),
        interrupting=lines(rows.get(Section.INTERRUPTING, "")),
        outline=parse_outline(rows.get(Section.OUTLINE, "")),
        story=parse_story(rows.get(Section.STORY, "")),
        cards=parse_cards(rows.get(Section.CARDS, "")),
        equipment=lines(rows.get(Section.EQUIPMENT, "")),
        send_title=send_title.strip(),
        send_handout=parse_cards(send_rest),
        words_to_use=lines(rows.get(Section.WORDS_TO_USE, "")),
        words_to_avoid=parse_pairs(rows.get(Section.WORDS_TO_AVOID, "")),
        questions=parse_questions(rows.get(Section.QUESTIONS, "")),
        closing=paragraphs(rows.get(Section.CLOSING, "")),
        handout_title=handout[0] if handout else "",
        handout=handout[1:],
    )


def validate_section(content: PackContent) -> None:
    """The checks the admin form runs before saving a section."""
    is_shared = content.section in PackContent.SHARED_SECTIONS
    if is_shared and content.session_type_id:
        raise ValidationError({"session_type": "This section is shared by every pack: leave the session type empty."})
    if not is_shared and not content.session_type_id:
        raise ValidationError({"session_type": "Choose the session type this section is for."})
    try:
        if content.section == Section.OUTLINE:
            steps = parse_outline(content.body)
            total = sum(step.minutes for step in steps)
            if total != content.session_type.duration_minutes:
                raise ValidationError(
                    f"The outline's timings add up to {total} minutes; the {content.session_type.name.lower()} "
                    f"lasts {content.session_type.duration_minutes} minutes."
                )
        elif content.section == Section.WORDS_TO_AVOID:
            parse_pairs(content.body)
        elif content.section == Section.QUESTIONS:
            parse_questions(content.body)
        elif content.section in (Section.CARDS, Section.PUPIL_HANDOUT_SEND, Section.FEELINGS):
            body = content.body.strip()
            if content.section == Section.PUPIL_HANDOUT_SEND:
                body = body.partition("\n")[2]
            parse_cards(body)
        if content.section in (Section.PUPIL_HANDOUT, Section.PUPIL_HANDOUT_SEND):
            if any(char.isdigit() for char in content.body):
                raise ValidationError("A pupil handout carries no numbers: Childline's number is added for you.")
            if "{" in content.body:
                raise ValidationError("A pupil handout names nobody: leave out the {placeholders}.")
    except ValidationError as error:
        raise ValidationError({"body": error.messages}) from error


@dataclass
class Contents:
    """The parsed content for a pack: per session type and language, the shared sections per language,
    and a version list for the cache key."""

    per_type: dict[int, dict[str, SessionContent]]
    shared: dict[str, dict[str, list]]
    versions: list[tuple]
    welsh_unreviewed: bool = False


def content_for(session_types) -> Contents:
    """The parsed content for the given session types and the shared sections, in one query.

    Each language's content is the English sections with that language's sections laid over them,
    so a Welsh pack never lacks a section that only exists in English.
    """
    ids = {st.pk for st in session_types}
    rows = PackContent.objects.filter(session_type_id__in=ids) | PackContent.objects.filter(session_type__isnull=True)
    languages = [code for code, _ in Language.choices]
    per_type: dict[int, dict[str, dict[str, str]]] = {pk: {code: {} for code in languages} for pk in ids}
    shared: dict[str, dict[str, str]] = {code: {} for code in languages}
    versions = []
    welsh_unreviewed = False
    # The columns alone: a pack download reads every section of its sessions (about 120 rows).
    columns = ("pk", "session_type_id", "section", "language", "body", "reviewed_by", "reviewed_on")
    for pk, session_type_id, section, language, body, reviewed_by, reviewed_on in (
        rows.order_by("pk").values_list(*columns)
    ):
        versions.append((pk, session_type_id, section, language, body, str(reviewed_on)))
        welsh_unreviewed |= language == Language.WELSH and not PackContent.counts_as_reviewed(reviewed_by, reviewed_on)
        target = per_type[session_type_id] if session_type_id else shared
        target[language][section] = body

    def laid_over(sections: dict[str, dict[str, str]], code: str) -> dict[str, str]:
        return {**sections[Language.ENGLISH], **sections[code]}

    parsed = {
        pk: {code: parse_session_content(laid_over(sections, code)) for code in languages}
        for pk, sections in per_type.items()
    }
    shared_parsed = {}
    for code in languages:
        texts = laid_over(shared, code)
        shared_parsed[code] = {
            Section.ARRIVAL: lines(texts.get(Section.ARRIVAL, "")),
            Section.AFTER_INTERRUPTING: lines(texts.get(Section.AFTER_INTERRUPTING, "")),
            Section.SAFEGUARDING: lines(texts.get(Section.SAFEGUARDING, "")),
            Section.STAFF_CONCERNS: lines(texts.get(Section.STAFF_CONCERNS, "")),
            Section.FEELINGS: parse_cards(texts.get(Section.FEELINGS, "")),
            Section.LOCAL_PICTURE: paragraphs(texts.get(Section.LOCAL_PICTURE, "")),
        }
    return Contents(parsed, shared_parsed, versions, welsh_unreviewed)


def read_defaults(path: Path = DEFAULTS_FILE) -> dict[str, dict[str, str]]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _digest(body: str) -> str:
    return hashlib.sha256(body.strip().encode()).hexdigest()[:16]


@transaction.atomic
def load_pack_content() -> dict[str, int]:
    """Create the shipped default content where a section is missing. Never overwrites staff edits:
    only a section still holding a default this project has since corrected (`SUPERSEDED`) is
    replaced, and its review cleared. A section still holding its shipped default takes the shipped
    source note (the text is unchanged, so its review stands)."""
    types = {st.slug: st for st in SessionType.objects.all()}
    existing = {
        (row.session_type_id, row.section, row.language): row for row in PackContent.objects.all()
    }
    new, changed = [], []
    for path, language in ((DEFAULTS_FILE, Language.ENGLISH), (WELSH_DEFAULTS_FILE, Language.WELSH)):
        defaults = read_defaults(path)
        meta = defaults.pop("meta", {})
        author = meta.get("author", "")
        notes = meta.get("source_notes", {})
        for key, sections in defaults.items():
            session_type = None if key == "shared" else types.get(key)
            if key != "shared" and session_type is None:
                continue  # a session type the programme no longer has
            for section, body in sections.items():
                body = body.strip()
                note = notes.get(f"{key}.{section}", "")
                row = existing.get((session_type.pk if session_type else None, section, language))
                if row is None:
                    new.append(PackContent(session_type=session_type, section=section, language=language, body=body,
                                           author=author, source_note=note))
                elif _digest(row.body) in SUPERSEDED and row.body.strip() != body:
                    row.body, row.author, row.source_note = body, author, note
                    row.reviewed_by, row.reviewed_on = "", None
                    changed.append(row)
                elif _digest(row.body) == _digest(body) and (not row.author or row.source_note != note):
                    # Still the shipped default: its author (where loaded before authors were recorded) and
                    # its source note follow the shipped ones, so a corrected citation reaches every database.
                    row.author, row.source_note = row.author or author, note
                    changed.append(row)
    PackContent.objects.bulk_create(new)
    PackContent.objects.bulk_update(changed, ["body", "author", "source_note", "reviewed_by", "reviewed_on"])
    return {"pack content sections": PackContent.objects.count()}
