"""Welsh and SEND: Welsh handouts for Welsh-medium schools and sessions in Welsh, the volunteers' read-aloud
words in both languages, SEND-adapted handouts, and the site's language switch."""

import re

import pytest

from sessions.models import PackContent, VisitSession
from sessions.packs.pdf import render_pack
from stats.models import Area

SOUTH_WALES = "W15000003"


@pytest.fixture
def south_wales(db):
    return Area.objects.get(code=SOUTH_WALES)


def test_a_welsh_medium_school_gets_welsh_handouts_for_every_session(south_wales, make_visit, pages_text,
                                                                     pupil_pages):
    visit = make_visit(south_wales, slugs=("assembly-ks1", "workshop-years-5-6"), nation="wales",
                       welsh_medium=True, school_name="Ysgol Gymraeg Glan")
    pages = pupil_pages(pages_text(render_pack(visit, handouts_only=True)))
    assert len(pages) == 2
    for page in pages:
        assert "Siarad allan. Cadw'n ddiogel." in page
        assert "I ddisgyblion" in page
        assert "Your body" not in page and "You have the right" not in page
    assert "Ar gyfer Blynyddoedd 1 a 2" in pages[0] and "Am ddim i'w ffonio" in pages[0]
    assert "Fy llaw helpu" in pages[0]
    assert "Ar-lein: paid â rhannu manylion personol" in pages[1]


def test_a_session_marked_in_welsh_at_an_english_medium_school_gets_a_welsh_handout_for_that_session_only(
        south_wales, make_visit, pages_text, pupil_pages):
    visit = make_visit(south_wales, slugs=("assembly-ks1", "assembly-ks2"), nation="wales")
    VisitSession.objects.filter(visit=visit, session_type__slug="assembly-ks2").update(welsh_language=True)
    pages = pupil_pages(pages_text(render_pack(visit, handouts_only=True)))
    assert "Your body belongs to you." in pages[0]
    assert "Mae gen ti hawl i fod yn ddiogel" in pages[1]


def test_the_volunteers_read_aloud_words_are_bilingual_and_the_unreviewed_welsh_is_flagged(
        south_wales, make_visit, pages_text, adult_pages):
    visit = make_visit(south_wales, slugs=("assembly-ks1",), nation="wales", welsh_medium=True)
    text = " ".join(adult_pages(pages_text(render_pack(visit))))
    assert "Key messages · Negeseuon allweddol" in text
    assert "Your body belongs to you. Mae dy gorff yn perthyn i ti." in text
    assert "Diolch am fod eisiau dweud wrtha i." in text  # the words to stop a disclosure
    assert "Words to use · Geiriau i'w defnyddio" in text and "mae dy gorff yn perthyn i ti" in text
    assert "awaiting review by a Welsh speaker" in text


def test_reviewing_the_welsh_removes_the_flag(south_wales, make_visit, pages_text, adult_pages):
    PackContent.objects.filter(language="cy").update(reviewed_by="Siân Jones", reviewed_on="2026-11-30")
    visit = make_visit(south_wales, slugs=("assembly-ks1",), nation="wales", welsh_medium=True)
    assert "awaiting review by a Welsh speaker" not in " ".join(adult_pages(pages_text(render_pack(visit))))


@pytest.mark.parametrize("slug", ["assembly-ks1", "workshop-year-2", "assembly-ks2", "workshop-years-5-6"])
def test_a_send_session_gets_its_handout_and_a_send_version_with_fewer_words_and_a_picture_a_message(
        thames_valley, make_visit, pages_text, pupil_pages, slug):
    visit = make_visit(thames_valley, slugs=(slug,))
    VisitSession.objects.filter(visit=visit).update(send_adapted=True)
    pages = pupil_pages(pages_text(render_pack(visit, handouts_only=True)))
    assert len(pages) == 2
    standard, send = pages
    assert "Draw a grown-up you can tell." in send
    assert len(send.split()) < len(standard.split())
    content = PackContent.objects.get(session_type__slug=slug, section="pupil_handout_send", language="en")
    messages = content.body.splitlines()[1:]
    assert len(messages) >= 4
    for line in messages:
        picture, words = (part.strip() for part in line.split("|"))
        assert picture and len(words.split()) <= 8


