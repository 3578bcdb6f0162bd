"""Admin for schools and their contacts: the data entry team's view of the DfE register."""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from config.access_log import AccessLoggedAdmin
from config.admin_actions import export_as_csv
from config.admin_history import HistoryAdmin
from schools.admin_import import import_urls
from schools.models import School, SchoolClosure, SchoolContact, TermDate, academic_year_label


class DueFilter(admin.SimpleListFilter):
    """Whether a school is due a visit today, by `School.objects.due` (the programme cycle rule)."""

    title = "due a visit"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Due a visit"), ("no", "Not due")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        due = School.objects.due(on=timezone.localdate()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=due)
        if self.value() == "no":
            return queryset.exclude(pk__in=due)
        return None


class SchoolContactInline(admin.TabularInline):
    model = SchoolContact
    extra = 1
    fields = ["name", "role", "email", "phone"]


class SchoolClosureInline(admin.TabularInline):
    """The school's own INSET days and closures, beyond its authority's term calendar."""

    model = SchoolClosure
    extra = 0
    fields = ["kind", "starts_on", "ends_on", "reason"]
    verbose_name = "closure or INSET day of its own"
    verbose_name_plural = "closures and INSET days of its own (beyond its authority's term dates)"


@admin.register(School)
class SchoolAdmin(AccessLoggedAdmin, HistoryAdmin):
    list_display = [
        "name", "urn", "town", "postcode", "status", "local_authority", "police_force_name",
        "last_visit", "due",
    ]
    list_filter = [
        "status", DueFilter, "phase", "nation", ("local_authority__police_force", admin.RelatedFieldListFilter),
        "welsh_medium",
    ]
    list_select_related = ["local_authority__police_force"]
    # URN is matched exactly (a word that is not a number is skipped for it); the rest by "contains".
    search_fields = ["name", "urn__exact", "postcode", "town"]
    search_help_text = "Search by name, URN, postcode or town."
    autocomplete_fields = ["local_authority"]
    inlines = [SchoolContactInline, SchoolClosureInline]
    actions = [export_as_csv]
    readonly_fields = ["police_force_name", "last_visit", "due", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "urn", "status", "phase", "establishment_type", ("low_age", "high_age"), "pupils"]}),
        ("Address", {"fields": ["street", "locality", "address3", "town", "postcode", "telephone"]}),
        (
            "Where",
            {"fields": ["nation", "local_authority", "police_force_name", ("easting", "northing")]},
        ),
        ("Provision", {"fields": ["welsh_medium", "send_provision"]}),
        ("The programme", {"fields": ["last_visit", "due", "notes", "updated_at"]}),
    ]

    @admin.display(description="police force area", ordering="local_authority__police_force__name")
    def police_force_name(self, school: School) -> str:
        area = school.police_force
        return area.name if area else "Not known"

    @admin.display(description="last visit", ordering="last_visit_on")
    def last_visit(self, school: School) -> date | str:
        last = school.last_visit_on if school.pk else None
        return last or "Never visited"

    @admin.display(description="due a visit?")
    def due(self, school: School) -> str:
        if school.pk is None:
            return "–"
        # Words, not an icon: the answer must not rest on colour or shape alone.
        return "Due" if school.is_due(timezone.localdate()) else "Not due"


@admin.register(SchoolContact)
class SchoolContactAdmin(AccessLoggedAdmin, HistoryAdmin):
    list_display = ["name", "role", "school", "email", "phone"]
    list_filter = ["role"]
    list_select_related = ["school"]
    search_fields = ["name", "email", "school__name", "school__urn__exact"]
    search_help_text = "Search by name, email, or the school's name or URN."
    autocomplete_fields = ["school"]
    actions = [export_as_csv]


@admin.register(TermDate)
class TermDateAdmin(admin.ModelAdmin):
    """Each authority's terms, half-terms, holidays and INSET days; imported from CSV (schools/admin_import.py)."""

    list_display = ["local_authority", "academic_year_label", "kind", "starts_on", "ends_on"]
    list_filter = ["kind", "academic_year"]
    list_select_related = ["local_authority"]
    search_fields = ["local_authority__name", "local_authority__code__exact"]
    search_help_text = "Search by the local authority's name or ONS code."
    autocomplete_fields = ["local_authority"]
    date_hierarchy = "starts_on"

    def get_urls(self):
        return import_urls() + super().get_urls()

    @admin.display(description="academic year", ordering="academic_year")
    def academic_year_label(self, span: TermDate) -> str:
        return academic_year_label(span.academic_year)


@admin.register(SchoolClosure)
class SchoolClosureAdmin(admin.ModelAdmin):
    """Every school's own closures and INSET days in one list (also edited on each school's page): what the
    rules `school_holiday` and `inset`, the request form and the planners' calendar read beside the term dates."""

    list_display = ["school", "kind", "starts_on", "ends_on", "reason"]
    list_filter = ["kind", ("school__local_authority__police_force", admin.RelatedFieldListFilter)]
    list_select_related = ["school"]
    search_fields = ["school__name", "school__urn__exact", "reason"]
    search_help_text = "Search by the school's name or URN, or the reason."
    autocomplete_fields = ["school"]
    date_hierarchy = "starts_on"
    ordering = ["-starts_on"]
