"""What the session pack says, read back from the PDF page by page."""

import io
import re
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from sessions.factories import AssignmentFactory, VisitFactory
from sessions.models import Assignment, PackContent, SessionType, StoredPack, VisitSession
from sessions.packs import pdf
from sessions.packs.content import content_for, load_pack_content
from sessions.packs.pdf import (
    DRAFT_BAND_MOST_CHARACTERS,
    PackData,
    gather,
    pack_for,
    pack_html,
    read_pack,
    render_pack,
    render_pack_and_handouts,
)
from stats.models import Area

ALL_TYPES = ("assembly-ks1", "workshop-year-2", "assembly-ks2", "workshop-years-5-6")


_rendered: dict[str, list[str]] = {}


@pytest.fixture
def thames_valley_pack(thames_valley, make_visit, pages_text):
    """The same visit is made for every test; its pack is rendered once per module (renders are slow)."""
    visit = make_visit(thames_valley)
    if "pages" not in _rendered:
        _rendered["pages"] = pages_text(render_pack(visit))
    return visit, _rendered["pages"]


def test_the_cover_names_the_school_date_arrival_sessions_volunteers_and_coordinator(thames_valley_pack):
    visit, pages = thames_valley_pack
    cover = pages[0]
    assert "Riverside Primary School" in cover
    assert "Tuesday 2 March 2027" in cover
    assert "Arrive by 09:00" in cover  # a quarter of an hour before the first session at 09:15
    assert "09:15–09:45 Assembly for Key Stage 1 Years 1 and 2" in cover
    assert "10:00–10:30 Assembly for Key Stage 2 Years 5 and 6" in cover
    assert "Priya Patel" in cover
    assert "Asha Khan" in cover and "01632 960000" in cover


def test_the_cover_lists_everything_to_bring_once_down_two_columns(thames_valley, make_visit, pages_text):
    visit = make_visit(thames_valley)
    data = gather(visit)
    items = data.equipment
    assert len(items) >= 3
    columns = data.equipment_columns
    assert [item for column in columns for item in column] == items  # read down the first, then the second
    assert len(columns) == 2 and len(columns[0]) - len(columns[1]) in (0, 1)
    cover = re.sub(r"\s+", " ", pages_text(render_pack(visit))[0])
    for item in items:
        assert f"☐ {item}" in cover


@pytest.mark.parametrize(("count", "shape"), [(0, []), (1, [1]), (2, [1, 1]), (5, [3, 2]), (6, [3, 3])])
def test_the_things_to_bring_split_into_columns_of_the_right_lengths(count, shape):
    data = PackData.__new__(PackData)
    data.lines = []
    items = [f"item {n}" for n in range(count)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PackData, "equipment", property(lambda self: items))
        assert [len(column) for column in data.equipment_columns] == shape
        assert sum(data.equipment_columns, []) == items


def test_the_visit_page_gives_the_safeguarding_lead_and_deputy_by_name_and_phone(thames_valley_pack):
    _, pages = thames_valley_pack
    visit_page = next(page for page in pages if "Designated safeguarding lead" in page)
    assert "Helen Ward · 01235 111222" in visit_page
    assert "Deputy: Tom Okafor · 01235 111333" in visit_page
    assert "1 Mill Lane" in visit_page and "OX14 1AA" in visit_page
    assert "Year 1 28" in visit_page and "Year 5 31" in visit_page


def test_every_adult_page_has_the_school_and_a_page_number_of_the_total_and_pupil_pages_no_count(
        thames_valley_pack, pupil_pages):
    _, pages = thames_valley_pack
    for number, page in enumerate(pages, start=1):
        assert "Riverside Primary School" in page
        if page in pupil_pages(pages):
            assert " of " + str(len(pages)) not in page
        else:
            assert f"Page {number} of {len(pages)}" in page


def test_adult_pages_carry_the_confidentiality_line_and_pupil_pages_do_not(thames_valley_pack, adult_pages, pupil_pages):
    _, pages = thames_valley_pack
    assert all("Confidential: for volunteers and school staff" in page for page in adult_pages(pages))
    assert pupil_pages(pages)
    assert not any("Confidential" in page for page in pupil_pages(pages))


@pytest.mark.parametrize("slug", ALL_TYPES)
def test_pupil_pages_carry_no_statistic_or_adults_only_material_for_any_age_band(thames_valley, slug, FIGURE_WITH_COMMA, make_visit, pages_text, pupil_pages):
    visit = make_visit(thames_valley, slugs=(slug,))
    pages = pages_text(render_pack(visit))
    pupils = pupil_pages(pages)
    assert len(pupils) == 1
    for page in pupils:
        assert not FIGURE_WITH_COMMA.search(page), page
        assert "offences" not in page.lower()
        assert "http" not in page and "www." not in page
        assert "Confidential" not in page and "safeguarding lead" not in page.lower()
        assert "Childline" in page and "0800 1111" in page


