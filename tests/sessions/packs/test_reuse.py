"""Reused parts of the pack (sessions/packs/reuse.py): laid out once, drawn onto every pack that has them, and
the pack the same as if it were laid out whole: every page's words and pixels, its bookmarks, links and
metadata."""

import io
import re
from pathlib import Path

import numpy
import pypdfium2
import pytest
from django.conf import settings
from pypdf import PdfReader

from sessions.models import VisitSession
from sessions.packs import pdf, reuse
from sessions.packs.pdf import gather, pack_html, render_html, render_pack_and_handouts

LIST_MARKER = re.compile(r"\s*(•|\d+\.)\s*")


def laid_out_whole(html: str) -> bytes:
    """The pack as it was made before parts were reused: the whole HTML laid out at once."""
    with pdf._render_lock:
        return pdf._laid_out(html).write_pdf()


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    def walk(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)
    return list(walk(reader.outline))


def links(reader: PdfReader) -> list[tuple[int, list[float], str]]:
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A") or {}
            target = action.get("/URI") or action.get("/D") or annotation.get("/Dest")
            found.append((number, [round(float(x), 2) for x in annotation["/Rect"]], str(target)))
    return found


def described(document: bytes) -> dict:
    """Everything a reader sees of a PDF: the words of each page in the order they are read, its pixels, the
    bookmarks, links and metadata."""
    pages = pypdfium2.PdfDocument(document)
    reader = PdfReader(io.BytesIO(document))
    return {
        "words": [words_in_order(page.get_textpage().get_text_range().splitlines()) for page in pages],
        "pixels": [numpy.asarray(page.render(scale=0.6).to_pil(), dtype=numpy.int16) for page in pages],
        "bookmarks": outline(reader),
        "links": links(reader),
        "metadata": dict(reader.metadata),
    }


def words_in_order(lines: list[str]) -> list[str]:
    """A page's words in the order they are read, less the lines that hold only a list's bullet or number:
    WeasyPrint draws those after the words of the box they are in, and a block is a box of its own. Words,
    not lines: where two blocks follow each other PDFium can read the last line of one and the first of the
    next as one line, though they are drawn where the pack laid out whole draws them."""
    return [word for line in lines if not LIST_MARKER.fullmatch(line) for word in line.split()]


def assert_same(composed: dict, whole: dict, *, in_order: bool) -> None:
    """The same pack to a reader: the same words on each page (in the same order, where asked), bookmarks,
    links and metadata, and the same pixels but for rounding where a block is drawn (one level of 255 at
    most). A draft's band is drawn over the page: in a pack laid out whole it comes among the words of the
    page's positioned boxes (its chart, its list numbers), in one drawn from parts after them, so for a draft
    the words are compared as they are, not in the order they are read."""
    keys = ["bookmarks", "links", "metadata"]
    assert {key: composed[key] for key in keys} == {key: whole[key] for key in keys}
    assert len(composed["words"]) == len(whole["words"]) == len(composed["pixels"]) == len(whole["pixels"])
    for number, (ours, theirs) in enumerate(zip(composed["words"], whole["words"], strict=True), start=1):
        assert (ours if in_order else sorted(ours)) == (theirs if in_order else sorted(theirs)), f"page {number}"
    for number, (ours, theirs) in enumerate(zip(composed["pixels"], whole["pixels"], strict=True), start=1):
        assert ours.shape == theirs.shape and numpy.abs(ours - theirs).max() <= 1, f"page {number}"


