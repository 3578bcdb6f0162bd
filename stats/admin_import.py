"""Figure imports in the admin: upload a CSV, see the plan, confirm to apply it, all or nothing.

The same code as `import_figures` (stats/importers.py). Between the preview and the confirmation the
uploaded file is kept in the user's session (server-side, compressed, at most MAX_UPLOAD_BYTES), and
the confirmation carries the preview's fingerprint: if the figures held changed in between, nothing is
written and a fresh preview is shown.

Hooked into the Figure admin by `FigureImportMixin` (stats/admin.py).
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import asdict
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from config.uploads import check_size, refused_upload
from stats.importers import (
    HomeOfficeOptions,
    ImportFormat,
    Plan,
    PlanRefused,
    SourceDetails,
    apply_plan,
    decode,
    format_of,
    home_office_offences,
    parse_published,
    plan_file,
)
from stats.models import Figure, Indicator

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SESSION_KEY = "stats_figure_import"
# Rows listed per table in the preview; the counts are always complete.
PREVIEW_ROWS = 300
PERMISSIONS = ("stats.add_figure", "stats.change_figure", "stats.add_source", "stats.change_source")


# --- who may import, and the upload kept between steps -------------------------------------------


def check_permission(request: HttpRequest) -> None:
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied("Importing figures needs permission to add and change figures and sources.")


def keep_upload(request: HttpRequest, name: str, data: bytes, found: ImportFormat) -> None:
    request.session[SESSION_KEY] = {
        "name": name,
        "size": len(data),
        "format": found.value,
        "data": base64.b64encode(zlib.compress(data)).decode("ascii"),
        "options": None,
    }


def kept_upload(request: HttpRequest) -> dict | None:
    return request.session.get(SESSION_KEY)


def upload_bytes(kept: dict) -> bytes:
    return zlib.decompress(base64.b64decode(kept["data"]))


def options_from(kept: dict) -> HomeOfficeOptions | None:
    saved = kept.get("options")
    if not saved:
        return None
    source = dict(saved["source"], published=date.fromisoformat(saved["source"]["published"]))
    return HomeOfficeOptions(indicator=saved["indicator"], offences=tuple(saved["offences"]),
                             source=SourceDetails(**source))


def context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "opts": Figure._meta, "title": title,
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024), **extra}


# --- forms --------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A figures CSV (see docs/figures-csv.md) or a Home Office police recorded crime table "
        "exported to CSV. UTF-8, at most 5 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload, MAX_UPLOAD_BYTES)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                f"{error.message} Export one year's sheet at a time, or use the import_figures command for "
                "larger files."
            ) from error
        data = upload.read()
        found, problems = format_of(data)
        if problems:
            raise forms.ValidationError([str(p) if p.row else p.message[:1].upper() + p.message[1:] for p in problems])
        self.cleaned_data["data"], self.cleaned_data["format"] = data, found
        return upload


class HomeOfficeForm(forms.Form):
    required_css_class = "required"
    offences = forms.MultipleChoiceField(
        label="Offence descriptions to add up", widget=forms.CheckboxSelectMultiple,
        help_text="The counts of these offences are summed for each police force area and year.",
    )
    indicator = forms.ModelChoiceField(
        label="Indicator", queryset=Indicator.objects.all(), to_field_name="slug",
        help_text="What the sum measures. Add a new indicator first if none fits.",
    )
    source_title = forms.CharField(label="Source title", max_length=300,
                                   initial="Police recorded crime: police force area open data tables",
                                   widget=forms.TextInput(attrs={"class": "vTextField"}))
    source_publisher = forms.CharField(label="Source publisher", max_length=200, initial="Home Office",
                                       widget=forms.TextInput(attrs={"class": "vTextField"}))
    source_url = forms.URLField(label="Source web address", max_length=500, assume_scheme="https",
                                widget=forms.URLInput(attrs={"class": "vURLField"}),
                                help_text="The page the table was downloaded from.")
    published = forms.DateField(
        label="Date published",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="The date the table was published.",
    )

    def __init__(self, *args, offences: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offences"].choices = [(o, o) for o in offences]

    def clean_published(self):
        published = self.cleaned_data["published"]
        try:
            return parse_published(published.isoformat())
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def as_options(self) -> dict:
        data = self.cleaned_data
        source = SourceDetails(
            url=data["source_url"],
            title=data["source_title"].strip(),
            publisher=data["source_publisher"].strip(),
            published=data["published"],
        )
        return {
            "indicator": data["indicator"].slug,
            "offences": list(data["offences"]),
            "source": {**asdict(source), "published": source.published.isoformat()},
        }


# --- views --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    check_permission(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    valid = request.method == "POST" and form.is_valid()
    if refused := refused_upload(request):
        valid, form.errors["file"] = False, form.error_class([refused])  # not "required": too large
    if valid:
        keep_upload(request, form.cleaned_data["file"].name, form.cleaned_data["data"], form.cleaned_data["format"])
        if form.cleaned_data["format"] is ImportFormat.HOME_OFFICE:
            return redirect("admin:stats_figure_import_options")
        return redirect("admin:stats_figure_import_preview")
    template_name = "admin/stats/figure/import_upload.html"
    return render(request, template_name, context(request, "Import figures from CSV", form=form))


@require_http_methods(["GET", "POST"])
def home_office_options(request: HttpRequest) -> HttpResponse:
    check_permission(request)
    kept = kept_upload(request)
    if kept is None or kept["format"] != ImportFormat.HOME_OFFICE:
        return start_again(request)
    text, _ = decode(upload_bytes(kept))
    offences, problems = home_office_offences(text)
    initial = None
    if saved := kept.get("options"):
        source = saved["source"]
        initial = {
            "offences": saved["offences"],
            "indicator": saved["indicator"],
            "source_title": source["title"],
            "source_publisher": source["publisher"],
            "source_url": source["url"],
            "published": source["published"],
        }
    form = HomeOfficeForm(request.POST or None, offences=offences, initial=initial)
    if request.method == "POST" and form.is_valid():
        kept["options"] = form.as_options()
        request.session[SESSION_KEY] = kept
        return redirect("admin:stats_figure_import_preview")
    template_name = "admin/stats/figure/import_options.html"
    return render(
        request,
        template_name,
        context(
            request,
            "Choose the offences to import",
            form=form,
            kept=kept,
            problems=problems,
        ),
    )


@require_http_methods(["GET"])
def preview(request: HttpRequest) -> HttpResponse:
    check_permission(request)
    kept = kept_upload(request)
    if kept is None:
        return start_again(request)
    if kept["format"] == ImportFormat.HOME_OFFICE and not kept.get("options"):
        return redirect("admin:stats_figure_import_options")
    return render_preview(request, kept, plan_file(upload_bytes(kept), home_office=options_from(kept)))


def render_preview(request: HttpRequest, kept: dict, plan: Plan, status: int = 200) -> HttpResponse:
    template_name = "admin/stats/figure/import_preview.html"
    return render(
        request,
        template_name,
        context(
            request,
            "Check the figures before importing",
            kept=kept,
            plan=plan,
            options=options_from(kept),
            to_create=plan.to_create[:PREVIEW_ROWS],
            to_update=plan.to_update[:PREVIEW_ROWS],
            unchanged=plan.unchanged[:PREVIEW_ROWS],
            preview_rows=PREVIEW_ROWS,
            more_create=max(0, len(plan.to_create) - PREVIEW_ROWS),
            more_unchanged=max(0, len(plan.unchanged) - PREVIEW_ROWS),
        ),
        status=status,
    )


@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    check_permission(request)
    kept = kept_upload(request)
    if kept is None:
        return start_again(request)
    plan = plan_file(upload_bytes(kept), home_office=options_from(kept))
    if not plan.ok:
        return render_preview(request, kept, plan, status=422)
    if request.POST.get("fingerprint") != plan.fingerprint():
        messages.warning(
            request,
            "The figures held have changed since your preview, so nothing was imported. "
            "Check this new preview and confirm again.",
        )
        return redirect("admin:stats_figure_import_preview")
    try:
        applied = apply_plan(plan)
    except PlanRefused as exc:
        plan.errors = exc.errors
        return render_preview(request, kept, plan, status=422)
    del request.session[SESSION_KEY]
    messages.success(
        request,
        f"Imported {kept['name']}: {applied.created:,} figures created, {applied.updated:,} updated, "
        f"{applied.unchanged:,} unchanged; {applied.sources_created:,} sources created, "
        f"{applied.sources_updated:,} updated.",
    )
    return HttpResponseRedirect(reverse("admin:stats_figure_changelist"))


def start_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Upload a file to import first.")
    return redirect("admin:stats_figure_import")


# --- the hook into the Figure admin -------------------------------------------------------------


def import_urls() -> list[URLPattern]:
    wrap = admin.site.admin_view
    return [
        path("import/", wrap(upload), name="stats_figure_import"),
        path("import/home-office/", wrap(home_office_options), name="stats_figure_import_options"),
        path("import/preview/", wrap(preview), name="stats_figure_import_preview"),
        path("import/confirm/", wrap(confirm), name="stats_figure_import_confirm"),
    ]


class FigureImportMixin:
    """Adds the import pages to a ModelAdmin for Figure: class FigureAdmin(FigureImportMixin, admin.ModelAdmin)."""

    def get_urls(self):
        return import_urls() + super().get_urls()
