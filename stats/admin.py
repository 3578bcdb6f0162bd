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


class ChildrensServicesFilter(admin.SimpleListFilter):
    title = "children's services number"
    parameter_name = "childrens_services"

    def lookups(self, request, model_admin):
        return [("missing", "Not recorded"), ("recorded", "Recorded")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(childrens_services_phone="")
        if self.value() == "recorded":
            return queryset.exclude(childrens_services_phone="")
        return queryset


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    """The session pack prints the children's services numbers for volunteers to call when a school's
    safeguarding lead cannot be reached."""

    list_display = ["name", "code", "dfe_code", "police_force", "childrens_services_phone", "out_of_hours_phone",
                    "contacts_checked_on"]
    list_filter = [ChildrensServicesFilter, ("police_force", admin.RelatedOnlyFieldListFilter)]
    fieldsets = [
        (None, {"fields": ["name", "code", "dfe_code", "police_force"]}),
        ("Children's services (printed in session packs)", {"fields": [
            "childrens_services_name", "childrens_services_phone", "out_of_hours_phone", "designated_officer_phone",
            "contacts_checked_on",
        ]}),
    ]
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
