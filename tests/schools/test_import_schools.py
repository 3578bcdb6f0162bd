"""import_schools reads the GIAS establishment CSV exactly as published, all or nothing."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from schools.importers import import_gias
from schools.models import School, SchoolContact
from sessions.factories import VisitFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gias"
RAW = FIXTURES / "edubasealldata_sample_2021_raw.csv"
FORMAT = FIXTURES / "edubasealldata_format.csv"
# Columns GIAS writes bare when they hold a value; everything else is quoted.
UNQUOTED = {
    "URN",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "SchoolCapacity",
    "UKPRN",
    "Easting",
    "Northing",
    "SENStat",
    "SENNoStat",
}


def read_fixture(path: Path = FORMAT) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def gias_text(header: list[str], rows: list[dict[str, str]]) -> str:
    lines = [",".join(f'"{column}"' for column in header)]
    for row in rows:
        lines.append(
            ",".join(row[c] if c in UNQUOTED and row[c] else '"' + row[c].replace('"', '""') + '"' for c in header)
        )
    return "\r\n".join(lines) + "\r\n"


def write_gias(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    path.write_bytes(gias_text(header, rows).encode("cp1252"))
    return path


def fixture_with(tmp_path: Path, **changes_by_urn: dict[str, str]) -> Path:
    """The format fixture with some rows changed, e.g. fixture_with(tmp_path, u100008={"NumberOfPupils": "1"})."""
    header, rows = read_fixture()
    for row in rows:
        row.update(changes_by_urn.get(f"u{row['URN']}", {}))
    return write_gias(tmp_path / "edubasealldata.csv", header, rows)


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_schools", str(path), *args, stdout=out)
    return out.getvalue()


def fails(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as failure:
        run(path, *args)
    assert School.objects.count() == 0
    assert SchoolContact.objects.count() == 0
    return str(failure.value)


# --- the real file -----------------------------------------------------------------------------


def test_the_real_gias_header_and_rows_import_with_every_field_in_place():
    output = run(RAW)

    assert "Created: 2" in output
    aldgate = School.objects.get(urn=100000)
    assert aldgate.name == "The Aldgate School"
    assert aldgate.phase == "Primary"
    assert aldgate.establishment_type == "Voluntary aided school"
    assert (aldgate.low_age, aldgate.high_age) == (3, 11)
    assert aldgate.status == School.Status.OPEN
    assert aldgate.address_lines == ["St James's Passage", "Duke's Place", "London", "EC3A 5DE"]
    assert aldgate.telephone == "02072831147"
    assert aldgate.pupils == 276
    assert (aldgate.easting, aldgate.northing) == (533498, 181201)
    assert aldgate.nation == School.Nation.ENGLAND
    assert aldgate.welsh_medium is False
    assert aldgate.send_provision == ""
    assert aldgate.local_authority.code == "E09000001"
    assert aldgate.police_force.code == "E23000034"  # City of London Police
    head = [(c.name, c.role) for c in aldgate.contacts.all()]
    assert head == [("Miss Alexandra Allan", SchoolContact.Role.HEADTEACHER)]


def test_an_all_age_school_that_teaches_children_of_seven_is_kept():
    run(RAW)

    girls = School.objects.get(urn=100001)
    assert girls.name == "City of London School for Girls"
    assert (girls.low_age, girls.high_age, girls.phase) == (7, 18, "Not applicable")
    assert girls.contacts.get().name == "Mrs Jenny Brown"


# --- what is kept and what is skipped ----------------------------------------------------------


def test_the_format_fixture_creates_the_primary_age_open_schools_and_counts_each_skip_by_reason():
    output = run(FORMAT)

    assert sorted(School.objects.values_list("urn", flat=True)) == [
        100000,
        100001,
        100007,
        100008,
        100012,
        100018,
        100028,
        990001,
        990002,
        990003,
    ]
    assert "Read 17 establishments" in output
    assert "Created: 10\nUpdated: 0\nUnchanged: 0\nSkipped: 7\n" in output
    assert "  no statutory ages: 3\n" in output  # three Welsh establishments GIAS gives no ages
    assert "  not primary age: 2\n" in output  # a nursery (3–5) and a Key Stage 4 PRU (14–16)
    assert "  closed: 1\n" in output
    assert "  proposed to open (not open yet): 1\n" in output
    assert "Errors: 0" in output


def test_open_but_proposed_to_close_is_kept_with_that_status():
    run(FORMAT)

    carlton = School.objects.get(urn=100012)
    assert carlton.status == School.Status.PROPOSED_TO_CLOSE
    assert carlton.is_open


def test_a_curly_apostrophe_in_cp1252_arrives_as_a_curly_apostrophe():
    run(FORMAT)

    school = School.objects.get(urn=990001)
    assert school.name == "St Mary’s Catholic Primary School"
    assert school.contacts.get(role=SchoolContact.Role.HEADTEACHER).name == "Mrs Siân O’Connor"


def test_a_comma_inside_a_quoted_field_stays_in_the_field():
    run(FORMAT)

    assert School.objects.get(urn=100028).name == "Christ Church Primary School, Hampstead"
    assert School.objects.get(urn=990001).street == "Unit 2, Oxford Road"


def test_leading_zeros_of_telephone_numbers_are_kept():
    run(FORMAT)

    assert School.objects.get(urn=100028).telephone == "02074351361"
    assert School.objects.get(urn=990001).telephone == "01184960000"


def test_the_district_code_places_a_school_in_its_police_force_area_and_nation(thames_valley):
    run(FORMAT)

    reading = School.objects.get(urn=990001)
    assert reading.police_force == thames_valley
    welsh = School.objects.get(urn=990002)
    assert welsh.nation == School.Nation.WALES
    assert welsh.police_force.code == "W15000003"  # South Wales
    assert welsh.pupils is None and welsh.easting is None


def test_send_provision_combines_resourced_provision_pru_provision_and_types_of_need():
    run(FORMAT)

    assert School.objects.get(urn=100007).send_provision == (
        "SEN unit; PRU with SEN provision; SEMH - Social, Emotional and Mental Health"
    )
    assert School.objects.get(urn=100018).send_provision == (
        "Resourced provision and SEN unit; ASD - Autistic Spectrum Disorder"
    )
    assert School.objects.get(urn=100012).send_provision == ""  # "Not applicable"


def test_a_school_whose_district_is_not_in_the_lookup_is_imported_and_listed_as_a_warning():
    output = run(FORMAT)

    school = School.objects.get(urn=990003)
    assert school.local_authority is None
    assert "Warnings: 1\n  no police force area: 1\n" in output
    assert "URN 990003 Oakfield Primary School (row 18): district code 'E06099999' is not in the" in output


def test_an_establishment_outside_the_uk_is_skipped(tmp_path):
    output = run(fixture_with(tmp_path, u100008={"Country (name)": "Spain"}))

    assert not School.objects.filter(urn=100008).exists()
    assert "  outside the UK: 1\n" in output


# --- importing again ---------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing():
    run(FORMAT)
    before = list(School.objects.order_by("urn").values())

    output = run(FORMAT)

    assert "Created: 0\nUpdated: 0\nUnchanged: 10\n" in output
    assert "Headteacher contacts: 0 added, 0 renamed" in output
    assert list(School.objects.order_by("urn").values()) == before
    assert SchoolContact.objects.count() == 1


def test_a_changed_row_updates_that_school_only(tmp_path):
    run(FORMAT)

    output = run(fixture_with(tmp_path, u100008={"NumberOfPupils": "360", "Street": "Tonbridge Street West"}))

    assert "Created: 0\nUpdated: 1\nUnchanged: 9\n" in output
    argyle = School.objects.get(urn=100008)
    assert (argyle.pupils, argyle.street) == (360, "Tonbridge Street West")


def test_a_school_that_has_closed_since_the_last_import_is_marked_closed_and_its_planned_visits_flagged(tmp_path):
    run(FORMAT)
    VisitFactory(school=School.objects.get(urn=100008))

    output = run(fixture_with(tmp_path, u100008={"EstablishmentStatus (name)": "Closed", "CloseDate": "31-08-2026"}))

    assert School.objects.get(urn=100008).status == School.Status.CLOSED
    assert "Updated: 1\n" in output
    assert "  no longer open: 1\n" in output
    assert (
        "URN 100008 Argyle Primary School: now Closed (close date 31 August 2026); 1 planned visit(s) to review"
        in output
    )
    assert not School.objects.due().filter(urn=100008).exists()


def test_a_new_headteacher_renames_the_head_contact_rather_than_adding_another(tmp_path):
    run(FORMAT)

    new_head = {"HeadTitle (name)": "Mr", "HeadFirstName": "Gareth", "HeadLastName": "Price"}

    output = run(fixture_with(tmp_path, u990001=new_head))

    assert list(School.objects.get(urn=990001).contacts.values_list("name", flat=True)) == ["Mr Gareth Price"]
    assert "Headteacher contacts: 0 added, 1 renamed" in output


def test_a_dry_run_reports_what_would_happen_and_writes_nothing():
    output = run(FORMAT, "--dry-run")

    assert output.startswith("Dry run: nothing was written.")
    assert "Created: 10\n" in output
    assert School.objects.count() == 0
    assert SchoolContact.objects.count() == 0


def test_a_dry_run_over_held_schools_leaves_them_as_they_were(tmp_path):
    run(FORMAT)

    output = run(fixture_with(tmp_path, u100008={"EstablishmentStatus (name)": "Closed"}), "--dry-run")

    assert "Updated: 1\n" in output
    assert School.objects.get(urn=100008).status == School.Status.OPEN


# --- bad input: a clear message, a non-zero exit and nothing written -------------------------------


def test_a_utf16_file_is_refused(tmp_path):
    path = tmp_path / "edubase.csv"
    path.write_bytes(FORMAT.read_bytes().decode("cp1252").encode("utf-16"))

    assert "is UTF-16 text, not the Windows-1252 (cp1252) that GIAS publishes" in fails(path)


def test_a_file_resaved_as_utf8_with_a_byte_order_mark_is_refused(tmp_path):
    path = tmp_path / "edubase.csv"
    path.write_bytes(FORMAT.read_bytes().decode("cp1252").encode("utf-8-sig"))

    assert "is UTF-8 (it starts with a UTF-8 byte-order mark)" in fails(path)


def test_a_file_resaved_as_utf8_without_a_mark_is_refused_naming_the_row_and_field(tmp_path):
    path = tmp_path / "edubase.csv"
    path.write_bytes(FORMAT.read_bytes().decode("cp1252").encode("utf-8"))

    message = fails(path)

    assert (
        "Row 16, field \"EstablishmentName\": 'St Maryâ€™s Catholic Primary School' is UTF-8 text read as "
        "Windows-1252 (it should read 'St Mary’s Catholic Primary School')"
    ) in message


def test_a_byte_that_is_not_cp1252_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "edubase.csv"
    path.write_bytes(FORMAT.read_bytes().replace(b"Argyle", b"Argyle\x81"))

    assert "Row 8: a byte that is not Windows-1252 (cp1252) text" in fails(path)


def test_a_zip_archive_is_refused_with_what_to_do(tmp_path):

    path = tmp_path / "edubase.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(FORMAT, "edubasealldata.csv")

    assert "is a zip archive: extract the edubasealldata CSV from it first" in fails(path)


def test_a_file_that_is_not_the_gias_csv_is_refused_naming_the_missing_columns(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("These are my notes about schools.\n")

    message = fails(path)

    assert 'Row 1: missing required column(s) "URN", "EstablishmentName", "EstablishmentStatus (name)"' in message


def test_missing_required_columns_are_named(tmp_path):
    header, rows = read_fixture()
    header = [c for c in header if c not in ("StatutoryLowAge", "DistrictAdministrative (code)")]

    message = fails(write_gias(tmp_path / "edubase.csv", header, rows))

    assert 'missing required column(s) "StatutoryLowAge", "DistrictAdministrative (code)"' in message


def test_a_non_numeric_urn_is_refused_naming_the_row_and_field(tmp_path):
    message = fails(fixture_with(tmp_path, u100001={"URN": "10000I"}))

    assert "Row 3, field \"URN\": '10000I' is not a URN (a whole number)." in message


def test_a_non_numeric_age_is_refused_naming_the_row_and_field(tmp_path):
    message = fails(fixture_with(tmp_path, u100008={"StatutoryLowAge": "four"}))

    assert "Row 8, field \"StatutoryLowAge\": 'four' is not a whole number." in message


def test_an_unknown_status_is_refused_naming_the_row_and_field(tmp_path):
    message = fails(fixture_with(tmp_path, u100008={"EstablishmentStatus (name)": "Opened"}))

    assert "Row 8, field \"EstablishmentStatus (name)\": 'Opened' is not a GIAS status" in message


def test_a_urn_twice_in_the_file_is_refused_naming_both_rows(tmp_path):
    message = fails(fixture_with(tmp_path, u100008={"URN": "100007"}))

    assert "Row 8, field \"URN\": '100007' appears twice in the file (first on row 7)." in message


def test_a_file_cut_off_part_way_through_a_row_is_refused(tmp_path):
    data = FORMAT.read_bytes()
    path = tmp_path / "edubase.csv"
    path.write_bytes(data[: len(data) - 500])

    assert "does not end with a line break: the file looks cut short (truncated)" in fails(path)


def test_a_row_with_too_few_fields_is_refused_naming_the_row(tmp_path):
    lines = FORMAT.read_bytes().split(b"\r\n")
    lines[17] = b",".join(lines[17].split(b",")[:57])
    path = tmp_path / "edubase.csv"
    path.write_bytes(b"\r\n".join(lines))

    assert "Row 18: has 57 fields where the header has 139; the file is damaged or truncated." in fails(path)


def test_a_quoted_field_left_open_is_refused_naming_the_row(tmp_path):
    data = FORMAT.read_bytes()
    path = tmp_path / "edubase.csv"
    path.write_bytes(data[: data.rindex(b"Oakfield Lane") + 3] + b"\r\n")

    assert "Row 18: not valid CSV (unexpected end of data)" in fails(path)


def test_an_error_after_earlier_batches_were_written_leaves_nothing_written(tmp_path):
    path = fixture_with(tmp_path, u990003={"NumberOfPupils": "12O"})

    with pytest.raises(Exception, match='Row 18, field "NumberOfPupils"'):
        import_gias(path, batch_size=2)

    assert School.objects.count() == 0
    assert SchoolContact.objects.count() == 0


def test_errors_are_listed_up_to_fifty_with_the_total(tmp_path):
    header, rows = read_fixture()
    template = next(row for row in rows if row["URN"] == "100008")
    rows = [{**template, "URN": str(200000 + n), "StatutoryHighAge": "eleven"} for n in range(60)]

    message = fails(write_gias(tmp_path / "edubase.csv", header, rows))

    assert message.startswith("Nothing was imported: 60 error(s) in ")
    assert message.count('field "StatutoryHighAge"') == 50
    assert message.endswith("… and 10 more.")


# --- scale -------------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_number_of_rows(tmp_path, django_assert_max_num_queries):
    header, rows = read_fixture()
    template = next(row for row in rows if row["URN"] == "990001")
    rows = [{**template, "URN": str(300000 + n), "EstablishmentName": f"School {n}"} for n in range(2000)]
    path = write_gias(tmp_path / "edubase.csv", header, rows)

    with django_assert_max_num_queries(20):
        import_gias(path)
    for row in rows:
        row["NumberOfPupils"] = "209"
        row["HeadLastName"] = "Price"
    write_gias(path, header, rows)
    with django_assert_max_num_queries(20):
        report = import_gias(path)

    assert (report.created, report.updated, report.heads_renamed) == (0, 2000, 2000)
    assert School.objects.filter(pupils=209).count() == 2000
