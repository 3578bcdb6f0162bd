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

A page number of the cover's contents is the same in every pack that gives it, and WeasyPrint learns a
`target-counter()` only by laying the cover out twice more once the pages after it are made
(docs/benchmarks.md). The contents' numbers take the room of two figures (print.css), so in the pack each
`<a class="page-ref">` holds a no-break space instead, after a small transparent image that marks its room;
once the pack is laid out, the page each link goes to is known, and its number is drawn in place of the image
as a block is, its room's left edge and baseline on the image's. The numbers 1 to 99 are laid out alone once
per process, together, one a page, so that the numbers a pack draws bring one small font between them.

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
    rf"|{re.escape(BLOCK_START)}(?P<block>.*?){re.escape(BLOCK_END)}"
    r'|<a class="page-ref" href="#(?P<target>[^"]+)"></a>',
    re.S,
)
_SECTION = re.compile(r"\s*<section\b[^>]*>")
_BLOCK_TAG = re.compile(r'<div class="(?P<classes>[^"]+)">')
_RUNNING = re.compile(r'\sdata-running="[^"]*"')
_BLOCK_ID = "reusable-block"
MARK_WIDTH = 7  # a block's mark is this many pixels wide (the pack's other images are drawings, not pixels)
NUMBER_MARK_WIDTH = 5  # and a page number's
NUMBERS_LAID_OUT = 99  # the page numbers laid out together (two figures); a greater one is laid out alone
_ID = re.compile(r'\sid="[^"]*"')
_LANG = re.compile(r'<html\b[^>]*\blang="([^"]*)"')
# About 60 parts for every session type, language and nation, one local picture per authority, about 60 blocks
# (seven a plan, in English and in Welsh) and the contents' page numbers (in each language); each is kept as
# its PDF (parts 6–38 KB in the demo, blocks 6–12 KB, the page numbers 1 to 99 together 26 KB).
MOST_KEPT = 500


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

    page = 0  # its page of `pdf`, as a page number's

    @property
    def height(self) -> float:
        return self.box[3]


@dataclass(frozen=True)
class BlockPlacement:
    """Where a block goes in a pack: the empty block of its height holding the image marked `number`."""

    key: str
    block: Block
    number: int


@dataclass(frozen=True)
class PageNumbers:
    """Page numbers from `first` laid out alone, one a page, each in its room: their PDF (one font for them all,
    so a pack carries it once however many numbers it draws), and for each the room's border box (as a block's)
    and the height of its baseline (CSS pixels from the top of the page)."""

    pdf: bytes
    first: int
    rooms: tuple[tuple[tuple[float, float, float, float], float], ...]


@dataclass(frozen=True)
class PageNumber:
    """One of those numbers: its page of their PDF, its room and its baseline."""

    pdf: bytes
    page: int
    box: tuple[float, float, float, float]
    baseline: float


@dataclass(frozen=True)
class PageRef:
    """Where a page number goes in a pack: the room holding the image marked `number`, and the anchor whose page
    it gives; what the number is laid out in (the language, design and the section it is in) as for a block."""

    target: str
    number: int
    design: str
    lang: str
    section_tag: str


_kept: OrderedDict[str, Part | Block | PageNumbers] = OrderedDict()
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
    return hashlib.sha256("\0".join(("block", design, lang, _context(section_tag), block.strip())).encode()).hexdigest()


def _context(section_tag: str) -> str:
    """The section's tag as what it gives a block or page number laid out inside it: less its id and running head."""
    return _RUNNING.sub("", _ID.sub("", section_tag))


Placements = list[Placement | BlockPlacement | PageRef]


