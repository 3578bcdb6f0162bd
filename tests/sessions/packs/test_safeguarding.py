"""What a safeguarding lead checks in a pack: ground rules and protective interrupting in every plan,
the safeguarding page complete (concerns about staff, children's services), each nation's own role
names, Childline's own wording, and everything a plan uses printed in the pack."""

import pytest

from sessions.models import PackContent
from sessions.packs.content import load_pack_content
from sessions.packs.pdf import render_pack
from stats.models import Area

ALL_TYPES = ("assembly-ks1", "workshop-year-2", "assembly-ks2", "workshop-years-5-6")
FORCES = {"england": "E23000029", "wales": "W15000003", "scotland": "S23000009", "northern_ireland": "N99999999"}

_rendered: dict[str, list[str]] = {}


def pack_pages(key, build, pages_text):
    if key not in _rendered:
        _rendered[key] = pages_text(render_pack(build()))
    return _rendered[key]


@pytest.fixture
def all_types_pack(thames_valley, make_visit, pages_text):
    return pack_pages("all", lambda: make_visit(thames_valley, slugs=ALL_TYPES), pages_text)


def plan_text(pages, adult_pages, name):
    text = " ".join(adult_pages(pages))
    start = text.index("SESSION PLAN · ")
    plans = text[start:]
    at = plans.index(name)
    return plans[at:at + 6000]


@pytest.mark.parametrize("name", ["Assembly for Key Stage 1", "Workshop for Year 2", "Assembly for Key Stage 2",
                                  "Workshop for Years 5 and 6"])
def test_every_plan_sets_ground_rules_and_says_how_to_stop_a_disclosure_kindly_and_what_next(
        all_types_pack, adult_pages, name):
    plan = plan_text(all_types_pack, adult_pages, name)
    assert "Ground rules: say these at the start" in plan
    assert "names of real people" in plan
    assert "afterwards" in plan or "at the end" in plan or "after the assembly" in plan
    assert "If a child starts to tell you something in front of the group" in plan
    assert "“Thank you" in plan
    assert "with the class teacher there" in plan and "Tell Helen Ward, the designated safeguarding lead" in plan


def test_no_plan_invites_a_disclosure_in_front_of_the_group_and_the_leads_real_name_is_used(all_types_pack,
                                                                                            adult_pages):
    text = " ".join(adult_pages(all_types_pack))
    assert "Yes, you can talk to me" not in text
    assert "(the safeguarding lead's name)" not in text
    assert "I might need to tell Helen Ward, the designated safeguarding lead" in text


def test_childline_is_described_in_childlines_own_words_with_the_source_noted(all_types_pack, adult_pages, db):
    text = " ".join(adult_pages(all_types_pack))
    assert "only shares what you say if they think your life is in danger" not in text
    assert "unless they think your life is in danger" not in text
    assert "really worried about your safety or someone else's" in text
    assert "try to talk to you about it first" in text
    note = PackContent.objects.get(session_type__slug="assembly-ks2", section="questions", language="en").source_note
    assert "childline.org.uk/about/confidentiality-promise" in note


def test_the_safeguarding_page_covers_concerns_about_staff_and_the_head(all_types_pack, adult_pages):
    text = " ".join(adult_pages(all_types_pack))
    section = text[text.index("SAFEGUARDING If a child tells you something"):]
    assert "If the concern is about a member of staff, a volunteer or the headteacher" in section
    assert "Tell the headteacher the same day, never the person the concern is about." in section
    assert "If the concern is about the headteacher, do not tell them: tell the local authority designated " \
           "officer (LADO)" in section
    assert "NSPCC Whistleblowing Advice Line on 0800 028 0285" in section


def test_where_no_childrens_services_number_is_recorded_the_pack_says_to_ask_the_schools_lead(
        all_types_pack, adult_pages):
    text = " ".join(adult_pages(all_types_pack))
    assert "Before the visit, ask the school's designated safeguarding lead for the local authority's children's " \
           "services number and its out-of-hours number" in text
    assert "call the police on 999" in text


