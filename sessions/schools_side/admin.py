"""The record of schools using their own visit pages, read-only in the admin (no token, nothing typed)."""

from django.contrib import admin
from django.http import HttpRequest

from sessions.models import SchoolPageAccess


@admin.register(SchoolPageAccess)
class SchoolPageAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "visit", "action"]
    list_select_related = ["visit__school"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
