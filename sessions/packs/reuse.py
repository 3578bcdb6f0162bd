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

A block is the same within a page: a `<div class="…">` in a section that never breaks across pages (a session
plan's key messages, its words to use and avoid, each question whose answer names nobody, how to close),
wrapped in `<!-- reusable block -->` and `<!-- /reusable block -->`. It is known by a hash of its HTML, its
section's tag (less its id and running head: the styles it inherits), the language and the design. The
first time it is seen it is laid out alone inside a copy of that tag (so nothing between the section and the
block may change how it looks: the question list adds no margin at its sides), its border box is measured and
its PDF kept. The pack is laid out with, in its place, an empty box with the block's classes (so the same
margins and page breaks) and height, holding a small transparent image that marks it; WeasyPrint draws that
image where the block's words come in the page, and the image is then replaced by the block's page, cut to
the block and moved from where it was laid out alone. Both are drawn in CSS pixels on the same page size, so
the pages differ from the pack laid out whole by rounding at most (one level of 255, in a few pixels).

Tests compare every page with the pack laid out whole.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any

START, END = "<!-- reusable -->", "<!-- /reusable -->"
BLOCK_START, BLOCK_END = "<!-- reusable block -->", "<!-- /reusable block -->"
# In the pack's HTML, in order: each section's opening tag (a block is laid out inside a copy of it), each part
# and each block.
_PIECE = re.compile(
    r"(?P<section><section\b[^>]*>)"
    rf"|{re.escape(START)}(?P<part>.*?){re.escape(END)}"
    rf"|{re.escape(BLOCK_START)}(?P<block>.*?){re.escape(BLOCK_END)}",
    re.S,
)
_SECTION = re.compile(r"\s*<section\b[^>]*>")
_BLOCK_TAG = re.compile(r'<div class="(?P<classes>[^"]+)">')
_RUNNING = re.compile(r'\sdata-running="[^"]*"')
_BLOCK_ID = "reusable-block"
MARK_WIDTH = 7  # a block's mark is this many pixels wide (the pack's other images are drawings, not pixels)
_ID = re.compile(r'\sid="[^"]*"')
_LANG = re.compile(r'<html\b[^>]*\blang="([^"]*)"')
# About 60 parts for every session type, language and nation, one local picture per authority, and about 60
# blocks (seven a plan, in English and in Welsh); each is kept as its PDF (parts 6–38 KB in the demo, blocks
# 6–12 KB).
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


@dataclass(frozen=True)
class Block:
    """A block laid out alone: its PDF, where on its one page its border box is (CSS pixels from the top left:
    left, top, width, height), and the bookmarks in it (level, label)."""

    pdf: bytes
    box: tuple[float, float, float, float]
    bookmarks: tuple[tuple[int, str], ...]

    @property
    def height(self) -> float:
        return self.box[3]


@dataclass(frozen=True)
class BlockPlacement:
    """Where a block goes in a pack: the empty block of its height holding the image marked `number`."""

    key: str
    block: Block
    number: int


_kept: OrderedDict[str, Part | Block] = OrderedDict()
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


def block_key(design: str, lang: str, section_tag: str, block: str) -> str:
    """What a block draws depends on its HTML, the section it is in (the styles it inherits), the document's
    language and the design, not on the section's id or running head."""
    if not _BLOCK_TAG.match(block):
        raise ValueError("A reusable block of the pack must be one <div> with a class.")
    if re.search(r"<[^>]*\s(id|href)=", block):  # a link or a link's target inside would be lost from the pack
        raise ValueError("A reusable block of the pack may hold no link and no id.")
    context = _RUNNING.sub("", _ID.sub("", section_tag))
    return hashlib.sha256("\0".join(("block", design, lang, context, block.strip())).encode()).hexdigest()