HANDOUT_PROMPTS = {
    "assembly-ks1": "My helping hand",
    "workshop-year-2": "My helping hand",
    "assembly-ks2": "My trusted adults",
    "workshop-years-5-6": "Online: don't share personal details or photos",
}


def test_one_pupil_handout_per_session_type_in_the_order_the_sessions_run(thames_valley, make_visit, pages_text, pupil_pages):
    visit = make_visit(thames_valley, slugs=ALL_TYPES)
    pupils = pupil_pages(pages_text(render_pack(visit)))
    assert len(pupils) == 4
    for page, slug in zip(pupils, ALL_TYPES):
        assert HANDOUT_PROMPTS[slug] in page, slug


def test_the_years_5_and_6_handout_is_made_when_a_key_stage_2_assembly_comes_first(thames_valley, make_visit, pages_text, pupil_pages):
    visit = make_visit(thames_valley, slugs=("assembly-ks2", "workshop-years-5-6"))
    pupils = pupil_pages(pages_text(render_pack(visit)))
    assert len(pupils) == 2
    assert "My trusted adults" in pupils[0] and "Online" not in pupils[0]
    assert "Online: don't share personal details or photos" in pupils[1]


def test_a_pack_for_a_visit_with_no_error_carries_no_draft_band(thames_valley_pack):
    visit, pages = thames_valley_pack
    assert not [problem for problem in visit.problems() if problem.is_error]
    assert not any("Draft" in page for page in pages)


def test_a_session_that_does_not_suit_the_school_makes_every_page_a_draft_and_gets_no_handout(
        thames_valley, make_visit, pages_text, pupil_pages):
    visit = make_visit(thames_valley, slugs=("assembly-ks1", "workshop-years-5-6"), low_age=4, high_age=7,
                       school_name="Brook Infant School")
    pages = pages_text(render_pack(visit))
    band = "Draft — not for use: Workshop for Years 5 and 6 is for ages 9–11; Brook Infant School takes ages 4–7."
    assert len(pages) > 4
    assert all(band in page for page in pages)
    pupils = pupil_pages(pages)
    assert len(pupils) == 1 and "My helping hand" in pupils[0]  # the KS1 assembly's only
    assert "No handout is made for “Workshop for Years 5 and 6”: it is for ages 9–11" in pages[0]
    handouts = pages_text(render_pack(visit, handouts_only=True))
    assert len(handouts) == 1 and "Online" not in handouts[0]
    # The photocopiable handouts say they are a draft, but not why: the reasons can name adults.
    assert "Draft — not for use: this visit has a problem to resolve first." in handouts[0]
    assert "ages 9–11" not in handouts[0]


def test_a_draft_with_many_reasons_counts_them_on_every_page_and_lists_them_on_the_cover(
        thames_valley, make_visit, pages_text):
    visit = make_visit(thames_valley, slugs=("assembly-ks1", "workshop-years-5-6"), low_age=4, high_age=7,
                       school_name="St Mary and St John Church of England Voluntary Aided Infant School")
    Assignment.objects.filter(visit=visit).update(status=Assignment.Status.INVITED)  # confirmed, not answered
    data = gather(visit)
    assert len(data.errors) >= 2 and len(" ".join(data.draft_reasons)) > DRAFT_BAND_MOST_CHARACTERS
    pages = pages_text(render_pack(visit))
    band = (f"Draft — not for use: this visit has {len(data.errors)} problems to resolve first, listed on the cover. "
            "Ask your coordinator for the corrected pack.")
    assert all(band in page for page in pages)
    assert "Draft — not for use until these are resolved:" in pages[0]
    for reason in data.draft_reasons:
        assert reason in pages[0]
        assert not any(reason in page for page in pages[1:])