def frame(html: str, design: str, lay_out: Callable[..., Any]) -> tuple[str, Placements]:
    """The pack's HTML with each reusable part replaced by its section holding empty pages, each reusable block
    by an empty block of its height and each page number of the contents by an image marking its room, and where
    each goes. `lay_out(html, part=True)` lays out a part or block not seen before (a WeasyPrint Document)."""
    lang_match = _LANG.search(html)
    lang = lang_match.group(1) if lang_match else "en-GB"
    placements: Placements = []
    heights: list[str] = []
    section_tag = ""

    def replace(match: re.Match) -> str:
        nonlocal section_tag
        if match.group("section"):
            section_tag = match.group("section")
            return section_tag
        if match.group("target"):
            n = len(placements)
            placements.append(PageRef(match.group("target"), n, design, lang, section_tag))
            return (f'<span class="page-ref-drawn"><img class="page-ref-mark" src="{_mark(n, NUMBER_MARK_WIDTH)}" '
                    f'alt=""><a class="page-ref" href="#{match.group("target")}"></a></span>')
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
def _mark(number: int, width: int = MARK_WIDTH) -> str:
    """A transparent image `width` pixels wide and `number` + 1 high, as a data: URL: WeasyPrint draws it where
    the empty block (or a page number's room) is, in the order of the page, and `draw` puts the block there in
    its place."""
    from PIL import Image  # noqa: PLC0415 — with WeasyPrint, which needs it

    out = io.BytesIO()
    Image.new("RGBA", (width, number + 1), (0, 0, 0, 0)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _block(key: str, lang: str, section_tag: str, block: str, lay_out: Callable[..., Any]) -> Block:
    def lay_out_alone() -> Block:
        marked = _BLOCK_TAG.sub(lambda m: f'{m.group(0).removesuffix(">")} id="{_BLOCK_ID}">', block, count=1)
        document = lay_out(part_document(lang, f"{section_tag}{marked}</section>"), part=True)
        if len(document.pages) != 1:
            raise ValueError("A reusable block of the pack must fit on one page.")
        page = document.pages[0]
        box = _laid_out_box(page, _BLOCK_ID)
        if box is None:
            raise ValueError("A reusable block of the pack must be laid out.")
        return Block(
            pdf=document.write_pdf(),
            box=_border_box(box),
            bookmarks=tuple((level, label) for level, label, *_ in page.bookmarks),
        )

    return _kept_or_made(key, lay_out_alone)


def _laid_out_box(page: Any, element_id: str, *, after: bool = False) -> Any:
    """The box WeasyPrint laid out on the page for the element with this id (or for its `::after`), or None."""
    return next(
        (box for box in page._page_box.descendants()  # noqa: SLF001 — the laid-out boxes of the page
         if box.element is not None and box.element.get("id") == element_id
         and (box.element_tag or "").endswith("::after") == after),
        None,
    )


def _border_box(box: Any) -> tuple[float, float, float, float]:
    return box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height()


def _page_number(ref: PageRef, page: int, lay_out: Callable[..., Any]) -> PageNumber:
    """The number `page` laid out alone in a page number's room, as the contents show it: one of the numbers
    up to NUMBERS_LAID_OUT, laid out together once, or a greater one alone."""
    numbers = _page_numbers(ref, *((1, NUMBERS_LAID_OUT) if page <= NUMBERS_LAID_OUT else (page, page)), lay_out)
    box, baseline = numbers.rooms[page - numbers.first]
    return PageNumber(numbers.pdf, page - numbers.first, box, baseline)


def _page_numbers(ref: PageRef, first: int, last: int, lay_out: Callable[..., Any]) -> PageNumbers:
    context = _context(ref.section_tag)
    key = "\0".join(("pages", ref.design, ref.lang, context, str(first), str(last)))
    key = hashlib.sha256(key.encode()).hexdigest()

    def lay_out_alone() -> PageNumbers:
        numbers = "".join(
            f'<nav class="contents page-number-alone"><p><a class="page-ref page-ref-alone" id="page-number-{n}" '
            f'data-page="{n}"></a></p></nav>'
            for n in range(first, last + 1)
        )
        document = lay_out(part_document(ref.lang, f"{context}{numbers}</section>"), part=True)
        rooms = []
        for n, page in zip(range(first, last + 1), document.pages, strict=True):  # one a page
            room = _laid_out_box(page, f"page-number-{n}", after=True)
            if room is None:
                raise ValueError("A page number of the contents must be laid out in its room.")
            rooms.append((_border_box(room), room.position_y + room.baseline))
        return PageNumbers(pdf=document.write_pdf(), first=first, rooms=tuple(rooms))

    return _kept_or_made(key, lay_out_alone)


def _part(key: str, lang: str, section: str, lay_out: Callable[..., Any]) -> Part:
    def lay_out_alone() -> Part:
        document = lay_out(part_document(lang, section), part=True)
        return Part(
            pdf=document.write_pdf(),
            bookmarks=tuple(tuple((level, label) for level, label, *_ in page.bookmarks) for page in document.pages),
        )

    return _kept_or_made(key, lay_out_alone)


def _kept_or_made(key: str, make: Callable[[], Part | Block | PageNumbers]) -> Any:
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


def draw(pdf: bytes, document: Any, placements: Placements, lay_out: Callable[..., Any]) -> bytes:
    """The pack's PDF with each part's pages drawn under the empty pages laid out for them (so the page reads
    in the order a pack laid out whole does: the part's words, then the page's head and foot), and each block
    and page number drawn in its place, in the order of the page, instead of the image marking it.
    `lay_out` lays out a page number not seen before."""
    if not placements:
        return pdf
    import pikepdf  # noqa: PLC0415 — loaded with the renderer, on the first pack

    page_of: dict[str, int] = {}  # each anchor's first page (a section's id is on every page of it)
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
    with ExitStack() as stack:
        target = stack.enter_context(pikepdf.open(io.BytesIO(pdf)))
        sources: dict[int, Any] = {}  # by the PDF's bytes: every page number is a page of one PDF

        def source(laid: Part | Block | PageNumber) -> Any:
            if id(laid.pdf) not in sources:  # it stays open until the pack is written
                sources[id(laid.pdf)] = stack.enter_context(pikepdf.open(io.BytesIO(laid.pdf)))
            return sources[id(laid.pdf)]

        marked = {
            (MARK_WIDTH, placement.number): placement.block
            for placement in placements if isinstance(placement, BlockPlacement)
        } | {
            (NUMBER_MARK_WIDTH, placement.number): _page_number(placement, _page_of(placement, page_of) + 1, lay_out)
            for placement in placements if isinstance(placement, PageRef)
        }
        if marked:  # first, while each page's content is still one stream
            _draw_marked(target, marked, source)
        for placement in placements:
            if isinstance(placement, Placement):
                for anchor, page in zip(placement.anchors, source(placement.part).pages, strict=True):
                    target.pages[page_of[anchor]].add_underlay(page)
        out = io.BytesIO()
        target.save(out)
        return out.getvalue()


def _page_of(ref: PageRef, page_of: dict[str, int]) -> int:
    if ref.target not in page_of:
        raise ValueError(f"The pack's contents link to #{ref.target}, which is not in the pack.")
    return page_of[ref.target]


def _draw_marked(target: Any, marked: dict[tuple[int, int], Block | PageNumber], source: Callable[..., Any]) -> None:
    """Draw each block and page number where its mark was drawn, in the page's order: the mark's image is
    replaced by the laid-out page as a form, cut to the block (or the number's room), and the mark's scaling to
    its box by a move from where it was laid out alone: a block's top left to the mark's, a number's room's
    left edge and baseline to the mark's left edge and foot. Both pages are drawn in CSS pixels from the same
    page size, so the words and lines land where the pack laid out whole puts them."""
    import pikepdf  # noqa: PLC0415

    marks: dict[str, tuple[int, int]] = {}  # the marks' names in the pages' resources (often shared)
    pages = []  # the pages whose resources hold a mark: only their content is read
    for page in target.pages:
        holds_a_mark = False
        for name, xobject in page.obj.get("/Resources", {}).get("/XObject", {}).items():
            if xobject.get("/Subtype") == "/Image" and xobject.get("/Width") in (MARK_WIDTH, NUMBER_MARK_WIDTH):
                mark = (int(xobject.get("/Width")), int(xobject.get("/Height")) - 1)
                if mark in marked:
                    marks[name] = mark
                    holds_a_mark = True
        if holds_a_mark:
            pages.append(page)
    forms: dict[tuple[int, int], Any] = {}  # one form for each block or number, however many times it is drawn
    drawn: set[tuple[int, int]] = set()
    for page in pages:
        content = page.obj.Contents.read_bytes()
        changed = False
        for name, mark in marks.items():
            laid = marked[mark]
            if name.encode() not in content:
                continue

            def moved(match: re.Match, laid: Block | PageNumber = laid) -> bytes:
                left, top = laid.box[:2]
                if isinstance(laid, PageNumber):  # the mark: at the room's left, its foot (its height) on the baseline
                    x, y = -left, float(match.group(1)) - laid.baseline
                else:
                    x, y = -left, -top
                return b"q\n1 0 0 1 %.6f %.6f cm\n" % (x, y) + match.group(2)

            content, found = re.subn(
                rb"q\n\S+ 0 0 -(\S+) 0 \S+ cm\n(" + re.escape(name.encode()) + rb" Do\n)", moved, content
            )
            if found:
                changed = True
                drawn.add(mark)
                if (id(laid.pdf), laid.page) not in forms:
                    forms[id(laid.pdf), laid.page] = _form(target, source(laid), laid, pikepdf)
                page.obj.Resources.XObject[name] = forms[id(laid.pdf), laid.page]
        if changed:
            page.obj.Contents.write(content)
    if missing := sorted(set(marked) - drawn):
        raise ValueError(f"Reusable blocks or page numbers {missing} (mark width, number) of the pack were not drawn.")


def _form(target: Any, source: Any, block: Block | PageNumber, pikepdf: Any) -> Any:
    """The block's (or number's) page as a form in CSS pixels (its page's own change to PDF points left out),
    cut to the block's border box (or the number's room)."""
    page = source.pages[block.page].obj
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
