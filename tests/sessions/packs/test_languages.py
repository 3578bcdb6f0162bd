"""Welsh and SEND: Welsh handouts for Welsh-medium schools and sessions in Welsh, the volunteers' read-aloud
words in both languages, SEND-adapted handouts, and the site's language switch."""

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