@pytest.mark.parametrize("reasons", ["one", "many"])
def test_the_draft_band_ends_above_every_pages_head(thames_valley, make_visit, reasons):
    visit = make_visit(thames_valley, slugs=("assembly-ks1", "workshop-years-5-6"), low_age=4, high_age=7,
                       school_name="Brook Infant School")
    if reasons == "many":
        Assignment.objects.filter(visit=visit).update(status=Assignment.Status.INVITED)
    data = gather(visit)
    assert data.errors and data.draft_band_names_reasons == (reasons == "one")
    with pdf._render_lock:
        document = pdf._laid_out(pack_html(data))
    for number, page in enumerate(document.pages, start=1):
        boxes = list(page._page_box.descendants())  # noqa: SLF001 — the laid-out boxes of the page
        band = next(box for box in boxes if box.element is not None and box.element.get("class") == "draft-band")
        lines = [box for box in band.descendants() if type(box).__name__ == "LineBox"]
        assert len(lines) <= 2, f"page {number}"
        heads = [box for box in page._page_box.children  # noqa: SLF001
                 if type(box).__name__ == "MarginBox" and box.at_keyword in ("@top-left", "@top-right")]
        for head in heads:
            for line in (box for box in head.descendants() if type(box).__name__ == "LineBox"):
                assert band.position_y + band.margin_height() <= line.position_y, f"page {number}"


@pytest.mark.parametrize("slug", ALL_TYPES)
def test_the_handouts_pdf_carries_the_pupil_pages_alone(thames_valley, slug, make_visit, pages_text, FIGURE_WITH_COMMA):
    visit = make_visit(thames_valley, slugs=(slug,))
    pages = pages_text(render_pack(visit, handouts_only=True))
    assert len(pages) == 1
    page = pages[0]
    assert "For pupils" in page and HANDOUT_PROMPTS[slug] in page
    for adult_word in ("Confidential", "safeguarding", "Helen Ward", "01235", "Priya Patel", "Asha Khan",
                       "Thames Valley", "offences", "Page 1"):
        assert adult_word not in page
    assert not FIGURE_WITH_COMMA.search(page)


@pytest.mark.parametrize("variant", ["plain", "a session in Welsh", "a SEND session"])
def test_the_handouts_pdf_is_the_packs_pupil_pages(thames_valley, make_visit, pages_text, variant):
    visit = make_visit(thames_valley)
    if variant == "a session in Welsh":
        VisitSession.objects.filter(visit=visit, session_type__slug="assembly-ks2").update(welsh_language=True)
    if variant == "a SEND session":
        VisitSession.objects.filter(visit=visit, session_type__slug="assembly-ks1").update(send_adapted=True)
    data = gather(visit)
    assert not data.errors and data.handouts

    (pack, _), handouts = render_pack_and_handouts(data)

    assert handouts is not None and handouts[1] == len(data.handouts)
    assert pages_text(pack)[-handouts[1]:] == pages_text(handouts[0])
    # drawn the same, to the pixel
    pack_pages, handout_pages = (pypdfium2.PdfDocument(pdf) for pdf in (pack, handouts[0]))
    for n, page in enumerate(handout_pages):
        same = pack_pages[len(pack_pages) - len(handout_pages) + n]
        assert page.render(scale=0.5).to_pil().tobytes() == same.render(scale=0.5).to_pil().tobytes()
    assert PdfReader(io.BytesIO(handouts[0])).metadata.title == f"Pupil handouts: {visit.school.name}"


def test_a_rendered_pack_stores_its_handouts_and_a_drafts_say_they_are_drafts(
        thames_valley, make_visit, pages_text):
    visit = make_visit(thames_valley)
    data = gather(visit)
    pack_for(visit, data)
    assert StoredPack.objects.filter(key=data.handouts_key).exists()

    draft = make_visit(thames_valley, slugs=("assembly-ks1", "workshop-years-5-6"), low_age=4, high_age=7,
                       school_name="Brook Infant School")
    data = gather(draft)
    assert data.errors
    pack = pages_text(read_pack(pack_for(draft, data)))
    assert all("Ask your coordinator for the corrected pack" in page for page in pack)
    stored = StoredPack.objects.get(key=data.handouts_key)
    handouts = pages_text(read_pack(pack_for(draft, data, handouts_only=True)))
    assert StoredPack.objects.get(key=data.handouts_key) == stored  # stored with the pack, not rendered again
    assert all("Ask your coordinator for the corrected handouts" in page for page in handouts)
    assert not any("corrected pack" in page for page in handouts)


def test_key_stage_1_and_key_stage_2_plans_differ_in_vocabulary_and_depth(thames_valley_pack, adult_pages):
    _, pages = thames_valley_pack
    text = " ".join(adult_pages(pages))
    ks1 = text[text.index("SESSION PLAN · KEY STAGE 1"):text.index("SESSION PLAN · KEY STAGE 2")]
    ks2 = text[text.index("SESSION PLAN · KEY STAGE 2"):text.index("FOR ADULTS ONLY")]
    assert "Your body belongs to you" in ks1 and "neglect" not in ks1
    assert "neglect" in ks2 and "it can happen online too" in ks2
    for plan in (ks1, ks2):
        for heading in ("Key messages", "Outline", "Words to use", "Words to avoid",
                        "Questions children often ask", "How to close"):
            assert heading in plan
        assert "Childline 0800 1111" in plan
        assert "Total 30 minutes" in plan


