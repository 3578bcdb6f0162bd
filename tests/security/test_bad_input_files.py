"""Property-based tests for the importers: a GIAS file, a figures CSV and a term calendar cut at any byte, re-encoded,
given a byte-order mark, filled with noise or emptied. Never an unexpected exception, never a partial
write, and every refusal names the row (line) or column it is about."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from schools.importers import GiasImportError, import_gias
from schools.models import School, SchoolContact, TermDate
from schools.term_import import apply_terms, plan_terms
from stats.models import Figure, Source
from tests.schools import test_term_import as terms
from tests.schools.test_import_schools import FORMAT
from tests.stats.test_import_admin import GOOD, upload

pytestmark = pytest.mark.django_db

GIAS = FORMAT.read_bytes()
FIGURES = GOOD.encode()
TERMS = terms.GOOD.encode()
NAMES_A_PLACE = re.compile(r"\b(row|line|column|header|URN|file|encoding|UTF-8|cp1252|CSV|empty)\b", re.I)


def damaged(original: bytes):
    """The file cut at any byte, with noise spliced in, re-encoded, with a BOM, or replaced outright."""
    cut = st.integers(0, len(original)).map(lambda n: original[:n])
    spliced = st.tuples(st.integers(0, len(original)), st.binary(max_size=64)).map(
        lambda t: original[: t[0]] + t[1] + original[t[0]:])
    recoded = st.sampled_from(["utf-16", "utf-32", "latin-1"]).map(
        lambda enc: original.decode("cp1252").encode(enc, errors="replace"))
    bom = st.just(b"\xef\xbb\xbf" + original)
    noise = st.binary(max_size=2000)
    scripted = st.just(original.replace(b"The Aldgate School", b"<script>alert(1)</script>"))
    return st.one_of(cut, spliced, recoded, bom, noise, scripted, st.just(b""))


@given(content=damaged(GIAS))
def test_a_damaged_gias_file_is_imported_or_refused_whole_with_where_and_why(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("gias") / "edubasealldata20261128.csv"
    path.write_bytes(content)
    schools, contacts = School.objects.count(), SchoolContact.objects.count()

    try:
        import_gias(path, batch_size=3)
    except GiasImportError as refusal:
        assert refusal.errors and all(NAMES_A_PLACE.search(error) for error in refusal.errors), refusal.errors
        assert (School.objects.count(), SchoolContact.objects.count()) == (schools, contacts)
    School.objects.all().delete()


@given(content=damaged(FIGURES))
def test_a_damaged_figures_file_is_imported_or_refused_whole_with_where_and_why(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("figures") / "figures.csv"
    path.write_bytes(content)
    figures, sources = Figure.objects.count(), Source.objects.count()

    try:
        call_command("import_figures", str(path), stdout=StringIO())
    except CommandError as refusal:
        assert NAMES_A_PLACE.search(str(refusal)), str(refusal)
        assert (Figure.objects.count(), Source.objects.count()) == (figures, sources)


@given(content=damaged(FIGURES))
def test_a_damaged_figures_upload_in_the_admin_is_refused_with_where_and_why(importer_client, content):
    figures = Figure.objects.count()
    response = upload(importer_client, content.decode("latin-1"), encoding="latin-1")

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        html = response.content.decode()
        assert 'class="errorlist' in html and NAMES_A_PLACE.search(html)
    assert Figure.objects.count() == figures  # nothing is written before the preview is confirmed


def wrong_codes(original: bytes):
    """The term calendar with a field of one row replaced by something that is not a code, year, kind or date."""
    lines = original.decode().splitlines()
    return st.tuples(st.integers(1, len(lines) - 1), st.integers(0, 4), st.text(max_size=12)).map(
        lambda t: "\n".join(lines[: t[0]] + [",".join(
            t[2].replace(",", ";").replace("\n", " ") if i == t[1] else cell
            for i, cell in enumerate(lines[t[0]].split(",")))] + lines[t[0] + 1:]).encode())


@given(content=st.one_of(damaged(TERMS), wrong_codes(TERMS)))
def test_a_damaged_term_calendar_is_imported_or_refused_whole_naming_the_row_and_column(content):
    held = TermDate.objects.count()

    plan = plan_terms(content)

    if plan.ok:
        apply_terms(plan)
        TermDate.objects.all().delete()
    else:
        assert plan.errors and all(NAMES_A_PLACE.search(error) for error in plan.errors), plan.errors
        assert all(re.match(r"(Row \d+(, column \w+)?: |The file is empty)", error) for error in plan.errors), plan.errors
        assert TermDate.objects.count() == held


@given(content=damaged(TERMS))
def test_a_damaged_term_calendar_upload_in_the_admin_writes_nothing_before_confirmation(content, client):
    user = terms.UserFactory(is_staff=True)
    user.user_permissions.add(*terms.Permission.objects.filter(codename__in=["add_termdate", "delete_termdate"]))
    client.force_login(user)

    response = terms.upload(client, content.decode("latin-1"), encoding="latin-1")
    if response.status_code == 302:
        html = client.get(response["Location"]).content.decode()
        assert "Import these term dates" in html or ("Nothing can be imported" in html and NAMES_A_PLACE.search(html))
    assert not TermDate.objects.exists()
