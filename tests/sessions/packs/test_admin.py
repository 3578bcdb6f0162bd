"""Staff edit the pack's text in the admin, with checks on its format and a PDF preview."""

import pytest

from sessions.factories import UserFactory
from sessions.models import PackContent, SessionType


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_url(content: PackContent) -> str:
    return f"/admin/school_sessions/packcontent/{content.pk}/change/"


def test_an_outline_whose_timings_do_not_add_up_is_refused_with_the_numbers(admin_client):
    outline = PackContent.objects.get(session_type__slug="assembly-ks1", section="outline", language="en")
    response = admin_client.post(change_url(outline), {
        "session_type": outline.session_type_id, "section": "outline", "language": "en", "author": "Staff",
        "body": "10 | Welcome | Hello.\n10 | Stories | A story.",
    })
    assert "The outline&#x27;s timings add up to 20 minutes; the assembly for key stage 1 lasts 30 minutes." in (
        response.content.decode())
    outline.refresh_from_db()
    assert "Welcome | Hello" not in outline.body


def test_a_pupil_handout_with_a_number_is_refused(admin_client):
    handout = PackContent.objects.get(session_type__slug="assembly-ks2", section="pupil_handout", language="en")
    response = admin_client.post(change_url(handout), {
        "session_type": handout.session_type_id, "section": "pupil_handout", "language": "en", "author": "Staff",
        "body": "Stay safe\n1 in 10 children\nMy trusted adults:",
    })
    assert "A pupil handout carries no numbers" in response.content.decode()


def test_an_edit_is_saved_and_shows_in_the_preview_pdf(admin_client, pages_text):
    closing = PackContent.objects.get(session_type__slug="assembly-ks2", section="closing", language="en")
    admin_client.post(change_url(closing), {
        "session_type": closing.session_type_id, "section": "closing", "language": "en", "author": "Staff",
        "body": "Thank the school council for the welcome.",
    })
    closing.refresh_from_db()
    assert closing.body == "Thank the school council for the welcome."
    page = admin_client.get(change_url(closing)).content.decode()
    assert f"/admin/school_sessions/packcontent/{closing.pk}/preview.pdf" in page
    response = admin_client.get(f"/admin/school_sessions/packcontent/{closing.pk}/preview.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pages_text(response.content))
    assert "Thank the school council for the welcome." in text
    assert "Sample Primary School" in text and "Preview" in text


def test_a_shared_section_cannot_be_tied_to_one_session_type(admin_client):
    safeguarding = PackContent.objects.get(session_type__isnull=True, section="safeguarding", language="en")
    response = admin_client.post(change_url(safeguarding), {
        "session_type": SessionType.objects.get(slug="assembly-ks1").pk, "section": "safeguarding", "language": "en",
        "author": "Staff",
        "body": safeguarding.body,
    })
    assert "This section is shared by every pack: leave the session type empty." in response.content.decode()


def test_the_preview_is_for_staff_only(client, db):
    client.force_login(UserFactory())
    content = PackContent.objects.first()
    response = client.get(f"/admin/school_sessions/packcontent/{content.pk}/preview.pdf")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_says_who_wrote_each_section_and_whether_it_is_reviewed(admin_client):
    page = admin_client.get("/admin/school_sessions/packcontent/?language__exact=cy").content.decode()
    assert "Drafted by the planner&#x27;s development team" in page
    assert "Awaiting review by a Welsh speaker" in page
    english = admin_client.get("/admin/school_sessions/packcontent/?language__exact=en").content.decode()
    assert "Awaiting review" in english and "Welsh speaker" not in english


def test_staff_mark_text_reviewed_and_an_edit_clears_the_review(admin_client):
    from django.utils import timezone  # noqa: PLC0415 — this test alone needs it

    welsh = PackContent.objects.filter(language="cy")
    admin_client.post("/admin/school_sessions/packcontent/", {
        "action": "mark_reviewed", "_selected_action": [row.pk for row in welsh],
    })
    row = welsh.get(session_type__slug="assembly-ks1", section="pupil_handout")
    assert row.reviewed_on == timezone.localdate() and row.reviewed_by
    assert row.review_status.startswith("Reviewed by ")
    row.body += "\nGair newydd."
    row.save()
    row.refresh_from_db()
    assert (row.reviewed_by, row.reviewed_on) == ("", None)
    assert row.review_status == "Awaiting review by a Welsh speaker"


def test_the_local_authority_admin_edits_the_childrens_services_numbers(admin_client):
    from stats.models import LocalAuthority  # noqa: PLC0415 — this test alone needs it

    authority = LocalAuthority.objects.first()
    page = admin_client.get(f"/admin/stats/localauthority/{authority.pk}/change/").content.decode()
    for label in ("Children&#x27;s services contact", "Children&#x27;s services phone", "Out-of-hours phone",
                  "Designated officer phone"):
        assert label in page
    missing = admin_client.get("/admin/stats/localauthority/?childrens_services=missing").content.decode()
    assert authority.name in missing


def test_previewing_welsh_text_shows_it_in_a_welsh_medium_sample_pack(admin_client, pages_text):
    handout = PackContent.objects.get(session_type__slug="assembly-ks1", section="pupil_handout", language="cy")
    response = admin_client.get(f"/admin/school_sessions/packcontent/{handout.pk}/preview.pdf")
    text = " ".join(pages_text(response.content))
    assert "Siarad allan. Cadw'n ddiogel." in text and "Fy llaw helpu" in text
