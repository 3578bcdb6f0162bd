"""Admin for the people of the programme: session types, coordinators, volunteers and their unavailability.

A volunteer's name and email are typed on the volunteer's own form (their account is made or updated
from it); clearance is shown as the model's rules see it today.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from config.access_log import AccessLoggedAdmin
from config.admin_actions import export_as_csv
from config.admin_history import HistoryAdmin
from sessions import access, services
from sessions.models import Coordinator, SessionType, Unavailability, Volunteer

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
            ("expiring", f"Cleared, but expires within {settings.CLEARANCE_WARNING_DAYS} days"),
            ("not_cleared", "Not cleared today"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        today = timezone.localdate()
        cleared = Volunteer.objects.cleared_on(today)
        if self.value() == "cleared":
            return queryset.filter(pk__in=cleared.values("pk"))
        if self.value() == "expiring":
            expiring = cleared.clearance_expiring(within_days=settings.CLEARANCE_WARNING_DAYS, today=today)
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
            if guarded(user):
                for name in ("first_name", "last_name", "email"):
                    self.fields[name].disabled = True
                self.fields["email"].help_text = (
                    "This account can plan visits or use the admin: an administrator changes its details."
                )

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
        if not guarded(user):
            user.first_name = self.cleaned_data["first_name"].strip()
            user.last_name = self.cleaned_data["last_name"].strip()
            user.email = self.cleaned_data["email"]
            user.save()
        self.instance.user = user
        return super().save(commit)


def guarded(user) -> bool:
    """An account with planning or admin rights (staff, superuser, coordinator): its name and email are
    never changed from a volunteer's record, or a data-entry clerk could take it over by its email."""
    return user.is_superuser or access.is_planner(user)


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
    list_filter = [ClearanceFilter, "active", "may_lead", "speaks_welsh", "dbs_update_service", ("areas", AreaFilter)]
    search_fields = ["user__first_name", "user__last_name", "user__email", "dbs_reference"]
    search_help_text = "Search by name, email or DBS certificate number."
    autocomplete_fields = ["areas"]
    inlines = [UnavailabilityInline]
    actions = [export_as_csv, "mark_as_left"]
    readonly_fields = ["clearance", "clearance_expires"]
    fieldsets = [
        (
            "The volunteer",
            {"fields": [("first_name", "last_name"), "email", "phone", ("postcode", "max_travel_km"), "areas", "active",
                        "left_on"]},
        ),
        ("Skills and leading", {"fields": [("speaks_welsh", "signs_bsl", "send_experience"), "may_lead"]}),
        (
            "Clearance",
            {
                "fields": [
                    ("dbs_checked_on", "dbs_reference"),
                    "dbs_level",
                    ("dbs_update_service", "dbs_status_checked_on"),
                    "training_on",
                    "clearance",
                    "clearance_expires",
                ]
            },
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
        unconfirmed = 0
        for volunteer in queryset.filter(active=True):
            volunteer.active = False
            volunteer.left_on = volunteer.left_on or today
            volunteer._change_reason = "Marked as left"
            volunteer.save()
            unconfirmed += services.volunteer_stopped(volunteer=volunteer, because="left the programme")
            marked += 1
        self.message_user(request, f"{marked} volunteer(s) marked as left today.", messages.SUCCESS)
        if unconfirmed:
            self.message_user(
                request,
                f"{unconfirmed} confirmed visit(s) went back to proposed; their coordinators are emailed.",
                messages.WARNING,
            )

    def save_model(self, request: HttpRequest, obj: Volunteer, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "active" in form.changed_data and not obj.active:
            unconfirmed = services.volunteer_stopped(volunteer=obj, because="is no longer an active volunteer")
            if unconfirmed:
                self.message_user(
                    request,
                    f"{unconfirmed} confirmed visit(s) went back to proposed; their coordinators are emailed.",
                    messages.WARNING,
                )

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
