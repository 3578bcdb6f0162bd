"""Admin for the programme: session types, coordinators, volunteers, visits and what hangs off them.

Visit status is read-only in the forms: it moves only through `Visit.change_status` (the actions
"Mark as proposed", "Confirm", "Mark as delivered", "Cancel"), so the workflow's checks (problems
before confirming, a report before delivery, a reason for cancelling) and its history hold for
staff too. Delivered and cancelled visits are closed: the admin shows them but does not change them,
as the coordinators' pages do not.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.access_log import AccessLoggedAdmin
from config.admin_actions import export_as_csv
from config.admin_history import HistoryAdmin
from sessions import pack_admin  # noqa: F401  (session pack content, downloads and batches)
from sessions import services
from sessions.models import (
    YEAR_GROUP_CHOICES,
    Assignment,
    Coordinator,
    SessionType,
    StatusChange,
    Unavailability,
    Visit,
    VisitReport,
    VisitSession,
    Volunteer,
)

CLOSED_STATUSES = (Visit.Status.DELIVERED, Visit.Status.CANCELLED)
EXPIRY_WARNING_DAYS = 60


# --- Session types and coordinators ------------------------------------------------------------


class AreaFilter(admin.RelatedFieldListFilter):
    """The police force areas a person covers, titled as the team says it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "police force area"


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "key_stage", "age_range", "duration_minutes", "volunteers_needed", "active"]
    list_filter = ["format", "key_stage", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = [export_as_csv]

    @admin.display(description="ages", ordering="min_age")
    def age_range(self, session_type: SessionType) -> str:
        return session_type.age_range


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "area_names"]
    list_select_related = ["user"]
    list_filter = [("areas", AreaFilter)]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user", "areas"]
    actions = [export_as_csv]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("areas")

    @admin.display(description="name", ordering="user__last_name")
    def name(self, coordinator: Coordinator) -> str:
        return coordinator.name

    @admin.display(description="email", ordering="user__email")
    def email(self, coordinator: Coordinator) -> str:
        return coordinator.user.email

    @admin.display(description="police force areas")
    def area_names(self, coordinator: Coordinator) -> str:
        return ", ".join(area.name for area in coordinator.areas.all())


# --- Volunteers ----------------------------------------------------------------------------------