@pytest.mark.parametrize("variant", ["confirmed", "a draft", "a session in Welsh and one adapted for SEND"])
def test_a_pack_drawn_from_reused_parts_is_the_pack_laid_out_whole(thames_valley, make_visit, variant):
    reuse.forget()
    if variant == "a draft":  # an infant school booked a Years 5 and 6 workshop: every page has the band
        visit = make_visit(thames_valley, slugs=("assembly-ks1", "workshop-years-5-6"), low_age=4, high_age=7,
                           school_name="Brook Infant School")
    else:
        visit = make_visit(thames_valley, slugs=("assembly-ks1", "workshop-year-2", "assembly-ks2"))
    if variant.startswith("a session in Welsh"):
        VisitSession.objects.filter(visit=visit, session_type__slug="assembly-ks2").update(welsh_language=True)
        VisitSession.objects.filter(visit=visit, session_type__slug="assembly-ks1").update(send_adapted=True)
    data = gather(visit)
    assert bool(data.errors) == (variant == "a draft")

    for handouts_only in (False, True):
        html = pack_html(data, handouts_only=handouts_only)
        assert html.count(reuse.START) >= (1 if handouts_only else 4)  # handouts; cards, feelings, local picture
        whole = described(laid_out_whole(html))
        for _attempt in ("parts laid out now", "parts kept from before"):
            composed, pages = render_html(html)
            assert_same(described(composed), whole, in_order=variant != "a draft")
            assert pages == len(whole["words"])
    bookmarks = [title for _, title, _ in whole["bookmarks"]]
    assert bookmarks and len(bookmarks) == len(data.handouts)  # the handouts' titles, one a page


def test_each_part_is_laid_out_once_for_every_pack_that_has_it(thames_valley, make_visit, monkeypatch):
    reuse.forget()
    laid_out = []
    real = pdf._laid_out

    def counting(html, *, part=False):
        laid_out.append(("a number" if "page-ref-alone" in html else "a part") if part else "a pack")
        return real(html, part=part)

    monkeypatch.setattr(pdf, "_laid_out", counting)
    first = gather(make_visit(thames_valley))
    render_pack_and_handouts(first)
    html = pack_html(first)
    parts, blocks = html.count(reuse.START), html.count(reuse.BLOCK_START)
    questions = [qa for line in first.lines for qa in line.content.questions]
    # A plan's key messages, words and how to close, and each question whose answer does not name the school's
    # people (one in each plan names the safeguarding lead: laid out with the pack)
    assert parts >= 5 and blocks == 3 * len(first.lines) + sum(not qa.names_the_school for qa in questions)
    assert sum(qa.names_the_school for qa in questions) == len(first.lines)
    assert laid_out.count("a part") == parts + blocks and laid_out.count("a pack") == 2  # the pack, its handouts
    # The page numbers the contents give, laid out together once (one font for them all)
    assert laid_out.count("a number") == 1 and html.count('class="page-ref"') >= 4

    laid_out.clear()
    visit = first.visit
    visit.notes = "Parking behind the hall."  # the pack changes, its parts do not
    visit.save(update_fields=["notes"])
    render_pack_and_handouts(gather(visit))
    assert laid_out == ["a pack", "a pack"]

    laid_out.clear()
    other = gather(make_visit(thames_valley, school_name="Long Lane Primary School"))
    render_pack_and_handouts(other)
    # Another school: its own pack; its local picture if its authority is another, nothing else
    assert laid_out.count("a part") == (0 if other.authority == first.authority else 1)


def test_the_page_numbers_are_laid_out_together_one_a_page_and_a_greater_one_alone():
    reuse.forget()
    ref = reuse.PageRef("plan-1", 0, pdf.design_version(), "en-GB", '<section class="cover" id="cover">')
    with pdf._render_lock:
        seven, twelve = (reuse._page_number(ref, n, pdf._laid_out) for n in (7, 12))
        hundred = reuse._page_number(ref, 120, pdf._laid_out)
    assert seven.pdf is twelve.pdf and (seven.page, twelve.page) == (6, 11)
    numbers = pypdfium2.PdfDocument(seven.pdf)
    assert len(numbers) == reuse.NUMBERS_LAID_OUT
    assert [numbers[n.page].get_textpage().get_text_range().strip() for n in (seven, twelve)] == ["7", "12"]
    assert hundred.page == 0 and pypdfium2.PdfDocument(hundred.pdf)[0].get_textpage().get_text_range().strip() == "120"
    # Each in its room of two figures, standing on its baseline
    assert seven.box[2] == twelve.box[2] and seven.box[1] < seven.baseline < seven.box[1] + seven.box[3]


def test_a_contents_link_to_nothing_in_the_pack_is_refused_by_name():
    html = reuse.part_document("en-GB", '<section class="cover"><nav class="contents"><p>The visit '
                                        '<a class="page-ref" href="#the-visit"></a></p></nav></section>')
    with pytest.raises(ValueError, match="link to #the-visit, which is not in the pack"):
        render_html(html)