def frame(html: str, design: str, lay_out: Callable[..., Any]) -> tuple[str, list[Placement | BlockPlacement]]:
    """The pack's HTML with each reusable part replaced by its section holding empty pages and each reusable
    block by an empty block of its height, and where each goes. `lay_out(html, part=True)` lays out a part or
    block not seen before (a WeasyPrint Document)."""
    lang_match = _LANG.search(html)
    lang = lang_match.group(1) if lang_match else "en-GB"
    placements: list[Placement | BlockPlacement] = []
    heights: list[str] = []
    section_tag = ""

    def replace(match: re.Match) -> str:
        nonlocal section_tag
        if match.group("section"):
            section_tag = match.group("section")
            return section_tag
        if match.group("block") is not None:
            return replace_block(match.group("block").strip())
        section = match.group("part").strip()
        key = part_key(design, lang, section)
        part = _part(key, lang, section, lay_out)
        n = len(placements)
        anchors = tuple(f"reused-{n}-{page}" for page in range(part.pages))
        placements.append(Placement(key, part, anchors))
        pages = "".join(
            f'<div class="reused-page" id="{anchor}">{_bookmarks(bookmarks)}</div>'
            for anchor, bookmarks in zip(anchors, part.bookmarks, strict=True)
        )
        tag = _SECTION.match(section).group(0).strip()
        return f"{tag.removesuffix('>')} data-reused>{pages}</section>"

    def replace_block(block: str) -> str:
        key = block_key(design, lang, section_tag, block)
        laid = _block(key, lang, section_tag, block, lay_out)
        n = len(placements)
        placements.append(BlockPlacement(key, laid, n))
        heights.append(f".reused-block-{n} {{ height: {laid.height!r}px; }}")
        classes = _BLOCK_TAG.match(block).group("classes")
        return (f'<div class="{classes} reused-block reused-block-{n}">{_bookmarks(laid.bookmarks)}'
                f'<img class="reused-block-mark" src="{_mark(n)}" alt=""></div>')

    framed = _PIECE.sub(replace, html)
    if heights:  # each empty block's height, as laid out alone
        framed = framed.replace("</head>", f"<style>{' '.join(heights)}</style></head>", 1)
    return framed, placements


def _bookmarks(bookmarks: tuple[tuple[int, str], ...]) -> str:
    return "".join(
        f'<span class="reused-bookmark reused-bookmark-{min(level, 6)}" data-label="{escape(label)}"></span>'
        for level, label in bookmarks
    )