def test_the_safeguarding_page_names_the_lead_and_the_helpline_and_the_report_flag(thames_valley_pack):
    _, pages = thames_valley_pack
    first = next(n for n, page in enumerate(pages) if "SAFEGUARDING If a child tells you something" in page)
    page = " ".join(page for page in pages[first:] if "For pupils" not in page)
    assert "Tell Helen Ward (01235 111222)" in page and "the same day" in page
    assert "Never promise to keep a secret" in page
    assert "0808 800 5000" in page
    assert "a concern was passed to the school's safeguarding lead" in page


def test_year_groups_are_named_by_the_schools_nation(db, make_visit, pages_text):
    scotland = Area.objects.get(code="S23000009")
    visit = make_visit(scotland, school_name="Burnside Primary", nation="scotland")
    cover = pages_text(render_pack(visit))[0]
    assert "P2 and P3" in cover and "P6 and P7" in cover


def test_a_declined_volunteer_is_not_listed_in_the_pack(thames_valley, make_visit, pages_text):
    visit = make_visit(thames_valley)
    AssignmentFactory(visit=visit, volunteer__user__first_name="Declan", volunteer__user__last_name="Moore",
                      status=Assignment.Status.DECLINED)
    assert "Declan Moore" not in pages_text(render_pack(visit))[0]


def test_every_session_types_default_outline_adds_up_to_its_duration(db):
    types = list(SessionType.objects.all())
    parsed = {pk: by_language["en"] for pk, by_language in content_for(types).per_type.items()}
    assert len(types) == 4
    for st in types:
        assert parsed[st.pk].outline, st.slug
        assert parsed[st.pk].outline_minutes == st.duration_minutes, st.slug


def test_loading_the_defaults_again_keeps_staff_edits(db):
    section = PackContent.objects.get(session_type__slug="assembly-ks1", section="closing", language="en")
    section.body = "Our own closing words."
    section.save()
    load_pack_content()
    section.refresh_from_db()
    assert section.body == "Our own closing words."


def test_a_visit_with_no_sessions_yet_still_makes_a_pack_that_says_so(thames_valley, pages_text, pupil_pages):
    visit = VisitFactory(school__in_area=thames_valley, status="proposed")
    pages = pages_text(render_pack(visit))
    assert "No sessions have been added to this visit yet." in pages[0]
    assert "This visit is proposed, not yet confirmed" in pages[0]
    assert not pupil_pages(pages)


def test_a_cancelled_visits_pack_says_not_to_travel(thames_valley, pages_text):
    visit = VisitFactory(school__in_area=thames_valley, status="cancelled")
    assert "This visit has been cancelled. Do not travel." in pages_text(render_pack(visit))[0]


@pytest.mark.parametrize("numbers, nation, language, said", [
    ([1, 2], "england", "en", "Years 1 and 2"),
    ([3, 4, 5, 6], "england", "en", "Years 3 to 6"),
    ([0, 1], "england", "en", "Reception and Year 1"),
    ([5], "england", "en", "Year 5"),
    ([1, 2], "scotland", "en", "P2 and P3"),
    ([1, 2], "wales", "cy", "Blynyddoedd 1 a 2"),
    ([3, 4, 5, 6], "wales", "cy", "Blynyddoedd 3 i 6"),
])
def test_year_groups_are_said_as_a_sentence_says_them(numbers, nation, language, said):
    from sessions.packs.pdf import years_phrase  # noqa: PLC0415 — this test alone needs it

    assert years_phrase(numbers, nation, language) == said


def test_every_label_of_the_packs_chart_prints_at_8_pt_or_more(thames_valley, make_visit, settings):
    """The chart spans the page's text width: each label's size in the drawing, scaled to that width, in points."""
    html = pack_html(gather(make_visit(thames_valley)))
    chart = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"'):]
    chart = chart[:chart.index("</svg>")]
    drawing_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', chart).group(1))
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', chart)]
    assert sizes and 'class="chart-box"' in html
    css = (Path(settings.BASE_DIR) / "static" / "pack" / "print.css").read_text()
    page = css[css.index("@page {"):]
    top, side = (float(mm) for mm in re.search(r"margin: ([\d.]+)mm ([\d.]+)mm", page).groups())
    text_width_mm = 210 - 2 * side  # A4
    smallest_pt = min(sizes) * text_width_mm / drawing_width * 72 / 25.4
    assert smallest_pt >= 8, f"the smallest chart label prints at {smallest_pt:.1f} pt"
