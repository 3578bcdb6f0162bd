"""Admin for the geography and the published figures.

Areas and local authorities are reference data loaded by `load_reference_data`: staff in the Data
entry group may look them up (and pick them in other forms) but not change them.
"""

from django.contrib import admin

from config.admin_actions import export_as_csv
from stats.admin_import import FigureImportMixin
from stats.models import Area, Figure, Indicator, LocalAuthority, Source


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    actions = [export_as_csv]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "dfe_code", "police_force"]
    list_filter = [("police_force", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["police_force"]
    search_fields = ["name", "code", "dfe_code"]
    autocomplete_fields = ["police_force"]
    actions = [export_as_csv]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published", "licence"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "published"
    actions = [export_as_csv]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "unit", "adults_only"]
    list_filter = ["adults_only"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = [export_as_csv]


# The figure import pages (upload, preview, confirm) hang off the Figure admin through
# FigureImportMixin; keep it first in the bases when this ModelAdmin grows.
@admin.register(Figure)
class FigureAdmin(FigureImportMixin, admin.ModelAdmin):
    list_display = ["area", "indicator", "period", "value", "source"]
    list_filter = ["indicator", "area__kind", "period", "source"]
    list_select_related = ["area", "indicator", "source"]
    search_fields = ["area__name", "area__code", "period", "indicator__name"]
    autocomplete_fields = ["area", "indicator", "source"]
    actions = [export_as_csv]