def test_the_site_offers_english_and_welsh_and_names_the_language_on_the_page(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en-GB">' in page
    assert 'value="cy"' in page and "Cymraeg" in page
    client.post("/i18n/setlang/", {"language": "cy", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="cy">' in page and "Iaith:" in page


def test_a_welsh_sessions_picture_cards_are_in_welsh_with_the_english_beneath(south_wales, make_visit, pages_text,
                                                                              materials_pages):
    visit = make_visit(south_wales, slugs=("assembly-ks1",), nation="wales", welsh_medium=True)
    cards = " ".join(materials_pages(pages_text(render_pack(visit))))
    assert "Mae dy ffrind yn rhannu tegan gyda ti. Your friend shares a toy with you." in cards


def test_a_welsh_year_2_workshop_has_its_story_in_welsh_beside_the_english_paragraph_by_paragraph(
        south_wales, make_visit, pages_text, adult_pages):
    visit = make_visit(south_wales, slugs=("workshop-year-2",), nation="wales", welsh_medium=True)
    text = " ".join(adult_pages(pages_text(render_pack(visit))))
    story = text[text.index("Zak's worrying secret · Y gyfrinach sy'n poeni Zak"):]
    assert "Read the story in Welsh as it is written, with the English beside it" in story
    assert "Zak is six." in story and "Mae Zak yn chwech oed." in story
    assert "Gwrandawodd Mrs Ahmed." in story
    assert "Ask: How do you think Zak feels? Sut wyt ti'n meddwl mae Zak yn teimlo?" in story
    assert "Pause" not in story


def test_the_welsh_year_2_story_is_gentle_and_has_no_family_member_as_the_one_who_harms(db):
    welsh = PackContent.objects.get(session_type__slug="workshop-year-2", section="story", language="cy")
    english = PackContent.objects.get(session_type__slug="workshop-year-2", section="story", language="en")
    words = set(re.findall(r"[\w'-]+", welsh.body.lower()))
    for relative in ("mam", "dad", "tad", "brawd", "chwaer", "ewythr", "wncwl", "modryb", "anti", "cefnder",
                     "cyfnither", "llystad", "llysfam", "taid", "tad-cu", "nain", "mam-gu", "cyfyrder"):
        assert relative not in words, relative
    assert "bachgen hŷn yn y clwb" in welsh.body
    # Paragraph for paragraph with the English, pauses in the same places, so the pack can set them side by side.
    assert [p.startswith("Pause:") for p in welsh.body.split("\n\n")] == \
           [p.startswith("Pause:") for p in english.body.split("\n\n")]
    assert welsh.review_status == "Awaiting review by a Welsh speaker" and welsh.author


def test_a_welsh_years_5_and_6_workshop_has_scenario_cards_in_welsh_with_the_english_beneath(
        south_wales, make_visit, pages_text, materials_pages):
    visit = make_visit(south_wales, slugs=("workshop-years-5-6",), nation="wales", welsh_medium=True)
    cards = " ".join(materials_pages(pages_text(render_pack(visit))))
    assert "SCENARIO CARDS · WORKSHOP FOR AGES 9–11" in cards  # Wales names sessions by age, not key stage
    assert ("Mae Sam wedi bod yn sgwrsio mewn gêm gyda rhywun sy'n dweud ei fod e'n un ar ddeg oed hefyd." in cards)
    assert "Sam has been chatting in a game with someone who says they are eleven too." in cards
    assert "Beth fyddet ti'n ei ddweud wrth Noah?" in cards


def test_the_welsh_scenario_cards_match_the_english_card_for_card_and_keep_to_the_same_safe_detail(db):
    welsh = PackContent.objects.get(session_type__slug="workshop-years-5-6", section="cards", language="cy")
    english = PackContent.objects.get(session_type__slug="workshop-years-5-6", section="cards", language="en")
    assert len(welsh.body.strip().splitlines()) == len(english.body.strip().splitlines()) == 5
    for line in welsh.body.strip().splitlines():
        assert line.startswith("- | ") and line.rstrip().endswith("?")
    assert welsh.review_status == "Awaiting review by a Welsh speaker" and welsh.author


def test_an_english_session_keeps_the_story_and_cards_in_english_alone(thames_valley, make_visit, pages_text,
                                                                       adult_pages, materials_pages):
    visit = make_visit(thames_valley, slugs=("workshop-year-2", "workshop-years-5-6"))
    pages = pages_text(render_pack(visit))
    text = " ".join(adult_pages(pages)) + " ".join(materials_pages(pages))
    assert "Zak's worrying secret Read the story as it is written" in text
    assert "gyfrinach" not in text and "Mae Sam" not in text


@pytest.mark.parametrize("slug", ["assembly-ks1", "workshop-year-2"])
def test_each_welsh_key_stage_1_handout_fits_its_page_with_the_hand_and_childline(south_wales, make_visit, pages_text,
                                                                                 slug):
    visit = make_visit(south_wales, slugs=(slug,), nation="wales", welsh_medium=True)
    VisitSession.objects.filter(visit=visit).update(send_adapted=True)
    standard, send = pages_text(render_pack(visit, handouts_only=True))
    assert "Fy llaw helpu" in standard and "0800 1111" in standard
    assert "0800 1111" in send
