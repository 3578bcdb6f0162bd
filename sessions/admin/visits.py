"""Admin for visits and what hangs off them: session lines, assignments, status changes and reports.

Visit status is read-only in the forms: it moves only through `Visit.change_status` (the actions
"Mark as proposed", "Confirm", "Mark as delivered", "Cancel"), so the workflow's checks (problems
before confirming, a report before delivery, a reason for cancelling) and its history hold for
staff too. Delivered and cancelled visits are closed: the admin shows them but does not change them,
as the coordinators' pages do not.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.admin_actions import export_as_csv
from config.admin_history import HistoryAdmin
from sessions import services
from sessions.models import (
    Assignment,
    StatusChange,
    TeacherFeedback,
    Visit,
    VisitNote,
    VisitReport,
    VisitSession,
    person_name,
)
from sessions.planning.forms import year_groups_field

# --- Visits --------------------------------------------------------------------------------------


class VisitSessionForm(forms.ModelForm):
    year_groups = year_groups_field()

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
    return visit is not None and visit.is_closed


class VisitSessionInline(ClosedVisitInline, admin.StackedInline):
    model = VisitSession
    form = VisitSessionForm
    extra = 0
    fields = [("session_type", "starts_at"), "year_groups", ("pupils", "children_reached"),
              ("send_adapted", "welsh_language")]


def books_someone(form: forms.ModelForm) -> bool:
    """The form makes a booking: a new one, or another volunteer, or a declined one taken up again."""
    data = form.cleaned_data
    if data.get("status") == Assignment.Status.DECLINED or data.get("DELETE"):
        return False
    return form.instance.pk is None or bool({"volunteer", "status"} & set(form.changed_data))


class AssignmentFormSet(forms.BaseInlineFormSet):
    """Refuse what would book an uncleared volunteer, double-book one or give the visit two leads, before
    the database does: the booking gate (`Volunteer.booking_refusal`) and the double-booking test
    (`Assignment.objects.clashes_with`) against the visit's times as they are being saved.
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
            if books_someone(form) and (refusal := data["volunteer"].booking_refusal(visit.date)):
                errors.append(refusal)
            clash = Assignment.objects.clashes_with(visit, volunteers=[data["volunteer"]]).first()
            if clash:
                errors.append(clash.clash_message())
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


@admin.register(VisitNote)
class VisitNoteAdmin(admin.ModelAdmin):
    """Every note schools added by asking again (sessions/services.py: request_visit), newest first. Kept as
    the school sent it: read, not edited; data entry may delete one sent by mistake."""

    list_display = ["__str__", "visit", "author_role"]
    list_select_related = ["visit__school"]
    search_fields = ["visit__school__name", "visit__school__urn__exact", "author_name", "author_email"]
    search_help_text = "Search by the school's name or URN, or who wrote it."
    readonly_fields = ["visit", "created_at", "author_name", "author_role", "author_email", "author_phone", "text"]
    fields = readonly_fields
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


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
        return person_name(change.by) if change.by else "Unknown"


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
            self.fields["coordinator"].label_from_instance = person_name


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
                           "notes", "problem_list", "notes_from_school"]}),
        (
            "What the school asked for",
            {"fields": ["requester_name", "requester_role", "requester_email", "requester_phone", "preferred_dates",
                        "pupils_by_year", "needs_send", "needs_welsh"]},
        ),
        (
            "The school's safeguarding lead",
            {"fields": ["safeguarding_lead_name", "safeguarding_lead_role", "safeguarding_lead_phone",
                        "safeguarding_lead_email"]},
        ),
        ("Cancellation", {"fields": ["cancel_reason"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # with_signals: what the problem column needs, in a fixed number of queries per page.
        return super().get_queryset(request).with_signals().select_related("coordinator")

    def get_readonly_fields(self, request: HttpRequest, obj: Visit | None = None) -> list[str]:
        fields = ["next_statuses", "problem_list", "cancel_reason", "notes_from_school"]
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

    @admin.display(description="added by the school since")
    def notes_from_school(self, visit: Visit) -> str:
        """What the school added by asking again (read-only here; listed under Visit notes)."""
        notes = list(visit.school_notes.all()) if visit.pk else []
        if not notes:
            return "Nothing"
        return format_html_join(
            "", "<p><strong>{}</strong>, from {}{}:<br>{}</p>",
            ((f"{timezone.localtime(note.created_at):%-d %B %Y, %H:%M}", note.author_name,
              f" ({note.author_role})" if note.author_role else "", linebreaksbr(note.text, autoescape=True))
             for note in notes),
        )

    @admin.display(description="time")
    def times(self, visit: Visit) -> str:
        return visit.times

    @admin.display(description="coordinator", ordering="coordinator__last_name")
    def coordinator_name(self, visit: Visit) -> str:
        user = visit.coordinator
        return person_name(user) if user else "None yet"

    @admin.display(description="problems")
    def problem_summary(self, visit: Visit) -> str:
        if visit.is_closed:
            return "–"
        found = []
        if visit.has_other_errors:
            found.append("Has errors")
        if visit.needs_staffing:
            found.append("Needs volunteers or their answers")
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
            if books_someone(self) and (refusal := volunteer.booking_refusal(visit.date)):
                raise ValidationError(refusal)
            clash = Assignment.objects.clashes_with(visit, volunteers=[volunteer]).first()
            if clash:
                raise ValidationError(clash.clash_message())
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
class VisitReportAdmin(HistoryAdmin):
    list_display = ["visit", "filed_by", "filed_at", "children_reached", "sessions_delivered", "follow_up",
                    "corrected_at"]
    readonly_fields = ["corrected_at", "corrected_by", "correction_reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: VisitReport | None = None) -> list[str]:
        """A filed report's figures are counted from its sessions' attendance (each child once): they are
        corrected on the visit's page, with a reason, not typed over here."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["children_reached", "sessions_delivered", "unusual_reason"]
        return fields
    list_filter = ["follow_up"]
    list_select_related = ["visit__school", "filed_by__user"]
    search_fields = ["visit__school__name", "visit__school__urn__exact"]
    date_hierarchy = "filed_at"
    autocomplete_fields = ["visit", "filed_by"]
    actions = [export_as_csv]


@admin.register(TeacherFeedback)
class TeacherFeedbackAdmin(admin.ModelAdmin):
    """The schools' feedback, read only: what a teacher said is theirs. The link's token is never shown."""

    list_display = ["__str__", "sent_to", "sent_at", "reminded_at", "responded_at", "rating", "come_back"]
    list_filter = ["rating", "come_back"]
    list_select_related = ["visit__school"]
    search_fields = ["visit__school__name", "visit__school__urn__exact"]
    date_hierarchy = "sent_at"
    fields = ["visit", "sent_to", "sent_at", "reminded_at", "responded_at", "updated_at", "rating", "right_for_ages",
              "pupils_engaged", "volunteers_prepared", "come_back", "comment"]
    readonly_fields = fields
    actions = [export_as_csv]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


admin.site.site_header = "Speak Out. Stay Safe. — data entry"
admin.site.site_title = "Speak Out. Stay Safe. data entry"
admin.site.index_title = "Schools, volunteers, visits and figures"
# The lists are wide (a school's area, last visit and whether it is due): give them the whole width.
admin.site.enable_nav_sidebar = False
