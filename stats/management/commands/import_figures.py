from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from stats.importers import (
    MAX_LISTED,
    HomeOfficeOptions,
    PlanRefused,
    Problem,
    SourceDetails,
    apply_plan,
    check_url,
    decode,
    home_office_offences,
    parse_published,
    plan_file,
)


class DryRunDone(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = (
        "Import published figures from a CSV file (the format is in docs/figures-csv.md), or with "
        "--home-office from the Home Office police recorded crime police force area table exported to CSV. "
        "All or nothing: any error in the file and nothing is written. Rows are numbered as in a "
        "spreadsheet (the header is row 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The CSV file (UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")
        home_office = parser.add_argument_group("Home Office police recorded crime table")
        home_office.add_argument("--home-office", action="store_true", help="The file is the Home Office table.")
        home_office.add_argument("--indicator", help="Slug of the indicator the chosen offences make up.")
        home_office.add_argument(
            "--offence", action="append", default=[], metavar="DESCRIPTION",
            help="An Offence Description to include in the sum; repeat for each. Without any, the "
            "descriptions in the file are listed.",
        )
        home_office.add_argument("--source-title", help="Title of the publication, e.g. the table's name.")
        home_office.add_argument("--source-publisher", default="Home Office", help="Publisher (default: Home Office).")
        home_office.add_argument("--source-url", help="Web address the table was downloaded from.")
        home_office.add_argument("--published", help="Date the table was published, YYYY-MM-DD.")

    def handle(self, *args, path: str, dry_run: bool, home_office: bool, **options) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        choices = self.home_office_options(data, path, options) if home_office else None
        plan = plan_file(data, home_office=choices)
        if not plan.ok:
            raise CommandError(self.refusal(plan.errors, path))
        try:
            with transaction.atomic():
                applied = apply_plan(plan)
                if dry_run:
                    raise DryRunDone
        except DryRunDone:
            pass
        except PlanRefused as exc:
            raise CommandError(self.refusal(exc.errors, path)) from exc
        lines = []
        if dry_run:
            lines.append("Dry run: nothing was written. The counts are what a real import would do.")
        lines.append(f"Read {plan.rows_read:,} rows from {path}.")
        lines.append(f"Figures created: {applied.created:,}")
        lines.append(f"Figures updated: {applied.updated:,}")
        for item in plan.to_update:
            r = item.row
            lines.append(f"  {r.area.name} {r.indicator.slug} {r.period}: {item.previous:,} → {r.value:,}")
        lines.append(f"Figures unchanged: {applied.unchanged:,}")
        lines.append(f"Sources created: {applied.sources_created:,}, updated: {applied.sources_updated:,}")
        lines += [f"Note: {note}" for note in plan.notes]
        self.stdout.write("\n".join(lines))

    def home_office_options(self, data: bytes, path: str, options: dict) -> HomeOfficeOptions:
        offences = tuple(options["offence"])
        if not offences:
            text, problem = decode(data)
            if problem:
                raise CommandError(self.refusal([problem], path))
            found, problems = home_office_offences(text)
            if problems:
                raise CommandError(self.refusal(problems, path))
            raise CommandError(
                "Choose the offence descriptions to sum with --offence (repeat it for each). In this file:\n"
                + "\n".join(f"  {offence}" for offence in found)
            )
        problems = []
        for name in ("indicator", "source_title", "source_url", "published"):
            if not options[name]:
                problems.append(Problem(None, "--" + name.replace("_", "-"), "is required with --home-office."))
        url = published = None
        if options["source_url"]:
            try:
                url = check_url(options["source_url"])
            except ValueError as exc:
                problems.append(Problem(None, "--source-url", str(exc)))
        if options["published"]:
            try:
                published = parse_published(options["published"])
            except ValueError as exc:
                problems.append(Problem(None, "--published", str(exc)))
        if problems:
            raise CommandError(self.refusal(problems, path))
        source = SourceDetails(
            url=url, title=options["source_title"].strip(), publisher=options["source_publisher"].strip(),
            published=published,
        )
        return HomeOfficeOptions(indicator=options["indicator"], offences=offences, source=source)

    @staticmethod
    def refusal(errors: list[Problem], path: str) -> str:
        lines = [f"Nothing was imported: {len(errors):,} error{'s' if len(errors) != 1 else ''} in {path}."]
        lines += [f"  {error}" for error in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"  … and {len(errors) - MAX_LISTED:,} more.")
        return "\n".join(lines)
