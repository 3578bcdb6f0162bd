"""Admin for the session packs: the editable content (with a PDF preview), downloads and batches.

Imported by sessions/admin/, so the admin site finds these registrations.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from sessions.models import PackBatch, PackContent, PackDownload, person_name
from sessions.packs.content import PLACEHOLDER_HELP, SECTION_HELP


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting review"), ("reviewed", "Reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(reviewed_on__isnull=True)
        if self.value() == "reviewed":
            return queryset.filter(reviewed_on__isnull=False)
        return queryset


@admin.register(PackContent)
class PackContentAdmin(admin.ModelAdmin):
    """Every section says who wrote it and whether, by whom and when it was reviewed; Welsh text is
    "awaiting review by a Welsh speaker" until staff mark it reviewed (an edit clears the review)."""

    list_display = ["section_name", "session_type", "language", "author", "review", "updated_at", "preview_link"]
    list_filter = ["language", ReviewFilter, "session_type", "section"]
    list_select_related = ["session_type"]
    search_fields = ["body", "author", "reviewed_by"]
    fields = [
        "session_type", "section", "language", "format_help", "body", "author", "source_note",
        "review", "reviewed_by", "reviewed_on", "preview_link", "updated_at",
    ]
    readonly_fields = ["format_help", "review", "preview_link", "updated_at"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 22, "cols": 110})}}
    actions = ["mark_reviewed"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "source_note" in form.base_fields:
            form.base_fields["source_note"].widget = forms.Textarea(attrs={"rows": 3, "cols": 110})
        return form

    @admin.display(description="section", ordering="section")
    def section_name(self, obj: PackContent) -> str:
        return obj.get_section_display()

    @admin.display(description="review", ordering="reviewed_on")
    def review(self, obj: PackContent) -> str:
        return obj.review_status

    @admin.action(description="Mark the selected text as reviewed by me today")
    def mark_reviewed(self, request: HttpRequest, queryset) -> None:
        reviewer = person_name(request.user) or request.user.get_username()
        count = queryset.update(reviewed_by=reviewer, reviewed_on=timezone.localdate())
        self.message_user(request, f"{count} section{'s' if count != 1 else ''} marked as reviewed by {reviewer}.")

    @admin.display(description="how to write it")
    def format_help(self, obj: PackContent) -> str:
        if obj.pk:
            return f"{SECTION_HELP.get(obj.section, '')} {PLACEHOLDER_HELP}"
        return " ".join(f"{PackContent.Section(key).label}: {text}" for key, text in SECTION_HELP.items())

    @admin.display(description="preview")
    def preview_link(self, obj: PackContent) -> str:
        if not obj.pk:
            return "Save first, then preview the pack."
        url = reverse("admin:school_sessions_packcontent_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Preview a sample pack (PDF)</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview.pdf",
                self.admin_site.admin_view(self.preview),
                name="school_sessions_packcontent_preview",
            ),
            *super().get_urls(),
        ]

    def preview(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A sample pack made with this section's saved text (a made-up visit; nothing is stored)."""
        from sessions.packs.pdf import html_to_pdf, pack_html, sample_pack  # noqa: PLC0415 — WeasyPrint only when previewing

        if not self.has_view_permission(request):
            raise PermissionDenied
        content = get_object_or_404(PackContent.objects.select_related("session_type"), pk=pk)
        pdf = html_to_pdf(pack_html(sample_pack(content.session_type, content.language)))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="pack-preview.pdf"'
        response["Cache-Control"] = "no-store"
        return response


@admin.register(PackDownload)
class PackDownloadAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "visit", "pack_key"]
    list_select_related = ["user", "visit__school"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PackBatch)
class PackBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "requested_by", "area", "first_date", "last_date", "status", "done", "total"]
    list_select_related = ["requested_by", "area"]
    list_filter = ["status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
