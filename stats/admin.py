from django.contrib import admin

from stats.admin_import import FigureImportMixin
from stats.models import Figure


# The figure import pages (upload, preview, confirm) hang off the Figure admin through
# FigureImportMixin; keep it first in the bases when this ModelAdmin grows.
@admin.register(Figure)
class FigureAdmin(FigureImportMixin, admin.ModelAdmin):
    list_display = ["area", "indicator", "period", "value", "source"]