class ClearanceFilter(admin.SimpleListFilter):
    """Cleared to work with children today, by the model's rules (`cleared_on`, `clearance_expiring`)."""

    title = "clearance"
    parameter_name = "clearance"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("cleared", "Cleared today"),
            ("expiring", f"Cleared, but expires within {EXPIRY_WARNING_DAYS} days"),
            ("not_cleared", "Not cleared today"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        today = timezone.localdate()
        cleared = Volunteer.objects.cleared_on(today)
        if self.value() == "cleared":
            return queryset.filter(pk__in=cleared.values("pk"))
        if self.value() == "expiring":
            expiring = cleared.clearance_expiring(within_days=EXPIRY_WARNING_DAYS, today=today)
            return queryset.filter(pk__in=expiring.values("pk"))
        if self.value() == "not_cleared":
            return queryset.exclude(pk__in=cleared.values("pk"))
        return None


class VolunteerForm(forms.ModelForm):
    """The volunteer's record with the name and email of their account, typed in one place.

    A new volunteer gets a new account with no password: they set one with "Forgotten your
    password?" on the login page. The account of a staff member is never changed from here (an email
    address typed here must not become a way into a staff account).
    """

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="Their login and where invitations and reminders go.")

    class Meta:
        model = Volunteer
        exclude = ["user"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "areas" in self.fields:
            self.fields["areas"].label = "Police force areas covered"
        user = self.instance.user if self.instance.user_id else None
        if user is not None:
            for name in ("first_name", "last_name", "email"):
                self.fields[name].initial = getattr(user, name)
            if user.is_staff or user.is_superuser:
                for name in ("first_name", "last_name", "email"):
                    self.fields[name].disabled = True
                self.fields["email"].help_text = "This is a staff account: an administrator changes its details."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        User = get_user_model()
        others = User.objects.filter(email__iexact=email) | User.objects.filter(username__iexact=email)
        if self.instance.user_id:
            others = others.exclude(pk=self.instance.user_id)
        if others.exists():
            raise ValidationError(
                "Another account already uses this email address. Ask an administrator to link that account "
                "to a volunteer record."
            )
        return email

    def save(self, commit: bool = True) -> Volunteer:
        User = get_user_model()
        if self.instance.user_id:
            user = self.instance.user
        else:
            user = User(username=self.cleaned_data["email"])
            user.set_unusable_password()
        if not (user.is_staff or user.is_superuser):
            user.first_name = self.cleaned_data["first_name"].strip()
            user.last_name = self.cleaned_data["last_name"].strip()
            user.email = self.cleaned_data["email"]
            user.save()
        self.instance.user = user
        return super().save(commit)


class UnavailabilityInline(admin.TabularInline):
    model = Unavailability
    extra = 1
    fields = ["starts_on", "ends_on", "reason"]


@admin.register(Volunteer)
class VolunteerAdmin(AccessLoggedAdmin, HistoryAdmin):
    form = VolunteerForm
    list_display = [
        "name", "email", "phone", "postcode", "area_names", "active", "clearance", "clearance_expires",
    ]
    list_select_related = ["user"]
    list_filter = [ClearanceFilter, "active", "dbs_update_service", ("areas", AreaFilter)]
    search_fields = ["user__first_name", "user__last_name", "user__email", "dbs_reference"]
    search_help_text = "Search by name, email or DBS certificate number."
    autocomplete_fields = ["areas"]
    inlines = [UnavailabilityInline]
    actions = [export_as_csv, "mark_as_left"]
    readonly_fields = ["clearance", "clearance_expires"]
    fieldsets = [
        ("The volunteer", {"fields": [("first_name", "last_name"), "email", "phone", "postcode", "areas", "active",
                                      "left_on"]}),
        (
            "Clearance",
            {"fields": [("dbs_checked_on", "dbs_reference"), "dbs_update_service", "training_on", "clearance",
                        "clearance_expires"]},
        ),
        ("Emails", {"fields": ["email_reminders", "email_report_nudges"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("areas")

    @admin.action(description="Mark as left the programme today (keeps their visits; they can no longer be booked)")
    def mark_as_left(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Archiving instead of deleting: a volunteer with visits cannot be deleted (PROTECT), and leavers are
        anonymised after the retention period by `anonymise_leavers`."""
        today = timezone.localdate()
        marked = 0
        for volunteer in queryset.filter(active=True):
            volunteer.active = False
            volunteer.left_on = volunteer.left_on or today
            volunteer._change_reason = "Marked as left"
            volunteer.save()
            marked += 1
        self.message_user(request, f"{marked} volunteer(s) marked as left today.", messages.SUCCESS)

    @admin.display(description="name", ordering="user__last_name")
    def name(self, volunteer: Volunteer) -> str:
        return volunteer.name

    @admin.display(description="email", ordering="user__email")
    def email(self, volunteer: Volunteer) -> str:
        return volunteer.user.email

    @admin.display(description="police force areas")
    def area_names(self, volunteer: Volunteer) -> str:
        return ", ".join(area.name for area in volunteer.areas.all())

    @admin.display(description="clearance today")
    def clearance(self, volunteer: Volunteer) -> str:
        if volunteer.pk is None:
            return "Shown once saved."
        issues = volunteer.clearance_issues(timezone.localdate())
        if not issues:
            return "Cleared"
        return "Not cleared: " + "; ".join(issues)

    @admin.display(description="clearance expires", empty_value="Does not expire")
    def clearance_expires(self, volunteer: Volunteer) -> date | str | None:
        # The first day the volunteer is no longer cleared; meaningless for someone not cleared now
        # (a future training expiry would read as clearance they do not have).
        if volunteer.pk is None:
            return "Shown once saved."
        if not volunteer.is_cleared_on(timezone.localdate()):
            return "Not cleared"
        return volunteer.clearance_expires_on


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "starts_on", "ends_on", "reason"]
    list_select_related = ["volunteer__user"]
    search_fields = ["volunteer__user__first_name", "volunteer__user__last_name", "reason"]
    autocomplete_fields = ["volunteer"]
    date_hierarchy = "starts_on"
    actions = [export_as_csv]


# --- Visits --------------------------------------------------------------------------------------


class VisitSessionForm(forms.ModelForm):
    year_groups = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=YEAR_GROUP_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one year group."},
    )

    class Meta:
        model = VisitSession
        fields = ["visit", "session_type", "starts_at", "year_groups", "pupils", "send_adapted", "welsh_language",
                  "children_reached"]


class ClosedVisitInline:
    """Inlines on a delivered or cancelled visit are shown, never changed (as the visit itself)."""

    def has_add_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        return not _closed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        return not _closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        return not _closed(obj) and super().has_delete_permission(request, obj)


def _closed(visit: Visit | None) -> bool:
    return visit is not None and visit.status in CLOSED_STATUSES


class VisitSessionInline(ClosedVisitInline, admin.StackedInline):
    model = VisitSession
    form = VisitSessionForm
    extra = 0
    fields = [("session_type", "starts_at"), "year_groups", ("pupils", "children_reached"),
              ("send_adapted", "welsh_language")]


class AssignmentFormSet(forms.BaseInlineFormSet):
    """Refuse what would double-book a volunteer or give the visit two leads, before the database does.

    The double-booking test is the model's (`Assignment.objects.clashing`), against the visit's times
    as they are being saved.
    """

    def clean(self) -> None:
        super().clean()
        visit: Visit = self.instance
        if not (visit.date and visit.starts_at and visit.ends_at) or visit.is_cancelled:
            return
        errors, leads = [], 0
        chosen = [f.cleaned_data["volunteer"].pk for f in self.forms
                  if getattr(f, "cleaned_data", None) and f.cleaned_data.get("volunteer")]
        # Inside the admin's transaction: a booking made elsewhere meanwhile waits, or is seen here.
        services.lock_for_booking(visit_id=visit.pk, volunteer_ids=chosen)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("volunteer"):
                continue
            if data.get("status") == Assignment.Status.DECLINED:
                continue
            if data.get("role") == Assignment.Role.LEAD:
                leads += 1
            clash = (
                Assignment.objects.clashing(
                    volunteers=[data["volunteer"]], day=visit.date, starts_at=visit.starts_at, ends_at=visit.ends_at
                )
                .exclude(visit_id=visit.pk)
                .select_related("visit__school", "volunteer__user")
                .first()
            )
            if clash:
                errors.append(services.clash_message(clash))
        if leads > 1:
            errors.append("A visit has one lead volunteer: make the others support.")
        if errors:
            raise ValidationError(errors)


class AssignmentInline(ClosedVisitInline, admin.TabularInline):
    model = Assignment
    formset = AssignmentFormSet
    extra = 0
    fields = ["volunteer", "role", "status", "responded_at"]
    readonly_fields = ["responded_at"]
    autocomplete_fields = ["volunteer"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("volunteer__user")


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "status history"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("by")

    @admin.display(description="by")
    def changed_by(self, change: StatusChange) -> str:
        return (change.by.get_full_name() or change.by.username) if change.by else "Unknown"


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are these visits cancelled?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in each visit's history and told to the volunteers.",
        error_messages={"required": "Say why the visits are cancelled."},
    )


def _change_statuses(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, to: str,
                     reason: str = "") -> None:
    """Ask `Visit.change_status` for each visit; report what changed and, by visit, what was refused."""
    label = Visit.Status(to).label.lower()
    changed = 0
    for visit in queryset.select_related("school"):
        try:
            visit.change_status(to, by=request.user, reason=reason)
        except ValidationError as error:
            model_admin.message_user(
                request, f"{visit}: not {label}. {' '.join(error.messages)}", messages.ERROR
            )
        else:
            changed += 1
    if changed:
        model_admin.message_user(
            request, f"{changed} visit{'s' if changed != 1 else ''} marked {label}.", messages.SUCCESS
        )


@admin.action(description="Mark selected visits as proposed", permissions=["change"])
def mark_proposed(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _change_statuses(model_admin, request, queryset, Visit.Status.PROPOSED)


@admin.action(description="Confirm selected visits", permissions=["change"])
def confirm(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _change_statuses(model_admin, request, queryset, Visit.Status.CONFIRMED)


@admin.action(description="Mark selected visits as delivered", permissions=["change"])
def mark_delivered(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _change_statuses(model_admin, request, queryset, Visit.Status.DELIVERED)


@admin.action(description="Cancel selected visits…", permissions=["change"])
def cancel(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    """Asks for the reason first (a page like the delete confirmation), then cancels."""
    form = CancelForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        _change_statuses(model_admin, request, queryset, Visit.Status.CANCELLED, reason=form.cleaned_data["reason"])
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Cancel visits",
        "subtitle": None,
        "opts": model_admin.model._meta,
        "visits": queryset.select_related("school"),
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/school_sessions/visit/cancel_visits.html", context)


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = "__all__"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            # A visit starts as requested (a school asked) or proposed (we offered a date); every later
            # status goes through change_status.
            self.fields["status"].choices = [
                (status.value, status.label) for status in (Visit.Status.REQUESTED, Visit.Status.PROPOSED)
            ]
        if "coordinator" in self.fields:
            self.fields["coordinator"].queryset = (
                get_user_model().objects.filter(coordinator__isnull=False).order_by("last_name", "first_name")
            )
            self.fields["coordinator"].label_from_instance = lambda user: user.get_full_name() or user.username


@admin.register(Visit)
class VisitAdmin(HistoryAdmin):
    form = VisitForm
    list_display = ["date", "times", "school", "status", "coordinator_name", "problem_summary"]
    list_display_links = ["date", "school"]
    list_filter = ["status", ("school__local_authority__police_force", admin.RelatedFieldListFilter), "needs_send"]
    list_select_related = ["school", "coordinator"]
    search_fields = ["school__name", "school__urn__exact", "school__postcode", "requester_name"]
    search_help_text = "Search by the school's name, URN or postcode, or who asked."
    date_hierarchy = "date"
    ordering = ["-date", "-starts_at"]
    autocomplete_fields = ["school"]
    inlines = [VisitSessionInline, AssignmentInline, StatusChangeInline]
    actions = [mark_proposed, confirm, mark_delivered, cancel, export_as_csv]
    fieldsets = [
        (None, {"fields": ["school", "date", ("starts_at", "ends_at"), "status", "next_statuses", "coordinator",
                           "notes", "problem_list"]}),
        (
            "What the school asked for",
            {"fields": ["requester_name", "requester_email", "requester_phone", "preferred_dates", "pupils_by_year",
                        "needs_send", "needs_welsh"]},
        ),
        ("Cancellation", {"fields": ["cancel_reason"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # with_signals: what the problem column needs, in a fixed number of queries per page.
        return super().get_queryset(request).with_signals().select_related("coordinator")

    def get_readonly_fields(self, request: HttpRequest, obj: Visit | None = None) -> list[str]:
        fields = ["next_statuses", "problem_list", "cancel_reason"]
        if obj is not None:
            fields.append("status")
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        # A delivered or cancelled visit is history: shown, never changed.
        if _closed(obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Visit, form: forms.ModelForm, change: bool) -> None:
        if change:
            # A coordinator's page opened before this save must not overwrite it (see change_status).
            obj.version += 1
        super().save_model(request, obj, form, change)

    @admin.display(description="time")
    def times(self, visit: Visit) -> str:
        return visit.times

    @admin.display(description="coordinator", ordering="coordinator__last_name")
    def coordinator_name(self, visit: Visit) -> str:
        user = visit.coordinator
        return (user.get_full_name() or user.username) if user else "None yet"

    @admin.display(description="problems")
    def problem_summary(self, visit: Visit) -> str:
        if visit.status in CLOSED_STATUSES:
            return "–"
        found = []
        if visit.has_errors:
            found.append("Has errors")
        if visit.is_short_of_volunteers:
            found.append("Short of volunteers")
        return ", ".join(found) or "None"

    @admin.display(description="can move to")
    def next_statuses(self, visit: Visit) -> str:
        if visit.pk is None:
            return "Save the visit first; then use the actions on the list of visits to change its status."
        allowed = [Visit.Status(status).label for status in Visit.Status if status in visit.allowed_transitions()]
        if not allowed:
            return "Nothing: the visit is closed."
        return ", ".join(allowed) + " (choose the visit in the list and use an action)"

    @admin.display(description="problems")
    def problem_list(self, visit: Visit) -> str:
        if visit.pk is None:
            return "Shown once the visit is saved."
        problems = visit.problems()
        if not problems:
            return "None found."
        return format_html(
            '<ul class="visit-problems">{}</ul>',
            format_html_join(
                "", "<li><strong>{}:</strong> {}</li>",
                (("Error" if p.is_error else "Warning", p.message) for p in problems),
            ),
        )


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The history of each visit's status: written by Visit.change_status only, never by hand."""

    list_display = ["at", "visit", "from_status", "to_status", "by", "reason"]
    list_filter = ["to_status"]
    list_select_related = ["visit__school", "by"]
    search_fields = ["visit__school__name", "visit__school__urn__exact", "reason"]
    date_hierarchy = "at"
    actions = [export_as_csv]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(VisitSession)
class VisitSessionAdmin(HistoryAdmin):
    form = VisitSessionForm
    list_display = ["visit", "session_type", "starts_at", "year_groups_label", "pupils", "children_reached"]
    list_filter = ["session_type", "send_adapted", "welsh_language"]
    list_select_related = ["visit__school", "session_type"]
    search_fields = ["visit__school__name", "visit__school__urn__exact"]
    autocomplete_fields = ["visit"]
    actions = [export_as_csv]

    @admin.display(description="year groups")
    def year_groups_label(self, line: VisitSession) -> str:
        return line.year_groups_label


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["visit", "volunteer", "role", "status"]

    def clean(self) -> dict:
        data = super().clean()
        visit, volunteer = data.get("visit"), data.get("volunteer")
        if visit and volunteer and data.get("status") != Assignment.Status.DECLINED and not visit.is_cancelled:
            # Inside the admin's transaction: a booking made elsewhere meanwhile waits, or is seen here.
            services.lock_for_booking(visit_id=visit.pk, volunteer_ids=[volunteer.pk])
            clash = (
                Assignment.objects.clashing(
                    volunteers=[volunteer], day=visit.date, starts_at=visit.starts_at, ends_at=visit.ends_at
                )
                .exclude(visit=visit)
                .select_related("visit__school", "volunteer__user")
                .first()
            )
            if clash:
                raise ValidationError(services.clash_message(clash))
        return data


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    form = AssignmentForm
    list_display = ["visit", "volunteer", "role", "status", "responded_at"]
    list_filter = ["role", "status"]
    list_select_related = ["visit__school", "volunteer__user"]
    search_fields = [
        "volunteer__user__first_name", "volunteer__user__last_name", "visit__school__name",
        "visit__school__urn__exact",
    ]
    autocomplete_fields = ["visit", "volunteer"]
    actions = [export_as_csv]


@admin.register(VisitReport)
class VisitReportAdmin(admin.ModelAdmin):
    list_display = ["visit", "filed_by", "filed_at", "children_reached", "sessions_delivered", "follow_up"]
    list_filter = ["follow_up"]
    list_select_related = ["visit__school", "filed_by__user"]
    search_fields = ["visit__school__name", "visit__school__urn__exact"]
    date_hierarchy = "filed_at"
    autocomplete_fields = ["visit", "filed_by"]
    actions = [export_as_csv]


admin.site.site_header = "Speak Out. Stay Safe. — data entry"
admin.site.site_title = "Speak Out. Stay Safe. data entry"
admin.site.index_title = "Schools, volunteers, visits and figures"
# The lists are wide (a school's area, last visit and whether it is due): give them the whole width.
admin.site.enable_nav_sidebar = False