@cache
def _mark(number: int) -> str:
    """A transparent image MARK_WIDTH pixels wide and `number` + 1 high, as a data: URL: WeasyPrint draws it
    where the empty block is, in the order of the page, and `draw` puts the block there in its place."""
    from PIL import Image  # noqa: PLC0415 — with WeasyPrint, which needs it

    out = io.BytesIO()
    Image.new("RGBA", (MARK_WIDTH, number + 1), (0, 0, 0, 0)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _block(key: str, lang: str, section_tag: str, block: str, lay_out: Callable[..., Any]) -> Block:
    def lay_out_alone() -> Block:
        marked = _BLOCK_TAG.sub(lambda m: f'{m.group(0).removesuffix(">")} id="{_BLOCK_ID}">', block, count=1)
        document = lay_out(part_document(lang, f"{section_tag}{marked}</section>"), part=True)
        if len(document.pages) != 1:
            raise ValueError("A reusable block of the pack must fit on one page.")
        page = document.pages[0]
        box = next(
            (box for box in page._page_box.descendants()  # noqa: SLF001 — the laid-out boxes of the page
             if box.element is not None and box.element.get("id") == _BLOCK_ID),
            None,
        )
        if box is None:
            raise ValueError("A reusable block of the pack must be laid out.")
        return Block(
            pdf=document.write_pdf(),
            box=(box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height()),
            bookmarks=tuple((level, label) for level, label, *_ in page.bookmarks),
        )

    return _kept_or_made(key, lay_out_alone)


def _part(key: str, lang: str, section: str, lay_out: Callable[..., Any]) -> Part:
    def lay_out_alone() -> Part:
        document = lay_out(part_document(lang, section), part=True)
        return Part(
            pdf=document.write_pdf(),
            bookmarks=tuple(tuple((level, label) for level, label, *_ in page.bookmarks) for page in document.pages),
        )

    return _kept_or_made(key, lay_out_alone)


def _kept_or_made(key: str, make: Callable[[], Part | Block]) -> Any:
    """The part or block kept under `key`, or made now and kept (the least recently used go past MOST_KEPT)."""
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return kept
    made = make()
    with _lock:
        _kept[key] = made
        while len(_kept) > MOST_KEPT:
            _kept.popitem(last=False)
    return made


def forget() -> None:
    """Lay every part out afresh from now on (tests; a new design gives new keys anyway)."""
    with _lock:
        _kept.clear()


def draw(pdf: bytes, document: Any, placements: list[Placement | BlockPlacement]) -> bytes:
    """The pack's PDF with each part's pages drawn under the empty pages laid out for them (so the page reads
    in the order a pack laid out whole does: the part's words, then the page's head and foot), and each block
    drawn in its empty block's place, in the order of the page, instead of the image marking it."""
    if not placements:
        return pdf
    import pikepdf  # noqa: PLC0415 — loaded with the renderer, on the first pack

    page_of = {anchor: number for number, page in enumerate(document.pages) for anchor in page.anchors}
    with ExitStack() as stack:
        target = stack.enter_context(pikepdf.open(io.BytesIO(pdf)))
        sources: dict[str, Any] = {}

        def source(placement: Placement | BlockPlacement) -> Any:
            if placement.key not in sources:  # the part's PDF stays open until the pack is written
                laid = placement.part if isinstance(placement, Placement) else placement.block
                sources[placement.key] = stack.enter_context(pikepdf.open(io.BytesIO(laid.pdf)))
            return sources[placement.key]

        blocks = {placement.number: placement for placement in placements if isinstance(placement, BlockPlacement)}
        if blocks:  # first, while each page's content is still one stream
            _draw_blocks(target, blocks, source)
        for placement in placements:
            if isinstance(placement, Placement):
                for anchor, page in zip(placement.anchors, source(placement).pages, strict=True):
                    target.pages[page_of[anchor]].add_underlay(page)
        out = io.BytesIO()
        target.save(out)
        return out.getvalue()


def _draw_blocks(target: Any, blocks: dict[int, BlockPlacement], source: Callable[..., Any]) -> None:
    """Draw each block where its mark was drawn, in the page's order: the mark's image is replaced by the block's
    page as a form, cut to the block, and the mark's scaling to its box by a move from where the block was
    laid out alone to the empty block. Both pages are drawn in CSS pixels from the same page size, so the
    block's words and lines land where the pack laid out whole puts them."""
    import pikepdf  # noqa: PLC0415

    marks: dict[str, BlockPlacement] = {}  # the marks' names in the pages' resources (often shared)
    for page in target.pages:
        for name, xobject in page.obj.get("/Resources", {}).get("/XObject", {}).items():
            if xobject.get("/Subtype") == "/Image" and xobject.get("/Width") == MARK_WIDTH:
                if (placement := blocks.get(int(xobject.get("/Height")) - 1)) is not None:
                    marks[name] = placement
    forms: dict[str, Any] = {}
    drawn: set[int] = set()
    for page in target.pages:
        content = page.obj.Contents.read_bytes()
        changed = False
        for name, placement in marks.items():
            if name.encode() not in content:
                continue
            left, top = placement.block.box[:2]
            content, found = re.subn(
                rb"q\n\S+ 0 0 -\S+ 0 \S+ cm\n" + re.escape(name.encode()) + rb" Do\n",
                b"q\n1 0 0 1 %.6f %.6f cm\n" % (-left, -top) + name.encode() + b" Do\n",
                content,
            )
            if found:
                changed = True
                drawn.add(placement.number)
                if placement.key not in forms:
                    forms[placement.key] = _form(target, source(placement), placement.block, pikepdf)
                page.obj.Resources.XObject[name] = forms[placement.key]
        if changed:
            page.obj.Contents.write(content)
    if drawn != set(blocks):
        raise ValueError(f"Reusable blocks {sorted(set(blocks) - drawn)} of the pack were not drawn.")


def _form(target: Any, source: Any, block: Block, pikepdf: Any) -> Any:
    """The block's page as a form in CSS pixels (its page's own change to PDF points left out), cut to the
    block's border box."""
    page = source.pages[0].obj
    content = page.Contents.read_bytes()
    # "flip the page; save the state; scale pixels to points": the state saved is restored at the content's end
    scale = re.match(rb"1 0 0 -1 0 \S+ cm\nq\n0\.75 0 0 0\.75 0 0 cm\n", content)
    if scale is None or not content.rstrip().endswith(b"Q"):
        raise ValueError("A reusable block's page does not start as WeasyPrint's pages do.")
    left, top, width, height = block.box
    form = pikepdf.Stream(target, b"q\n" + content[scale.end():])
    form.Type = pikepdf.Name.XObject
    form.Subtype = pikepdf.Name.Form
    form.BBox = pikepdf.Array([left, top, left + width, top + height])
    form.Resources = target.copy_foreign(page.Resources)
    return target.make_indirect(form)
