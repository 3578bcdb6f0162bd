"""Forms of the volunteers' portal."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from schools.geography import normalise_postcode
from sessions.models import DeclineReason, Unavailability, Visit, Volunteer

LONGEST_ABSENCE_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UnavailabilityForm(forms.ModelForm):
    # Set when the volunteer has seen that the dates cover a visit they are on and adds them anyway.
    confirm_clash = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Unavailability
        fields = ["starts_on", "ends_on", "reason"]
        labels = {"starts_on": "First day", "ends_on": "Last day", "reason": "Reason (optional)"}
        help_texts = {"reason": "Only coordinators see this, e.g. “On holiday”."}
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        # Said in the error summary too, away from the field: each message names its date.
        error_messages = {
            "starts_on": {
                "required": "Give the first day you cannot do visits.",
                "invalid": "Give the first day as day, month and year.",
            },
            "ends_on": {
                "required": "Give the last day you cannot do visits (the first day again for one day).",
                "invalid": "Give the last day as day, month and year.",
            },
        }

    def __init__(self, *args, today: date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last:
            if last < first:
                self.add_error("ends_on", "The last day cannot be before the first day.")
            elif last < self.today:
                self.add_error("ends_on", "These dates are in the past: give dates from today on.")
            elif (last - first).days >= LONGEST_ABSENCE_DAYS:
                self.add_error("ends_on", "Give at most a year at a time.")
        return data


class EmailPreferencesForm(forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = ["email_reminders", "email_report_nudges"]
        labels = {
            "email_reminders": "Email me a reminder two days before each visit",
            "email_report_nudges": "Email me the day after a visit I led, to file the visit report",
        }


class TravelForm(forms.ModelForm):
    """Where the volunteer sets out from and how far they will go: the staffing panel's distances."""

    class Meta:
        model = Volunteer
        fields = ["postcode", "max_travel_km"]
        labels = {"postcode": "Your postcode", "max_travel_km": "The furthest you will travel (km)"}
        help_texts = {
            "postcode": "Only its first half (your district, such as RG1) is used, to tell coordinators how far "
            "you are from a school.",
            "max_travel_km": "In a straight line. Coordinators see when a visit is further than this.",
        }

    def clean_postcode(self) -> str:
        # The model's validator says what is wrong; this keeps it as Royal Mail writes it.
        return normalise_postcode(self.cleaned_data["postcode"]) or self.cleaned_data["postcode"].strip()


class VisitReportForm(forms.Form):
    """Children reached per session line, a note about the visit, and the follow-up flag.

    No details about any child are asked for or stored: the notes are about the visit itself.
    """

    notes = forms.CharField(
        label="Anything to note about the visit",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, how the sessions went or anything the school asked for. "
        "Never write names or any details about a child here.",
    )
    follow_up = forms.BooleanField(
        label="A concern was passed to the school's safeguarding lead",
        required=False,
        help_text="Tick only to record that it happened. Do not write anything about the child or the concern.",
    )

    def __init__(self, *args, visit: Visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(visit.sessions.all())
        session_fields = {}
        for line in self.lines:
            session_fields[f"children_{line.pk}"] = forms.IntegerField(
                label=f"Children reached: {line.starts_at:%H:%M} {line.session_type.name} "
                f"({line.year_groups_label})",
                min_value=0,
                max_value=2000,
                help_text=f"{line.pupils} expected." if line.pupils else "",
                error_messages={
                    "required": "Give the number of children at this session (0 if it did not happen).",
                    "min_value": "The number of children cannot be below 0.",
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        # Session lines first, in the order of the day.
        self.fields = {**session_fields, **self.fields}

    def children_reached(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"children_{line.pk}"] for line in self.lines}

    def session_fields(self) -> list:
        return [self[f"children_{line.pk}"] for line in self.lines]


class DeclineForm(forms.Form):
    """Why a volunteer cannot go: a reason from a short list (counted in the reach report)."""

    reason = forms.ChoiceField(
        choices=DeclineReason.choices,
        error_messages={"required": "Choose why you cannot go.", "invalid_choice": "Choose why you cannot go."},
    )
    note = forms.CharField(max_length=200, required=False, strip=True)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("reason") == DeclineReason.OTHER and not data.get("note"):
            self.add_error("note", "Say in a few words why you cannot go.")
        return data