def test_a_recorded_childrens_services_number_is_printed_with_its_out_of_hours_number(
        thames_valley, make_visit, pages_text, adult_pages):
    visit = make_visit(thames_valley, slugs=("assembly-ks2",))
    authority = visit.school.local_authority
    authority.childrens_services_name = "Children's Services Front Door"
    authority.childrens_services_phone = "0118 000 1234"
    authority.out_of_hours_phone = "0118 000 9999"
    authority.save()
    text = " ".join(adult_pages(pages_text(render_pack(visit))))
    assert (f"{authority.name} children's services (Children's Services Front Door): 0118 000 1234; out of hours "
            "(evenings, weekends): 0118 000 9999.") in text
    assert f"call {authority.name} children's services (Children's Services Front Door) on 0118 000 1234, or out " \
           "of hours on 0118 000 9999" in text


@pytest.mark.parametrize("nation, lead_role, head, absent", [
    ("wales", "designated safeguarding person", "headteacher", "designated safeguarding lead"),
    ("scotland", "child protection coordinator", "headteacher", "designated safeguarding lead"),
    ("northern_ireland", "designated teacher for child protection", "principal", "designated safeguarding lead"),
])
def test_each_nation_gets_its_own_role_names_and_no_key_stages(db, make_visit, pages_text, adult_pages, nation,
                                                                lead_role, head, absent):
    area = Area.objects.get(code=FORCES[nation])
    visit = make_visit(area, slugs=("assembly-ks1",), nation=nation, school_name="Glan Primary")
    text = " ".join(adult_pages(pages_text(render_pack(visit))))
    assert f"Tell Helen Ward ({'01235 111222'}), the {lead_role}" in text
    assert f"If the concern is about the {head}" in text
    assert absent not in text.lower()
    assert "Key Stage" not in text and "KEY STAGE" not in text
    assert "Assembly for ages 5–7" in text


def test_the_ks1_and_year_2_plans_come_with_their_cards_faces_and_the_story_written_out(
        all_types_pack, materials_pages, adult_pages):
    materials = " ".join(materials_pages(all_types_pack))
    assert "PICTURE CARDS · ASSEMBLY FOR KEY STAGE 1" in materials
    assert "PICTURE CARDS · WORKSHOP FOR YEAR 2" in materials
    assert "SCENARIO CARDS · WORKSHOP FOR YEARS 5 AND 6" in materials
    assert "FEELINGS FACES" in materials and "worried" in materials
    assert "Sam has been chatting in a game" in materials
    text = " ".join(adult_pages(all_types_pack))
    story = text[text.index("Zak's worrying secret Read the story as it is written"):]
    assert "Mrs Ahmed listened." in story
    assert "Pause" not in story and "Ask: How do you think Zak feels?" in story


def test_the_year_2_story_has_no_family_member_as_the_one_who_harms(db):
    story = PackContent.objects.get(session_type__slug="workshop-year-2", section="story", language="en").body.lower()
    for relative in ("cousin", "uncle", "aunt", "brother", "sister", "stepdad", "stepmum", "grandad", "grandma",
                     "dad", "mum"):
        assert relative not in story, relative
    assert "an older boy at the club" in story


def test_session_materials_carry_nothing_for_adults_only(all_types_pack, materials_pages, FIGURE_WITH_COMMA):
    for page in materials_pages(all_types_pack):
        assert not FIGURE_WITH_COMMA.search(page)
        for word in ("offences", "Confidential", "Helen Ward", "Thames Valley", "abuse"):
            assert word not in page


def test_the_cover_lists_the_equipment_for_every_session_once(all_types_pack):
    cover = all_types_pack[0] + all_types_pack[1]
    assert "Bring" in cover
    assert "Flip-chart paper and pens" in cover and "Plain paper and crayons" in cover
    assert cover.count("Photo ID and your programme lanyard") == 1


def test_the_contents_give_page_numbers(all_types_pack):
    # The numbers float right, so the PDF's text gives them first, in order.
    numbers = [int(word) for page in all_types_pack[:2] for word in page.split() if word.isdigit()]
    local_picture = next(n for n, page in enumerate(all_types_pack, start=1) if "FOR ADULTS ONLY The local picture" in page)
    safeguarding = next(n for n, page in enumerate(all_types_pack, start=1) if "SAFEGUARDING If a child" in page)
    assert local_picture in numbers and safeguarding in numbers


def test_a_plans_pages_name_the_session_in_their_running_head(all_types_pack, adult_pages):
    plan_pages = [page for page in adult_pages(all_types_pack) if "Session plan: Workshop for Years 5 and 6" in page]
    assert len(plan_pages) >= 2  # the continuation pages repeat the session's name


