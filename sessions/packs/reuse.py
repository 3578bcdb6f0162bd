"""Parts that many packs share, laid out once per process and drawn onto each pack's pages.

A session's story and cards, the feelings faces, an authority's local picture and the pupils' handouts are
the same in every pack that has them, and they are a third to a half of what WeasyPrint lays out for a pack
(docs/benchmarks.md). A template marks such a part by wrapping its one `<section>` in `<!-- reusable -->`
and `<!-- /reusable -->`. What a part draws on its pages depends only on its own HTML: it holds no page
number and no reference to anything outside it, and the page heads and feet around it are the pack's.

So a part is known by a hash of its HTML (less its section's id), the document's language and the pack's
design. The first time a part is seen it is laid out alone, in a document of its own with empty page
margins (`static/pack/parts.css`), and its PDF is kept. The pack is then laid out with, in each part's
place, the same `<section>` (its id, page type and running head) holding one empty page per page of the
part, and the part's headings as bookmarks: WeasyPrint writes the page heads and feet, the page numbers,
the cover's contents and the bookmarks as before. Each of the part's pages is then drawn under what the pack
drew on its empty page (its heads, feet and any draft band; pikepdf: the part's page as a form XObject).
A test compares every page with the pack laid out whole.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from html import escape
from typing import Any

START, END = "<!-- reusable -->", "<!-- /reusable -->"
_PART = re.compile(re.escape(START) + r"(.*?)" + re.escape(END), re.S)
_SECTION = re.compile(r"\s*<section\b[^>]*>")
_ID = re.compile(r'\sid="[^"]*"')
_LANG = re.compile(r'<html\b[^>]*\blang="([^"]*)"')
# About 60 parts for every session type, language and nation, and one local picture per authority; each
# is kept as its PDF (6–37 KB in the demo).
MOST_KEPT = 400


@dataclass(frozen=True)
class Part:
    """A part laid out alone: its PDF, and for each of its pages the bookmarks on it (level, label)."""

    pdf: bytes
    bookmarks: tuple[tuple[tuple[int, str], ...], ...]

    @property
    def pages(self) -> int:
        return len(self.bookmarks)


@dataclass(frozen=True)
class Placement:
    """Where a part goes in a pack: the ids of the empty pages its pages are drawn on, in order."""

    key: str
    part: Part
    anchors: tuple[str, ...]


_kept: OrderedDict[str, Part] = OrderedDict()
_lock = threading.Lock()


def part_key(design: str, lang: str, section: str) -> str:
    """What a part draws depends on its HTML, the document's language and the design, not on its id."""
    tag = _SECTION.match(section)
    if tag is None:
        raise ValueError("A reusable part of the pack must be one <section>.")
    if 'href="#' in section:  # its page number would depend on the pack it is in
        raise ValueError("A reusable part of the pack may not link to another part of it.")
    without_id = _ID.sub("", tag.group(0), count=1) + section[tag.end():]
    return hashlib.sha256("\0".join((design, lang, without_id.strip())).encode()).hexdigest()


def part_document(lang: str, section: str) -> str:
    return f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head><body>{section}</body></html>'


def frame(html: str, design: str, lay_out: Callable[..., Any]) -> tuple[str, list[Placement]]:
    """The pack's HTML with each reusable part replaced by its section holding empty pages, and where each
    part's pages go. `lay_out(html, part=True)` lays out a part not seen before (a WeasyPrint Document)."""
    lang_match = _LANG.search(html)
    lang = lang_match.group(1) if lang_match else "en-GB"
    placements: list[Placement] = []

    def replace(match: re.Match) -> str:
        section = match.group(1).strip()
        key = part_key(design, lang, section)
        part = _part(key, lang, section, lay_out)
        n = len(placements)
        anchors = tuple(f"reused-{n}-{page}" for page in range(part.pages))
        placements.append(Placement(key, part, anchors))
        pages = "".join(
            f'<div class="reused-page" id="{anchor}">'
            + "".join(
                f'<span class="reused-bookmark reused-bookmark-{min(level, 6)}" data-label="{escape(label)}"></span>'
                for level, label in bookmarks
            )
            + "</div>"
            for anchor, bookmarks in zip(anchors, part.bookmarks, strict=True)
        )
        tag = _SECTION.match(section).group(0).strip()
        return f"{tag.removesuffix('>')} data-reused>{pages}</section>"

    return _PART.sub(replace, html), placements


def _part(key: str, lang: str, section: str, lay_out: Callable[..., Any]) -> Part:
    with _lock:
        part = _kept.get(key)
        if part is not None:
            _kept.move_to_end(key)
            return part
    document = lay_out(part_document(lang, section), part=True)
    part = Part(
        pdf=document.write_pdf(),
        bookmarks=tuple(tuple((level, label) for level, label, *_ in page.bookmarks) for page in document.pages),
    )
    with _lock:
        _kept[key] = part
        while len(_kept) > MOST_KEPT:
            _kept.popitem(last=False)
    return part


def forget() -> None:
    """Lay every part out afresh from now on (tests; a new design gives new keys anyway)."""
    with _lock:
        _kept.clear()


def draw(pdf: bytes, document: Any, placements: list[Placement]) -> bytes:
    """The pack's PDF with each part's pages drawn under the empty pages laid out for them (so the page reads
    in the order a pack laid out whole does: the part's words, then the page's head and foot)."""
    if not placements:
        return pdf
    import pikepdf  # noqa: PLC0415 — loaded with the renderer, on the first pack

    page_of = {anchor: number for number, page in enumerate(document.pages) for anchor in page.anchors}
    with ExitStack() as stack:
        target = stack.enter_context(pikepdf.open(io.BytesIO(pdf)))
        sources: dict[str, Any] = {}
        for placement in placements:
            if placement.key not in sources:  # the part's PDF stays open until the pack is written
                sources[placement.key] = stack.enter_context(pikepdf.open(io.BytesIO(placement.part.pdf)))
            source = sources[placement.key]
            for anchor, page in zip(placement.anchors, source.pages, strict=True):
                target.pages[page_of[anchor]].add_underlay(page)
        out = io.BytesIO()
        target.save(out)
        return out.getvalue()
