from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schools.importers import MAX_LISTED, GiasImportError, ImportReport, import_gias


class Command(BaseCommand):
    help = (
        "Import schools from the DfE 'Get Information About Schools' establishment fields CSV "
        "(edubasealldataYYYYMMDD.csv), exactly as downloaded. Keeps open establishments that teach "
        "primary-age children, matched by URN; updates schools already held, including those that "
        "have since closed. All or nothing: any error in the file and nothing is written. Rows are "
        "numbered as in a spreadsheet (the header is row 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The GIAS CSV file (Windows-1252, as published).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")

    def handle(self, *args, path: str, dry_run: bool, **options) -> None:
        try:
            report = import_gias(path, dry_run=dry_run)
        except GiasImportError as exc:
            lines = [f"Nothing was imported: {exc.total:,} error(s) in {path}."]
            lines += [f"  {message}" for message in exc.errors]
            if exc.total > len(exc.errors):
                lines.append(f"  … and {exc.total - len(exc.errors):,} more.")
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write("\n".join(summary(report, path)))


def summary(report: ImportReport, path: str) -> list[str]:
    lines = []
    if report.dry_run:
        lines.append("Dry run: nothing was written. The counts are what a real import would do.")
    lines.append(f"Read {report.rows:,} establishments from {path}.")
    lines.append(f"Created: {report.created:,}")
    lines.append(f"Updated: {report.updated:,}")
    lines.append(f"Unchanged: {report.unchanged:,}")
    lines.append(f"Skipped: {report.skipped.total():,}")
    for reason, count in report.skipped.most_common():
        lines.append(f"  {reason}: {count:,}")
    lines.append(f"Warnings: {report.warnings.total():,}")
    for reason, count in report.warnings.most_common():
        lines.append(f"  {reason}: {count:,}")
        examples = report.warning_examples[reason]
        lines += [f"    {example}" for example in examples]
        if count > len(examples):
            lines.append(f"    … and {count - len(examples):,} more (only the first {MAX_LISTED} are listed)")
    lines.append(f"Errors: {report.error_total:,}")
    lines.append(f"Headteacher contacts: {report.heads_added:,} added, {report.heads_renamed:,} renamed")
    if report.not_in_file:
        lines.append(f"Schools held but not in this file (left as they are): {report.not_in_file:,}")
    if report.absent_columns:
        lines.append("Columns not in this file (those fields left as they are): " + ", ".join(report.absent_columns))
    return lines
