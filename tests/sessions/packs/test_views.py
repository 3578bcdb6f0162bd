"""Who may download a pack, the download log, the stored pack and its ETag, the renderer's fetcher."""

import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

import sessions.packs.pdf
from schools.factories import SchoolContactFactory
from sessions.factories import AssignmentFactory, CoordinatorFactory, UserFactory, VolunteerFactory
from sessions.models import Assignment, PackContent, PackDownload, StoredPack, Visit
from sessions.packs.pdf import RefusedURL, gather, html_to_pdf, url_fetcher
from stats.models import Figure, Source


@pytest.fixture
def visit(thames_valley, media, make_visit):  # noqa: F811
    return make_visit(thames_valley)


def pack_url(visit) -> str:
    return f"/visits/{visit.pk}/pack.pdf"


def test_staff_download_the_pack_as_a_pdf_named_for_the_school_and_date(staff_client, visit, pages_text):
    response = staff_client.get(pack_url(visit))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    assert 'filename="pack-2027-03-02-riverside-primary-school.pdf"' in response["Content-Disposition"]
    assert "Riverside Primary School" in pages_text(body)[0]


def test_a_coordinator_of_the_schools_area_may_download_the_pack(coordinator_client, visit):
    response = coordinator_client.get(pack_url(visit))
    assert response["Content-Type"] == "application/pdf"


def test_a_coordinator_of_another_area_gets_404(client, visit, kent):
    client.force_login(CoordinatorFactory(areas=[kent]).user)
    response = client.get(pack_url(visit))
    assert response.status_code == 404
    assert not PackDownload.objects.exists()


@pytest.mark.parametrize("status", [Assignment.Status.INVITED, Assignment.Status.ACCEPTED])
def test_an_invited_or_accepted_volunteer_may_download_the_pack(volunteer_client, visit, status):
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, status=status)
    response = volunteer_client.get(pack_url(visit))
    assert response["Content-Type"] == "application/pdf"


def test_a_volunteer_who_declined_gets_404(volunteer_client, visit):
    AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer, status=Assignment.Status.DECLINED)
    response = volunteer_client.get(pack_url(visit))
    assert response.status_code == 404


def test_a_volunteer_not_on_the_visit_gets_404(volunteer_client, visit):
    response = volunteer_client.get(pack_url(visit))
    assert response.status_code == 404


def test_a_user_with_no_role_gets_404(client, visit):
    client.force_login(UserFactory())
    assert client.get(pack_url(visit)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, visit):
    response = client.get(pack_url(visit))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_each_download_is_logged_with_who_which_visit_and_when_and_no_personal_data(staff_client, staff_user, visit):
    staff_client.get(pack_url(visit))
    log = PackDownload.objects.get()
    assert (log.user, log.visit, len(log.pack_key)) == (staff_user, visit, 64)
    copied = {f.name for f in PackDownload._meta.concrete_fields}
    assert copied == {"id", "user", "visit", "pack_key", "at"}


def test_a_second_download_is_served_from_storage_without_rendering_again(staff_client, visit, monkeypatch):
    first = b"".join(staff_client.get(pack_url(visit)).streaming_content)
    def no_layout(html):
        raise AssertionError("the pack was laid out again")

    monkeypatch.setattr(sessions.packs.pdf, "_laid_out", no_layout)
    second = b"".join(staff_client.get(pack_url(visit)).streaming_content)
    assert second == first
    # the pack, and its handouts cut from the same layout: the handouts download is stored already
    assert StoredPack.objects.count() == 2
    b"".join(staff_client.get(handouts_url(visit)).streaming_content)
    assert PackDownload.objects.count() == 3


