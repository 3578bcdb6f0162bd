"""Importing figures in the admin: upload, preview, confirm; all or nothing; staff with permission only."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.factories import UserFactory
from stats.admin_import import MAX_UPLOAD_BYTES, SESSION_KEY
from stats.factories import SourceFactory
from stats.models import Area, Figure, Indicator, Source

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "figures"
UPLOAD = "/admin/stats/figure/import/"
OPTIONS = "/admin/stats/figure/import/home-office/"
PREVIEW = "/admin/stats/figure/import/preview/"
CONFIRM = "/admin/stats/figure/import/confirm/"
HEADER = "area_code,area_name,indicator,period,value,source_title,source_publisher,source_url,published"
SOURCE = "Child sexual offences 2023/24,NSPCC,https://example.org/nspcc/2024,2024-11-20"
GOOD = f"{HEADER}\nE23000029,,child-sexual-offences,2023/24,3100,{SOURCE}\nE23000032,,child-sexual-offences,2016/17,2202,{SOURCE}\n"


def csv_file(text: str, name: str = "figures.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, text: str, **kwargs):
    return client.post(UPLOAD, {"file": csv_file(text, **kwargs)})


def fingerprint(html: str) -> str:
    marker = 'name="fingerprint" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def test_the_figures_list_links_to_the_import(importer_client):
    html = importer_client.get("/admin/stats/figure/").content.decode()
    assert f'href="{UPLOAD}"' in html
    assert "Import figures from CSV" in html


def test_the_upload_page_explains_both_formats_and_has_a_labelled_file_field(importer_client):
    html = importer_client.get(UPLOAD).content.decode()
    assert '<label for="id_file" class="required">CSV file:</label>' in html
    assert "Home Office police recorded crime" in html
    assert 'value="Upload and preview"' in html


def test_a_good_file_is_previewed_then_imported_on_confirmation(importer_client):
    response = upload(importer_client, GOOD)
    assert response.headers["Location"] == PREVIEW
    assert not Figure.objects.filter(period="2023/24").exists()  # nothing before confirmation

    html = importer_client.get(PREVIEW).content.decode()
    assert "<strong>2</strong> figures to create" in html
    assert "<strong>0</strong> to update" in html
    create = html[html.index('id="import-create"'):html.index("</table>", html.index('id="import-create"'))]
    assert "Thames Valley (E23000029)" in create and "3100" in create
    assert "Kent (E23000032)" in create  # a new source's 2016/17 figure is a new figure beside the NSPCC one
    assert 'value="Import 2 new and 0 changed figures"' in html

    response = importer_client.post(CONFIRM, {"fingerprint": fingerprint(html)})
    assert response.headers["Location"] == "/admin/stats/figure/"
    assert Figure.objects.get(area__code="E23000029", period="2023/24").value == 3100
    assert Source.objects.filter(url="https://example.org/nspcc/2024").count() == 1
    assert SESSION_KEY not in importer_client.session
    message = importer_client.get("/admin/stats/figure/").content.decode()
    assert "Imported figures.csv: 2 figures created, 0 updated, 0 unchanged; 1 sources created" in message


def test_an_update_is_shown_with_the_value_held_and_the_new_one(importer_client):
    upload(importer_client, GOOD)
    importer_client.post(CONFIRM, {"fingerprint": fingerprint(importer_client.get(PREVIEW).content.decode())})
    upload(importer_client, GOOD.replace(",3100,", ",3150,"))
    html = importer_client.get(PREVIEW).content.decode()
    update = html[html.index('id="import-update"'):]
    assert "<td>3100</td><td>3150</td>" in update
    assert 'id="import-unchanged"' in html and "Left unchanged (1)" in html


def test_a_file_with_bad_rows_is_previewed_with_every_problem_and_cannot_be_confirmed(importer_client):
    bad = f"{HEADER}\nE23000029,,child-sexual-offences,2023/24,lots,{SOURCE}\nE99999999,,nope,2023/24,1,{SOURCE}\n"
    upload(importer_client, bad)
    html = importer_client.get(PREVIEW).content.decode()
    assert "Nothing can be imported: 3 problems" in html
    assert "<tr><td>2</td><td>value</td><td>“lots” is not a whole number" in html
    assert "<tr><td>3</td><td>area_code</td>" in html
    assert "<tr><td>3</td><td>indicator</td>" in html
    assert 'name="fingerprint"' not in html
    response = importer_client.post(CONFIRM, {"fingerprint": "anything"})
    assert response.status_code == 422
    assert "Nothing can be imported" in response.content.decode()
    assert not Figure.objects.filter(period="2023/24").exists()


def test_a_file_that_is_not_utf8_is_refused_at_upload(importer_client):
    response = upload(importer_client, GOOD.replace("E23000029,,", ",St Mary’s,"), encoding="cp1252")
    html = response.content.decode()
    assert "not UTF-8" in html and "CSV UTF-8" in html
    assert SESSION_KEY not in importer_client.session


def test_a_file_with_a_quote_never_closed_is_refused_at_upload_naming_the_row(importer_client):
    text = GOOD + 'E23000032,,child-sexual-offences,2023/24,"2440,NSPCC\n' + "x" * 140_000

    response = upload(importer_client, text)

    assert "not valid CSV" in response.content.decode() and "never closed" in response.content.decode()
    assert SESSION_KEY not in importer_client.session


def test_a_file_in_neither_format_is_refused_at_upload_naming_the_columns_found(importer_client):
    html = upload(importer_client, "name,score\nAsha,3\n").content.decode()
    assert "this is neither a figures CSV" in html
    assert "Columns found: name, score" in html


def test_a_file_over_the_size_limit_is_refused_with_the_limit(importer_client):
    big = GOOD + ("#" * 80 + "\n") * (MAX_UPLOAD_BYTES // 80 + 10)
    html = upload(importer_client, big).content.decode()
    assert "the most this form accepts is 5 MB" in html
    assert SESSION_KEY not in importer_client.session


def test_a_stale_preview_is_not_applied(importer_client):
    upload(importer_client, GOOD)
    seen = fingerprint(importer_client.get(PREVIEW).content.decode())
    source = SourceFactory(url="https://example.org/nspcc/2024", published="2024-11-20")
    Figure.objects.create(area=Area.objects.get(code="E23000029"), period="2023/24", value=1, source=source,
                          indicator=Indicator.objects.get(slug="child-sexual-offences"))
    response = importer_client.post(CONFIRM, {"fingerprint": seen})
    assert response.headers["Location"] == PREVIEW
    assert Figure.objects.get(area__code="E23000029", period="2023/24").value == 1
    assert not Figure.objects.filter(area__code="E23000032", source=source).exists()


def test_the_preview_without_an_upload_sends_you_to_the_upload(importer_client):
    assert importer_client.get(PREVIEW).headers["Location"] == UPLOAD


def test_a_home_office_table_asks_for_offences_then_previews_the_sums_and_imports_them(importer_client):
    data = (FIXTURES / "home_office_prc_pfa_2016_17.csv").read_text()
    response = upload(importer_client, data, name="prc-pfa-2016-17.csv")
    assert response.headers["Location"] == OPTIONS
    html = importer_client.get(OPTIONS).content.decode()
    assert "<legend class=\"required\">Offence descriptions to add up</legend>" in html
    assert 'value="Sexual grooming"' in html and 'value="Burglary - residential"' in html
    assert '<label for="id_source_url" class="required">Source web address:</label>' in html

    url = "https://www.gov.uk/government/statistics/police-recorded-crime-open-data-tables"
    response = importer_client.post(OPTIONS, {
        "offences": ["Rape of a female child under 13", "Sexual grooming"], "indicator": "child-sexual-offences",
        "source_title": "Police recorded crime PFA tables", "source_publisher": "Home Office",
        "source_url": url, "published": "2024-07-24",
    })
    assert response.headers["Location"] == PREVIEW
    html = importer_client.get(PREVIEW).content.decode()
    assert "<strong>5</strong> figures to create" in html
    assert "British Transport Police: 8 rows left out" in html
    assert "Thames Valley (E23000029)" in html and "<td>32</td>" in html
    importer_client.post(CONFIRM, {"fingerprint": fingerprint(html)})
    assert Figure.objects.get(area__code="E23000029", source__url=url).value == 32
    assert Figure.objects.filter(source__url=url).count() == 5


def test_home_office_options_are_checked_before_the_preview(importer_client):
    upload(importer_client, (FIXTURES / "home_office_prc_pfa_2016_17.csv").read_text())
    response = importer_client.post(OPTIONS, {"indicator": "no-such", "source_url": "nope", "published": "2099-01-01"})
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert html.count('class="errorlist"') >= 4
    assert "is in the future" in html
    assert importer_client.session[SESSION_KEY]["options"] is None


def test_unknown_force_names_in_a_home_office_table_are_listed_and_nothing_is_written(importer_client):
    data = "Financial Year,Force Name,Offence Description,Number of Offences\n2016/17,Gotham City,Sexual grooming,3\n"
    upload(importer_client, data)
    importer_client.post(OPTIONS, {
        "offences": ["Sexual grooming"], "indicator": "child-sexual-offences", "source_title": "T",
        "source_publisher": "Home Office", "source_url": "https://example.org/ho", "published": "2024-07-24",
    })
    html = importer_client.get(PREVIEW).content.decode()
    assert "“Gotham City” matches no police force area (rows 2)" in html
    assert not Source.objects.filter(url="https://example.org/ho").exists()


def test_someone_not_on_the_staff_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory(is_staff=False))
    for url in (UPLOAD, OPTIONS, PREVIEW):
        assert client.get(url).headers["Location"].startswith("/admin/login/")
    response = client.post(UPLOAD, {"file": csv_file(GOOD)})
    assert response.headers["Location"].startswith("/admin/login/")
    assert not Figure.objects.filter(period="2023/24").exists()


def test_staff_without_permission_to_change_figures_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(UPLOAD).status_code == 403
    response = client.post(UPLOAD, {"file": csv_file(GOOD)})
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_confirming_needs_a_post(importer_client):
    upload(importer_client, GOOD)
    assert importer_client.get(CONFIRM).status_code == 405
    assert not Figure.objects.filter(period="2023/24").exists()


def test_a_file_over_the_site_wide_limit_is_not_even_read_and_the_form_says_why(importer_client, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024  # the handler stops reading here, whatever the form allows
    big = GOOD + ("#" * 80 + "\n") * (2 * 1024 * 1024 // 80)

    html = upload(importer_client, big).content.decode()

    assert "The file is larger than 1 MB, the most this form accepts." in html
    assert "This field is required" not in html
    assert SESSION_KEY not in importer_client.session
