"""The editable text of the session packs: its formats, its defaults and how a pack reads it.

Each section is plain text in a simple line format (so staff can edit it in the admin without
learning markup); the parsers here turn it into the lists and tables the pack templates show.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from sessions.models import PackContent, SessionType

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "data" / "pack_content.toml"
Section = PackContent.Section

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
    "is the prompt above the write-in lines. "
    "No figures: this page is for children.",
    Section.ARRIVAL: "One step per line.",
    Section.SAFEGUARDING: "One step per line, in the order to follow.",
    Section.LOCAL_PICTURE: "Paragraphs, with a blank line between them. Shown to adults only.",
}


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


@dataclass
class SessionContent:
    """A session type's pack text, parsed."""

    key_messages: list[str] = field(default_factory=list)
    outline: list[Step] = field(default_factory=list)
    words_to_use: list[str] = field(default_factory=list)
    words_to_avoid: list[tuple[str, str]] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    handout_title: str = ""
    handout: list[str] = field(default_factory=list)

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
        found.append(Question(question, answer))
    return found


def paragraphs_raw(text: str) -> list[str]:
    return [block for block in text.strip().split("\n\n") if block.strip()]


def parse_session_content(rows: dict[str, str]) -> SessionContent:
    """Parse one session type's sections (a dict of section → body); missing sections are empty."""
    handout = lines(rows.get(Section.PUPIL_HANDOUT, ""))
    return SessionContent(
        key_messages=lines(rows.get(Section.KEY_MESSAGES, "")),
        outline=parse_outline(rows.get(Section.OUTLINE, "")),
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
        elif content.section == Section.PUPIL_HANDOUT:
            if any(char.isdigit() for char in content.body):
                raise ValidationError("A pupil handout carries no numbers: Childline's number is added for you.")
    except ValidationError as error:
        raise ValidationError({"body": error.messages}) from error


def content_for(session_types) -> tuple[dict[int, SessionContent], dict[str, list[str]], list[tuple]]:
    """The parsed content for the given session types and the shared sections, in one query.

    Returns (per session type id, shared sections as lists of lines, a version list for the cache key).
    """
    ids = {st.pk for st in session_types}
    rows = PackContent.objects.filter(session_type_id__in=ids) | PackContent.objects.filter(session_type__isnull=True)
    per_type: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    shared: dict[str, str] = {}
    versions = []
    for row in rows.order_by("pk"):
        versions.append((row.pk, row.session_type_id, row.section, row.body))
        if row.session_type_id:
            per_type[row.session_type_id][row.section] = row.body
        else:
            shared[row.section] = row.body
    parsed = {pk: parse_session_content(sections) for pk, sections in per_type.items()}
    shared_lines = {
        Section.ARRIVAL: lines(shared.get(Section.ARRIVAL, "")),
        Section.SAFEGUARDING: lines(shared.get(Section.SAFEGUARDING, "")),
        Section.LOCAL_PICTURE: paragraphs(shared.get(Section.LOCAL_PICTURE, "")),
    }
    return parsed, shared_lines, versions


def read_defaults() -> dict[str, dict[str, str]]:
    with open(DEFAULTS_FILE, "rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def load_pack_content() -> dict[str, int]:
    """Create the shipped default content where a section is missing. Never overwrites staff edits."""
    defaults = read_defaults()
    types = {st.slug: st for st in SessionType.objects.all()}
    existing = set(PackContent.objects.values_list("session_type_id", "section"))
    new = []
    for key, sections in defaults.items():
        session_type = None if key == "shared" else types.get(key)
        if key != "shared" and session_type is None:
            continue  # a session type the programme no longer has
        for section, body in sections.items():
            if (session_type.pk if session_type else None, section) not in existing:
                new.append(PackContent(session_type=session_type, section=section, body=body.strip()))
    PackContent.objects.bulk_create(new)
    return {"pack content sections": PackContent.objects.count()}