def test_changing_a_contact_gives_a_new_pack_with_the_new_details_and_drops_the_old_one(staff_client, visit, pages_text):
    first = staff_client.get(pack_url(visit))
    b"".join(first.streaming_content)
    old_file = StoredPack.objects.get(key=first["ETag"].strip('"')).file.name
    dsl = visit.school.contacts.get(role="dsl")
    dsl.phone = "01235 999888"
    dsl.save()
    second = staff_client.get(pack_url(visit))
    text = " ".join(pages_text(b"".join(second.streaming_content)))
    assert second["ETag"] != first["ETag"]
    assert "01235 999888" in text
    data = gather(visit)
    assert set(StoredPack.objects.values_list("key", flat=True)) == {second["ETag"].strip('"'), data.handouts_key}
    assert not default_storage.exists(old_file)


@pytest.mark.parametrize(
    "change",
    ["visit_notes", "new_contact", "new_volunteer", "content_edit", "source_publisher", "area_name",
     "childrens_services", "welsh_reviewed", "figure_value", "sources_disagree"],
)
def test_any_input_change_gives_a_new_pack_key(visit, change):
    before = gather(visit).key
    assert gather(visit).key == before  # nothing changed, same key
    if change == "visit_notes":
        visit.notes = "Use the side gate."
        visit.save()
    elif change == "new_contact":
        SchoolContactFactory(school=visit.school, role="office", name="Office")
    elif change == "new_volunteer":
        AssignmentFactory(visit=visit, volunteer=VolunteerFactory(), status=Assignment.Status.INVITED)
    elif change == "content_edit":
        section = PackContent.objects.get(session_type__slug="assembly-ks1", section="closing", language="en")
        section.body += "\n\nThank the caretaker too."
        section.save()
    elif change == "source_publisher":  # issue 15: a pack was served stale after these changed
        source = Source.objects.get(publisher="Bucks Herald")
        source.publisher = "The Bucks Herald"
        source.save()
    elif change == "area_name":
        area = visit.school.police_force
        area.name = "Thames Valley Police area"
        area.save()
    elif change == "childrens_services":
        authority = visit.school.local_authority
        authority.childrens_services_phone = "0118 000 1234"
        authority.save()
    elif change == "welsh_reviewed":
        PackContent.objects.filter(language="cy").update(reviewed_by="Siân Jones", reviewed_on="2026-11-30")
    elif change == "figure_value":  # the picture's fingerprint is part of the key
        figure = Figure.objects.filter(area=visit.school.police_force, period="2022/23").first()
        figure.value += 1
        figure.save()
    elif change == "sources_disagree":
        figure = Figure.objects.filter(area=visit.school.police_force, period="2022/23").first()
        Figure.objects.create(area=figure.area, indicator=figure.indicator, period=figure.period,
                              value=figure.value + 10, source=Source.objects.exclude(pk=figure.source_id).first())
    assert gather(visit).key != before


def test_a_matching_if_none_match_gets_304_with_no_body_and_no_download_logged(staff_client, visit):
    etag = staff_client.get(pack_url(visit))["ETag"]
    PackDownload.objects.all().delete()
    response = staff_client.get(pack_url(visit), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert not PackDownload.objects.exists()


def test_a_stale_etag_gets_the_new_pack(staff_client, visit):
    etag = staff_client.get(pack_url(visit))["ETag"]
    visit.notes = "Changed"
    visit.save()
    response = staff_client.get(pack_url(visit), headers={"If-None-Match": etag})
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] != etag


def test_the_renderer_refuses_http_and_file_urls_and_serves_data_and_our_static_files():
    fetcher = url_fetcher()
    for url in ["http://example.org/logo.png", "https://example.org/x.css", "file:///etc/passwd",
                "https://pack-assets.invalid/static/../../config/settings.py",
                "https://pack-assets.invalid/static/css/site.css", "ftp://example.org/x"]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    css = fetcher.fetch("https://pack-assets.invalid/static/pack/print.css")
    assert b"@page" in css.read()


