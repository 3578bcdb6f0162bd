"""import_figures: our figures CSV and the Home Office police recorded crime table, all or nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stats.importers import decode, parse_period, plan_file, read_table
from stats.models import Figure, Source

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "figures"
HOME_OFFICE = FIXTURES / "home_office_prc_pfa_2016_17.csv"
HEADER = "area_code,area_name,indicator,period,value,source_title,source_publisher,source_url,published"
SOURCE = "Child sexual offences 2023/24,NSPCC,https://example.org/nspcc/2024,2024-11-20"
HOME_OFFICE_SOURCE = [
    "--indicator", "child-sexual-offences", "--source-title", "Police recorded crime: PFA open data tables",
    "--source-url", "https://www.gov.uk/government/statistics/police-recorded-crime-open-data-tables",
    "--published", "2024-07-24",
]


def write(tmp_path: Path, *lines: str, header: str = HEADER, encoding: str = "utf-8", name="figures.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode(encoding))
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_figures", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path, *args: str) -> str:
    figures, sources = Figure.objects.count(), Source.objects.count()
    with pytest.raises(CommandError) as failure:
        run(path, *args)
    assert (Figure.objects.count(), Source.objects.count()) == (figures, sources), "nothing may be written"
    return str(failure.value)


def held(code: str, period: str, url: str = "https://example.org/nspcc/2024") -> list[int]:
    figures = Figure.objects.filter(area__code=code, period=period, source__url=url)
    return list(figures.values_list("value", flat=True))


# --- our format ---------------------------------------------------------------------------------


def test_a_good_file_creates_figures_by_code_or_by_name_and_says_how_many(tmp_path):
    path = write(
        tmp_path,
        f'E23000029,,child-sexual-offences,2023/24,"3,100",{SOURCE}',
        f",Devon & Cornwall,child-sexual-offences,2023/24,2500,{SOURCE}",
        f",\"London, City of\",child-sexual-offences,2023/24,40,{SOURCE}",
    )
    output = run(path)
    assert "Figures created: 3" in output
    assert "Figures unchanged: 0" in output
    assert "Sources created: 1" in output
    assert held("E23000029", "2023/24") == [3100]
    assert held("E23000035", "2023/24") == [2500]
    assert held("E23000034", "2023/24") == [40]
    source = Source.objects.get(url="https://example.org/nspcc/2024")
    assert (source.title, source.publisher, source.published.isoformat()) == (
        "Child sexual offences 2023/24", "NSPCC", "2024-11-20")


def test_running_the_same_file_twice_leaves_everything_unchanged(tmp_path):
    path = write(tmp_path, f"E23000029,,child-sexual-offences,2023/24,3100,{SOURCE}")
    run(path)
    output = run(path)
    assert "Figures created: 0" in output
    assert "Figures unchanged: 1" in output
    assert Figure.objects.filter(period="2023/24").count() == 1


def test_a_changed_value_from_the_same_source_is_an_update_showing_old_and_new(tmp_path):
    run(write(tmp_path, f"E23000029,,child-sexual-offences,2023/24,3100,{SOURCE}"))
    output = run(write(tmp_path, f"E23000029,,child-sexual-offences,2023/24,3150,{SOURCE}"))
    assert "Figures updated: 1" in output
    assert "Thames Valley child-sexual-offences 2023/24: 3,100 → 3,150" in output
    assert held("E23000029", "2023/24") == [3150]


def test_a_figure_from_a_newer_source_is_kept_beside_the_old_one_and_used(tmp_path):
    newer = "Revised figures,NSPCC,https://example.org/nspcc/2024-revised,2024-12-01"
    run(write(tmp_path, f"E23000029,,child-sexual-offences,2016/17,2450,{newer}"))
    values = Figure.objects.filter(area__code="E23000029", period="2016/17", indicator__slug="child-sexual-offences")
    assert sorted(values.values_list("value", flat=True)) == [2440, 2450]
    assert list(values.in_use().values_list("value", flat=True)) == [2450]


def test_a_dry_run_reports_the_counts_and_writes_nothing(tmp_path):
    path = write(tmp_path, f"E23000029,,child-sexual-offences,2023/24,3100,{SOURCE}")
    output = run(path, "--dry-run")
    assert "Dry run: nothing was written" in output
    assert "Figures created: 1" in output
    assert not Figure.objects.filter(period="2023/24").exists()
    assert not Source.objects.filter(url="https://example.org/nspcc/2024").exists()


def test_semicolon_separated_files_with_a_byte_order_mark_are_read(tmp_path):
    header = HEADER.replace(",", ";")
    line = f"E23000029;;child-sexual-offences;2023/24;3100;{SOURCE.replace(',', ';')}"
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff".encode() + f"{header}\r\n{line}\r\n".encode())
    assert "Figures created: 1" in run(path)


def test_a_windows_1252_file_is_refused_naming_the_encoding_and_the_line(tmp_path):
    path = write(tmp_path, f",St Mary’s,child-sexual-offences,2023/24,1,{SOURCE}", encoding="cp1252")
    message = refused(path)
    assert "not UTF-8" in message
    assert "line 2" in message
    assert "CSV UTF-8" in message


def test_missing_columns_are_named(tmp_path):
    path = write(tmp_path, "E23000029,child-sexual-offences,2023/24,1",
                 header="area_code,indicator,period,value")
    message = refused(path)
    assert "Row 1, header: missing columns: source_title, source_publisher, source_url, published" in message


def test_every_bad_field_is_reported_by_row_and_column_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        f"E23000029,,child-sexual-offences,2023/24,3100,{SOURCE}",
        f"E23000029,,child-sexual-offences,2023/24,lots,{SOURCE}",
        f"E99999999,,child-sexual-offences,2023/24,1,{SOURCE}",
        f",Gotham,child-sexual-offences,2023/24,1,{SOURCE}",
        f"E23000032,,knife-crime,2023/24,1,{SOURCE}",
        f"E23000032,,child-sexual-offences,2023/25,1,{SOURCE}",
        f"E23000032,,child-sexual-offences,2022/23,-4,{SOURCE}",
        "E23000032,,child-sexual-offences,2021/22,1,T,P,not a url,20/11/2024",
    )
    message = refused(path)
    assert "Nothing was imported: 8 errors" in message
    assert "Row 3, value: “lots” is not a whole number" in message
    assert "Row 4, area_code: “E99999999” is not the ONS code of an area held" in message
    assert "Row 5, area_name: “Gotham” matches no area held" in message
    assert "Row 6, indicator: “knife-crime” is not a known indicator" in message
    assert "Row 7, period: “2023/25” is not a financial year such as 2016/17" in message
    assert "Row 8, value: “-4” is not a whole number" in message
    assert "Row 9, source_url: “not a url” is not a web address" in message
    assert "Row 9, published: “20/11/2024” is not a date written as YYYY-MM-DD" in message


def test_duplicate_keys_in_the_file_are_refused_naming_both_rows(tmp_path):
    path = write(
        tmp_path,
        f"E23000029,,child-sexual-offences,2023/24,3100,{SOURCE}",
        f",Thames Valley,child-sexual-offences,2023/24,3200,{SOURCE}",
    )
    assert "Row 3: duplicates row 2" in refused(path)


def test_one_source_with_two_different_dates_is_refused(tmp_path):
    other_date = SOURCE.replace("2024-11-20", "2024-11-21")
    path = write(
        tmp_path,
        f"E23000029,,child-sexual-offences,2023/24,3100,{SOURCE}",
        f"E23000032,,child-sexual-offences,2023/24,2900,{other_date}",
    )
    assert "Row 3, source_url: the same source as row 2 but with a different published" in refused(path)


def test_a_name_shared_by_a_nation_and_a_police_force_area_needs_the_code(tmp_path):
    path = write(tmp_path, f",Scotland,child-sexual-offences,2023/24,5000,{SOURCE}")
    message = refused(path)
    assert "“Scotland” could be the" in message
    assert "S92000003" in message and "S23000009" in message


def test_a_code_and_a_name_that_disagree_are_refused(tmp_path):
    path = write(tmp_path, f"E23000029,Kent,child-sexual-offences,2023/24,1,{SOURCE}")
    assert "Row 2, area_name: “Kent” is not the name of E23000029 (Thames Valley)" in refused(path)


def test_a_published_date_in_the_future_is_refused(tmp_path):
    future = SOURCE.replace("2024-11-20", "2099-01-01")
    assert "is in the future" in refused(write(tmp_path, f"E23000029,,child-sexual-offences,2023/24,1,{future}"))


# A quote opened and never closed makes the rest of the file one field: past Python's csv field limit
# (128 KB) the reader raised, a traceback from the command and a server error in the admin.
UNCLOSED_QUOTE = f'E23000029,,child-sexual-offences,2023/24,"3004,{SOURCE}\r\n' + "x" * 140_000


def test_a_quote_never_closed_is_refused_naming_the_row_where_it_opens(tmp_path):
    message = refused(write(tmp_path, f"E23000032,,child-sexual-offences,2023/24,2440,{SOURCE}", UNCLOSED_QUOTE))

    assert "Row 3: not valid CSV" in message
    assert "a quoted value that is never closed" in message


def test_an_unreadable_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")


@pytest.mark.parametrize("written, period", [("2016/17", "2016/17"), ("2016-17", "2016/17"),
                                             ("2016_17", "2016/17"), ("2016/2017", "2016/17"),
                                             ("1999/00", "1999/00")])
def test_financial_years_are_read_in_the_forms_publishers_use(written, period):
    assert parse_period(written) == period


@pytest.mark.parametrize("written", ["2016", "2016/18", "16/17", "2016/17/18", ""])
def test_anything_else_is_not_a_financial_year(written):
    with pytest.raises(ValueError, match="is not a financial year"):
        parse_period(written)


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    header, rows = read_table("a,b\r\n1,2\r\n\r\n3,4\r\n")
    assert header == ["a", "b"]
    assert [number for number, _ in rows] == [2, 4]


def test_a_byte_order_mark_is_not_part_of_the_first_column():
    text, problem = decode("\ufeffarea_code,value\n".encode())
    assert problem is None and text.startswith("area_code")


# --- the Home Office table ----------------------------------------------------------------------


def test_the_home_office_table_sums_the_chosen_offences_over_the_four_quarters_per_force(tmp_path):
    output = run(HOME_OFFICE, "--home-office", "--offence", "Rape of a female child under 13",
                 "--offence", "Sexual grooming", *HOME_OFFICE_SOURCE)
    url = "https://www.gov.uk/government/statistics/police-recorded-crime-open-data-tables"
    # Invented counts: quarter + offence position + 10 × force position (see the fixture's README).
    assert held("E23000029", "2016/17", url) == [(1 + 2 + 3 + 4) + (4 + 5 + 6 + 7)]  # Thames Valley
    assert held("E23000035", "2016/17", url) == [(11 + 12 + 13 + 14) + (14 + 15 + 16 + 17)]  # Devon and Cornwall
    assert held("E23000034", "2016/17", url) == [(21 + 22 + 23 + 24) + (24 + 25 + 26 + 27)]  # London, City of
    assert held("E23000001", "2016/17", url) == [(31 + 32 + 33 + 34) + (34 + 35 + 36 + 37)]  # Metropolitan Police
    assert held("E23000036", "2016/17", url) == [(41 + 42 + 43 + 44) + (44 + 45 + 46 + 47)]  # Avon and Somerset
    assert "Figures created: 5" in output
    assert "British Transport Police: 8 rows left out" in output
    source = Source.objects.get(url=url)
    assert (source.publisher, source.published.isoformat()) == ("Home Office", "2024-07-24")


def test_without_offences_the_command_lists_the_descriptions_in_the_file():
    message = refused(HOME_OFFICE, "--home-office", *HOME_OFFICE_SOURCE)
    assert "Choose the offence descriptions" in message
    assert "  Sexual grooming" in message
    assert "  Burglary - residential" in message


def test_older_home_office_files_with_offence_count_and_no_quarters_are_read(tmp_path):
    path = write(
        tmp_path,
        "2012-13,Devon & Cornwall,Sexual grooming,7",
        "2012-13,Avon & Somerset,Sexual grooming,9",
        "2012-13,Avon & Somerset,Burglary in a dwelling,900",
        header="Financial Year,Force Name,Offence Description,Offence Count",
    )
    output = run(path, "--home-office", "--offence", "Sexual grooming", *HOME_OFFICE_SOURCE)
    assert "Figures created: 2" in output
    assert Figure.objects.get(area__code="E23000036", period="2012/13").value == 9


def test_force_names_that_cannot_be_mapped_are_refused_in_one_list(tmp_path):
    path = write(
        tmp_path,
        "2016/17,Gotham City,Sexual grooming,7",
        "2016/17,Gotham City,Sexual grooming,7",
        "2016/17,Atlantis,Sexual grooming,1",
        "2016/17,Kent,Sexual grooming,3",
        header="Financial Year,Force Name,Offence Description,Number of Offences",
    )
    message = refused(path, "--home-office", "--offence", "Sexual grooming", *HOME_OFFICE_SOURCE)
    assert "Row 4, Force Name: “Atlantis” matches no police force area (rows 4)" in message
    assert "Row 2, Force Name: “Gotham City” matches no police force area (rows 2, 3)" in message


def test_a_part_year_of_quarters_is_refused(tmp_path):
    path = write(
        tmp_path,
        "2024/25,1,Kent,Sexual grooming,7",
        "2024/25,2,Kent,Sexual grooming,7",
        header="Financial Year,Financial Quarter,Force Name,Offence Description,Number of Offences",
    )
    message = refused(path, "--home-office", "--offence", "Sexual grooming", *HOME_OFFICE_SOURCE)
    assert "2024/25 has no rows for quarters 3, 4: a part year cannot be stored" in message


def test_home_office_bad_counts_offences_and_options_are_refused(tmp_path):
    path = write(
        tmp_path,
        "2016/17,Kent,Sexual grooming,n/a",
        header="Financial Year,Force Name,Offence Description,Number of Offences",
    )
    message = refused(path, "--home-office", "--offence", "Sexual grooming", "--offence", "Arson", *HOME_OFFICE_SOURCE)
    assert "Row 2, Number of Offences: “n/a” is not a whole number" in message
    assert "Offence Description: “Arson” is not in this file" in message
    options = refused(path, "--home-office", "--offence", "Sexual grooming", "--published", "yesterday")
    assert "--indicator: is required with --home-office" in options
    assert "--published: “yesterday” is not a date" in options


def test_a_home_office_table_given_without_home_office_options_says_what_is_needed():
    assert "this is a Home Office police recorded crime table" in refused(HOME_OFFICE)


def test_the_admin_and_the_command_share_one_plan():
    plan = plan_file(HOME_OFFICE.read_bytes())
    assert not plan.ok
    assert "--home-office" in str(plan.errors[0])
