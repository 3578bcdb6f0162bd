"""Reused parts of the pack (sessions/packs/reuse.py): laid out once, drawn onto every pack that has them, and
the pack the same as if it were laid out whole: every page's words and pixels, its bookmarks, links and
metadata."""

import io
import re
from pathlib import Path

import pypdfium2
import pytest
from django.conf import settings
from pypdf import PdfReader

from sessions.models import VisitSession
from sessions.packs import pdf, reuse
from sessions.packs.pdf import gather, pack_html, render_html, render_pack_and_handouts


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
    """Everything a reader sees of a PDF: each page's lines and pixels, the bookmarks, links and metadata."""
    pages = pypdfium2.PdfDocument(document)
    reader = PdfReader(io.BytesIO(document))
    return {
        # The words of each page, line by line. A draft's band is drawn over the page: in a pack laid out whole it
        # comes among the words of the page's positioned boxes (its chart, its list numbers), in one drawn from
        # parts after them, so the lines are compared as they are, not in the order they are drawn.
        "text": [sorted(page.get_textpage().get_text_range().splitlines()) for page in pages],
        "pixels": [page.render(scale=0.6).to_pil().tobytes() for page in pages],
        "bookmarks": outline(reader),
        "links": links(reader),
        "metadata": dict(reader.metadata),
    }


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
        for attempt in ("parts laid out now", "parts kept from before"):
            composed, pages = render_html(html)
            assert described(composed) == whole, (handouts_only, attempt)
            assert pages == len(whole["text"])
    bookmarks = [title for _, title, _ in whole["bookmarks"]]
    assert bookmarks and len(bookmarks) == len(data.handouts)  # the handouts' titles, one a page


def test_each_part_is_laid_out_once_for_every_pack_that_has_it(thames_valley, make_visit, monkeypatch):
    reuse.forget()
    laid_out = []
    real = pdf._laid_out

    def counting(html, *, part=False):
        laid_out.append("a part" if part else "a pack")
        return real(html, part=part)

    monkeypatch.setattr(pdf, "_laid_out", counting)
    first = gather(make_visit(thames_valley))
    render_pack_and_handouts(first)
    parts = pack_html(first).count(reuse.START)
    assert laid_out.count("a part") == parts >= 5 and laid_out.count("a pack") == 2  # the pack and its handouts

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