def test_an_external_image_in_the_pack_html_is_not_fetched(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the renderer tried to reach the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    pdf = html_to_pdf('<p>Hello</p><img src="http://example.org/x.png"><img src="file:///etc/hostname">')
    assert pdf.startswith(b"%PDF")


# visit (+school, area, coordinator), sessions (+types), contacts, assignments (+volunteers), content, figures
# in use (+sources); with an error, visit.problems() for its message: booked volunteers, clashes,
# unavailability, the previous visit in the cycle, the authority's term dates, the school's closures, its
# other visits. Without one, the stored error codes say there is none to show.
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(("with_error", "queries"), [(False, 6), (True, 12)], ids=["no error", "an error"])
def test_gathering_a_pack_costs_the_same_queries_for_any_number_of_sessions_volunteers_and_contacts(
        thames_valley, django_assert_num_queries, n, with_error, queries, make_visit):
    visit = make_visit(thames_valley, slugs=("assembly-ks1", "assembly-ks2", "workshop-years-5-6")[:n])
    for _ in range(n - 1):
        AssignmentFactory(visit=visit)
        SchoolContactFactory(school=visit.school, role="office")
    if with_error:
        lead = visit.assignments.get(role="lead").volunteer
        lead.dbs_checked_on = None  # not cleared
        lead.save()
    assert ("not_cleared" in Visit.objects.get(pk=visit.pk).stored_error_codes) == with_error
    with django_assert_num_queries(queries):
        data = gather(visit)
    assert len(data.lines) == n and len(data.volunteers) == n + 1  # make_visit books a lead and a supporter
    assert [p.code for p in data.errors] == [p.code for p in visit.errors()]
    assert ("not_cleared" in {p.code for p in data.errors}) == with_error


def test_a_visit_whose_errors_were_never_worked_out_gets_them_from_the_rules(thames_valley, make_visit):
    visit = make_visit(thames_valley)
    lead = visit.assignments.get(role="lead").volunteer
    lead.dbs_checked_on = None
    lead.save()
    Visit.objects.filter(pk=visit.pk).update(error_codes=None)  # as a bulk load leaves it
    assert "not_cleared" in {p.code for p in gather(visit).errors}


def handouts_url(visit) -> str:
    return f"/visits/{visit.pk}/handouts.pdf"


def test_the_handouts_download_is_a_pdf_of_pupil_pages_named_as_handouts(staff_client, visit, pages_text):
    response = staff_client.get(handouts_url(visit))
    pages = pages_text(b"".join(response.streaming_content))
    assert 'filename="handouts-2027-03-02-riverside-primary-school.pdf"' in response["Content-Disposition"]
    assert len(pages) == 2 and all("For pupils" in page for page in pages)
    assert not any("Confidential" in page or "Helen Ward" in page for page in pages)


def test_the_handouts_follow_the_packs_access_rule(client, visit, kent):
    client.force_login(CoordinatorFactory(areas=[kent]).user)
    assert client.get(handouts_url(visit)).status_code == 404
    volunteer = VolunteerFactory()
    AssignmentFactory(visit=visit, volunteer=volunteer, status=Assignment.Status.DECLINED)
    client.force_login(volunteer.user)
    assert client.get(handouts_url(visit)).status_code == 404


def test_the_pack_and_its_handouts_are_stored_side_by_side(staff_client, visit):
    b"".join(staff_client.get(pack_url(visit)).streaming_content)
    b"".join(staff_client.get(handouts_url(visit)).streaming_content)
    b"".join(staff_client.get(pack_url(visit)).streaming_content)
    assert StoredPack.objects.count() == 2


def test_render_pack_writes_the_handouts_alone_with_handouts(visit, media, tmp_path, pages_text):
    out = tmp_path / "handouts.pdf"
    call_command("render_pack", str(visit.pk), "-o", str(out), "--handouts")
    pages = pages_text(out.read_bytes())
    assert pages and all("For pupils" in page for page in pages)


def test_the_visit_page_links_the_pack_and_the_handouts(coordinator_client, visit):
    html = coordinator_client.get(f"/visits/{visit.pk}/").content.decode()
    assert f'href="/visits/{visit.pk}/pack.pdf"' in html
    assert f'href="/visits/{visit.pk}/handouts.pdf">Pupil handouts to photocopy</a>' in html
