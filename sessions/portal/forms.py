"""Forms of the volunteers' portal."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from schools.geography import normalise_postcode
from sessions.models import DeclineReason, Unavailability, Visit, Volunteer, year_group_label

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


class ReportFiguresForm(forms.Form):
    """Children at each session line, per year group, pre-filled from the plan; with the confirmation and
    reason that figures over the plan or the school's roll need (`Visit.check_figures` says which).

    Filing (the lead volunteer) and correcting (a coordinator) both use it; no detail about any child is
    asked for."""

    confirm_unusual = forms.BooleanField(
        label="I confirm these numbers are right",
        required=False,
        help_text="Needed only when a year group is more than a fifth over the plan, or the visit reached "
        "more children than the school has on roll.",
    )
    unusual_reason = forms.CharField(
        label="Why are the numbers higher than planned?",
        required=False,
        max_length=300,
        help_text="For example: the school joined two classes to the workshop.",
        error_messages={"max_length": "Keep the reason to 300 characters or fewer (it has %(show_value)d)."},
    )

    def __init__(self, *args, visit: Visit, attendance: dict[int, dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.unusual: list[str] = []
        self.lines = list(visit.sessions.all())
        nation = visit.school.nation
        planned = visit.planned_by_year(self.lines)
        figure_fields = {}
        self.groups = []  # (line, [bound fields]) for the template
        for line in self.lines:
            start = (attendance or {}).get(line.pk)
            start = {int(y): n for y, n in start.items()} if start else visit.expected_attendance(line, planned)
            names = []
            for year in sorted(line.year_groups):
                name = f"children_{line.pk}_{year}"
                where = f"{line.starts_at:%H:%M} {line.session_type.name}, {year_group_label(year, nation)}"
                figure_fields[name] = forms.IntegerField(
                    label=year_group_label(year, nation),
                    min_value=0,
                    initial=start.get(year, 0),
                    help_text=f"{planned[year]} planned." if planned.get(year) else "None planned.",
                    error_messages={
                        "required": f"{where}: give the number of children (0 if none came).",
                        "invalid": f"{where}: give the number of children as a whole number.",
                        "min_value": f"{where}: the number of children cannot be below 0.",
                    },
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                )
                names.append(name)
            self.groups.append((line, names))
        # The figures first, in the order of the day.
        self.fields = {**figure_fields, **self.fields}

    def session_groups(self) -> list[tuple]:
        return [(line, [self[name] for name in names]) for line, names in self.groups]

    def attendance(self) -> dict[int, dict[int, int]]:
        return {
            line.pk: {year: self.cleaned_data[f"children_{line.pk}_{year}"] for year in sorted(line.year_groups)}
            for line in self.lines
        }

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        checked = self.visit.check_figures(self.attendance())
        for finding in checked.impossible:
            field = f"children_{finding.line}_{finding.year}" if finding.year is not None else None
            self.add_error(field if field in self.fields else None, finding.message)
        if checked.unusual:
            self.unusual = [f.message for f in checked.unusual]
            if not data.get("confirm_unusual"):
                self.add_error("confirm_unusual", "These numbers are higher than planned: "
                               + " ".join(self.unusual) + " Check them; if they are right, tick to confirm.")
            if not (data.get("unusual_reason") or "").strip():
                self.add_error("unusual_reason", "Say why the numbers are higher than planned.")
        return data


class VisitReportForm(ReportFiguresForm):
    """The lead volunteer's report: the figures, a note about the visit, and the follow-up flag.

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