def test_loading_the_defaults_replaces_a_superseded_default_but_keeps_edits(db):
    questions = PackContent.objects.get(session_type__slug="assembly-ks2", section="questions", language="en")
    questions.body = ("Q: Is Childline really free and private?\nA: Yes. Calls to 0800 1111 are free and will not "
                      "show on a phone bill. Childline only shares what you say if they think your life is in danger.")
    questions.save()
    load_pack_content()
    questions.refresh_from_db()
    assert "only shares what you say" in questions.body  # a staff edit: kept


def test_no_pupil_page_for_any_nation_carries_figures_crime_words_or_force_names(
        db, make_visit, pages_text, pupil_pages, FIGURE_WITH_COMMA):
    for nation, code in FORCES.items():
        area = Area.objects.get(code=code)
        visit = make_visit(area, slugs=ALL_TYPES, nation=nation, school_name="Hillside Primary")
        pages = pupil_pages(pages_text(render_pack(visit, handouts_only=True)))
        assert len(pages) == 4
        for page in pages:
            assert not FIGURE_WITH_COMMA.search(page)
            for word in ("offence", "crime", "police", "recorded", area.name):
                assert word.lower() not in page.lower(), (nation, word)


def test_every_printed_helpline_number_has_its_source_noted(db):
    notes = {(row.session_type.slug if row.session_type else "shared", row.section, row.language): row.source_note
             for row in PackContent.objects.select_related("session_type")}
    staff = notes[("shared", "staff_concerns", "en")]
    assert "0800 028 0285" in staff
    assert "https://www.nspcc.org.uk/what-we-do/news-opinion/new-whistleblowing-advice-line-professionals/" in staff
    for slug in ALL_TYPES:
        for language in ("en", "cy"):
            assert "https://www.childline.org.uk/about/confidentiality-promise/" in notes[(slug, "key_messages",
                                                                                             language)]
    for slug in ("assembly-ks2", "workshop-years-5-6"):
        note = notes[(slug, "questions", "en")]
        assert "if we are really worried about your or someone else's safety" in note
        assert "won't show up on any phone bills" in note


def test_loading_the_defaults_brings_a_corrected_source_note_to_an_unchanged_default_only(db):
    unchanged = PackContent.objects.get(session_type=None, section="staff_concerns", language="en")
    edited = PackContent.objects.get(session_type__slug="workshop-years-5-6", section="questions", language="en")
    shipped_note = unchanged.source_note
    PackContent.objects.filter(pk=unchanged.pk).update(source_note="NSPCC Whistleblowing Advice Line: nspcc.org.uk.")
    PackContent.objects.filter(pk=edited.pk).update(body=edited.body + "\n\nQ: Extra?\nA: Yes.",
                                                    source_note="Our own note.")
    load_pack_content()
    unchanged.refresh_from_db()
    edited.refresh_from_db()
    assert unchanged.source_note == shipped_note
    assert edited.source_note == "Our own note." and edited.body.endswith("A: Yes.")


def test_a_missing_out_of_hours_number_is_asked_of_the_schools_lead_before_the_visit(
        thames_valley, make_visit, pages_text, adult_pages):
    visit = make_visit(thames_valley, slugs=("assembly-ks2",))
    authority = visit.school.local_authority
    authority.childrens_services_phone = "0118 000 1234"
    authority.save()
    text = " ".join(adult_pages(pages_text(render_pack(visit))))
    assert f"{authority.name} children's services: 0118 000 1234." in text
    assert "Out-of-hours number not recorded. Before the visit, ask the school's designated safeguarding lead for " \
           "the local authority's out-of-hours number" in text
    assert f"call {authority.name} children's services on 0118 000 1234 (out of hours, the number you asked the " \
           "school's designated safeguarding lead for before the visit)" in text


def test_a_day_of_four_sessions_keeps_its_cover_on_one_page_with_a_contents_row_per_session(all_types_pack):
    cover, second = all_types_pack[0], all_types_pack[1]
    assert "BEFORE YOU GO The visit" in second and "In this pack" not in second
    assert "Session Plan Story Cards Pupil handout" in cover
    story = next(n for n, page in enumerate(all_types_pack, start=1) if "TO READ ALOUD" in page)
    handouts = [n for n, page in enumerate(all_types_pack, start=1) if "For pupils" in page]
    row = cover[cover.index("Workshop for Year 2, 10:00"):].split("Assembly for Key Stage 2")[0].split()
    assert str(story) in row and str(handouts[1]) in row
    assert "Childline, for children: 0800 1111" in cover and "0808 800 5000" in cover
