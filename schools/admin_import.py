"""Term calendar imports in the admin: upload a CSV, see what it holds or every problem by row and
column, confirm to apply it, all or nothing (the rules in schools/term_import.py).

As in the figures' import (stats/admin_import.py): between the preview and the confirmation the file is
kept in the user's session (compressed, at most MAX_UPLOAD_BYTES), and the confirmation carries the
previewed file's fingerprint, so only what was seen is written.
"""

from __future__ import annotations

import base64
import zlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_POST

from config.uploads import check_size, refused_upload
from schools.models import TermDate
from schools.term_import import COLUMNS, apply_terms, fingerprint, plan_terms

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
SESSION_KEY = "schools_term_import"
PREVIEW_ERRORS = 200
PERMISSIONS = ("schools.add_termdate", "schools.delete_termdate")


def check_permission(request: HttpRequest) -> None:
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied("Importing term dates needs permission to add and delete term dates.")


def context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "opts": TermDate._meta, "title": title, "columns": COLUMNS,
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024), **extra}


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, at most 2 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload, MAX_UPLOAD_BYTES)
        self.cleaned_data["data"] = upload.read()
        return upload


def kept_bytes(request: HttpRequest) -> tuple[str, bytes] | None:
    kept = request.session.get(SESSION_KEY)
    if not kept:
        return None
    return kept["name"], zlib.decompress(base64.b64decode(kept["data"]))


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    check_permission(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    valid = request.method == "POST" and form.is_valid()
    if refused := refused_upload(request):
        valid, form.errors["file"] = False, form.error_class([refused])
    if valid:
        data = form.cleaned_data["data"]
        request.session[SESSION_KEY] = {"name": form.cleaned_data["file"].name[:200],
                                        "data": base64.b64encode(zlib.compress(data)).decode("ascii")}
        return redirect("admin:schools_termdate_import_preview")
    return render(request, "admin/schools/termdate/import_upload.html",
                  context(request, "Import term dates from CSV", form=form))


def render_preview(request: HttpRequest, name: str, data: bytes, status: int = 200) -> HttpResponse:
    plan = plan_terms(data)
    return render(request, "admin/schools/termdate/import_preview.html",
                  context(request, "Check the term dates before importing", name=name, plan=plan,
                          errors=plan.errors[:PREVIEW_ERRORS], more_errors=max(0, len(plan.errors) - PREVIEW_ERRORS),
                          fingerprint=fingerprint(data)),
                  status=status if plan.ok else 422 if request.method == "POST" else 200)


@require_http_methods(["GET"])
def preview(request: HttpRequest) -> HttpResponse:
    check_permission(request)
    kept = kept_bytes(request)
    if kept is None:
        messages.info(request, "Upload a file to import first.")
        return redirect("admin:schools_termdate_import")
    return render_preview(request, *kept)


@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    check_permission(request)
    kept = kept_bytes(request)
    if kept is None or request.POST.get("fingerprint") != fingerprint(kept[1]):
        messages.info(request, "Upload a file to import first.")
        return redirect("admin:schools_termdate_import")
    name, data = kept
    plan = plan_terms(data)
    if not plan.ok:
        return render_preview(request, name, data)
    written = apply_terms(plan)
    del request.session[SESSION_KEY]
    messages.success(request, f"Imported {name}: {written:,} term dates for {len(plan.calendars())} calendar(s); "
                              f"{plan.replaced:,} held before for them were replaced.")
    return redirect("admin:schools_termdate_changelist")


def import_urls() -> list[URLPattern]:
    wrap = admin.site.admin_view
    return [
        path("import/", wrap(upload), name="schools_termdate_import"),
        path("import/preview/", wrap(preview), name="schools_termdate_import_preview"),
        path("import/confirm/", wrap(confirm), name="schools_termdate_import_confirm"),
    ]