def test_a_part_is_known_by_its_html_language_and_design_not_its_id():
    section = '<section id="cards-1" class="materials cards" data-running="Cards: Assembly"><p>Cards</p></section>'
    key = reuse.part_key("design", "en-GB", section)
    assert reuse.part_key("design", "en-GB", section.replace("cards-1", "cards-2")) == key
    assert reuse.part_key("design", "cy", section) != key
    assert reuse.part_key("another design", "en-GB", section) != key
    assert reuse.part_key("design", "en-GB", section.replace("<p>Cards</p>", "<p>Cards.</p>")) != key


@pytest.mark.parametrize("html", [
    "<div>Not a section</div>",
    '<section id="a"><p>See <a href="#safeguarding">the safeguarding page</a></p></section>',
])
def test_a_part_that_is_not_one_section_or_links_within_the_pack_is_refused(html):
    with pytest.raises(ValueError, match="reusable part"):
        reuse.part_key("design", "en-GB", html)


def test_a_block_is_known_by_its_html_its_sections_styles_language_and_design():
    section = '<section id="plan-1" class="adult plan plan-ks1" data-running="Session plan: Assembly, 09:00">'
    block = '<div class="box box-close"><h2>How to close</h2><p>Thank you for listening.</p></div>'
    key = reuse.block_key("design", "en-GB", section, block)
    other_visit = section.replace("plan-1", "plan-2").replace("09:00", "13:15")
    assert reuse.block_key("design", "en-GB", other_visit, block) == key
    assert reuse.block_key("design", "en-GB", section.replace("plan-ks1", "plan-ks2"), block) != key
    assert reuse.block_key("design", "cy", section, block) != key
    assert reuse.block_key("another design", "en-GB", section, block) != key
    assert reuse.block_key("design", "en-GB", section, block.replace("listening", "joining in")) != key


@pytest.mark.parametrize("block", [
    "<p>Not a div</p>",
    "<div><p>A div with no class</p></div>",
    '<div class="box"><p>Call <a href="https://www.childline.org.uk/">Childline</a></p></div>',
    '<div class="box"><h2 id="close">How to close</h2></div>',
])
def test_a_block_that_is_not_one_div_or_holds_a_link_or_an_id_is_refused(block):
    with pytest.raises(ValueError, match="reusable block"):
        reuse.block_key("design", "en-GB", '<section class="adult plan">', block)


def test_a_block_taller_than_a_page_is_refused():
    words = "".join(f"<p>Line {n} of the closing words.</p>" for n in range(200))
    html = pack_html_with_block(f'<div class="box box-close">{words}</div>')
    with pytest.raises(ValueError, match="fit on one page"), pdf._render_lock:
        reuse.frame(html, "design", pdf._laid_out)


def test_a_block_is_drawn_in_its_place_among_the_pages_words():
    html = pack_html_with_block('<div class="box box-close"><h2>How to close</h2><p>Thank you for listening.</p></div>')
    whole = described(laid_out_whole(html))
    composed, _ = render_html(html)
    assert_same(described(composed), whole, in_order=True)
    assert " ".join(whole["words"][0]).startswith("Before the block How to close Thank you for listening. After the block")


def pack_html_with_block(block: str) -> str:
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>A block</title></head><body>'
        '<section id="plan-1" class="adult plan"><p>Before the block</p>'
        f"{reuse.BLOCK_START}{block}{reuse.BLOCK_END}<p>After the block</p></section></body></html>"
    )


def test_only_so_many_parts_are_kept(thames_valley, make_visit, monkeypatch):
    reuse.forget()
    monkeypatch.setattr(reuse, "MOST_KEPT", 2)
    render_html(pack_html(gather(make_visit(thames_valley))))
    assert len(reuse._kept) == 2


def test_every_named_page_has_empty_margins_when_a_part_is_laid_out_alone():
    static = Path(settings.BASE_DIR) / "static" / "pack"
    named = set(re.findall(r"@page\s+([\w-]+)\s*\{", (static / "print.css").read_text()))
    emptied = set(re.findall(r"@page\s+([\w-]+)\s*\{", (static / "parts.css").read_text()))
    assert named and named == emptied
    for rule in re.findall(r"@page[^{]*\{(.*)\}", (static / "parts.css").read_text()):
        assert rule.count("content: none") == 4
