"""Admin helpers shared by every app: the "export selected rows as CSV" action.

Not domain code, so it lives in config/ (a plain module) rather than in any one app.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.db.models import Model, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from config import csv_export

# Rows fetched from the database at a time: a whole national list exports in bounded memory.
CHUNK = 2000


def csv_cell(value: object) -> str | int:
    """How the export shows a value (the one CSV writer, config/csv_export.py, then makes it safe)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, Decimal, float)):
        return value
    return strip_tags(str(value)).strip()


def export_columns(model_admin: admin.ModelAdmin, request: HttpRequest) -> list[str]:
    """The changelist's columns (what the person sees is what they export)."""
    return [name for name in model_admin.get_list_display(request) if name != "action_checkbox"]


def export_rows(model_admin: admin.ModelAdmin, columns: list[str], queryset: QuerySet) -> Iterator[list]:
    model = queryset.model
    yield [str(label_for_field(name, model, model_admin)).capitalize() for name in columns]
    # iterator() needs a chunk size to keep any prefetching the changelist asked for.
    for obj in queryset.iterator(chunk_size=CHUNK):
        yield [csv_cell(_value(obj, name, model_admin)) for name in columns]


def _value(obj: Model, name: str, model_admin: admin.ModelAdmin) -> object:
    field, attr, value = lookup_field(name, obj, model_admin)
    if field is not None and field.choices and not field.is_relation:
        return getattr(obj, f"get_{field.name}_display")()
    return value


@admin.action(description="Export selected rows as CSV", permissions=["view"])
def export_as_csv(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
    """Every selected row with the changelist's columns, streamed (a spreadsheet-friendly UTF-8 CSV)."""
    columns = export_columns(model_admin, request)

    def lines() -> Iterator[str]:
        # The byte order mark makes Excel read the file as UTF-8 (names such as "Siân" survive).
        yield "\ufeff"
        yield from csv_export.stream(export_rows(model_admin, columns, queryset))

    name = slugify(queryset.model._meta.verbose_name_plural)
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response
