"""Forms of the coordinators' workspace and of the public visit request."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from config.dates import date_window
from config.query_forms import QueryForm
from schools.models import School
from sessions.models import (
    YEAR_GROUP_CHOICES,
    Assignment,
    CancelReason,
    SessionType,
    Visit,
    VisitSession,
    Volunteer,
    year_group_label,
)
from stats.models import Area, LocalAuthority

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def year_group_choices(nation: str) -> list[tuple[int, str]]:
    return [(number, year_group_label(number, nation)) for number, _ in YEAR_GROUP_CHOICES]


class VisitForm(forms.ModelForm):
    """The visit itself. The school is chosen from the schools the coordinator may plan for (by URN)."""

    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        to_field_name="urn",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the school: search for it by name, URN or postcode.",
            "invalid_choice": "Choose a school in your areas: search for it by name, URN or postcode.",
        },
    )

    # The version of the visit the coordinator was looking at: a change saved since is not overwritten.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # The school's preferences: a booking against them is a warning (the problem `preference`).
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label="Weekdays that suit the school", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(enumerate(Visit.WEEKDAYS)), help_text="None ticked: any weekday.",
    )
    dates_to_avoid = forms.CharField(
        label="Days to avoid", required=False, max_length=500,
        help_text="Dates the school cannot have a visit, separated by commas, e.g. 12/03/2027, 19/03/2027.",
    )

    class Meta:
        model = Visit
        fields = ["school", "date", "starts_at", "ends_at", "preferred_weekdays", "preferred_time", "dates_to_avoid",
                  "notes"]
        widgets = {"date": DATE_INPUT, "starts_at": TIME_INPUT, "ends_at": TIME_INPUT, "notes": forms.Textarea(
            attrs={"rows": 3}
        )}
        error_messages = {
            "date": {"required": "Give the date of the visit.", "invalid": "Give the date as day, month and year."},
            "starts_at": {"required": "Give the start time.", "invalid": "Give the start time as hours and minutes."},
            "ends_at": {"required": "Give the end time.", "invalid": "Give the end time as hours and minutes."},
        }

    def __init__(self, *args, schools, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["preferred_time"].widget = forms.RadioSelect(choices=self.fields["preferred_time"].choices)
        self.initial["dates_to_avoid"] = ", ".join(f"{d:%d/%m/%Y}" for d in self.instance.avoided_dates)

    def clean_dates_to_avoid(self) -> list[str]:
        found = []
        for text in filter(None, (part.strip() for part in self.cleaned_data["dates_to_avoid"].split(","))):
            day = None
            for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
                try:
                    day = datetime.strptime(text, pattern).date()
                    break
                except ValueError:
                    continue
            if day is None:
                raise forms.ValidationError(
                    f"“{text[:20]}” is not a date: give dates as day/month/year, e.g. 12/03/2027."
                )
            found.append(day.isoformat())
        return sorted(set(found))

    def clean_date(self) -> date:
        """A date picker sends the year as it is typed (0002, 0020, 0202): say so rather than check year
        2; and keep to the dates the app can plan (year 9999 would save a visit no page can show)."""
        day = self.cleaned_data["date"]
        if day.year < 1000:
            raise forms.ValidationError("Finish typing the date: the year needs four digits.")
        earliest, latest = date_window(timezone.localdate())
        if not earliest <= day <= latest:
            raise forms.ValidationError(f"Give a date between {earliest:%-d %B %Y} and {latest:%-d %B %Y}.")
        return day


def year_groups_field() -> forms.TypedMultipleChoiceField:
    """Year groups as ticked boxes (the session line form and the admin's)."""
    return forms.TypedMultipleChoiceField(
        coerce=int,
        choices=YEAR_GROUP_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one year group."},
    )


class SessionLineForm(forms.ModelForm):
    year_groups = year_groups_field()

    class Meta:
        model = VisitSession
        # In the order the page shows them, so the error summary lists problems top to bottom.
        fields = ["session_type", "starts_at", "pupils", "year_groups", "send_adapted", "welsh_language"]
        widgets = {"starts_at": TIME_INPUT, "pupils": forms.NumberInput(attrs={"min": 0, "max": 2000})}
        labels = {"pupils": "Number of pupils"}
        error_messages = {
            "session_type": {"required": "Choose the session type."},
            "starts_at": {
                "required": "Give the time this session starts.",
                "invalid": "Give the time as hours and minutes.",
            },
            "pupils": {"required": "Give the number of pupils.", "invalid": "Give the number of pupils as a number."},
        }

    def __init__(self, *args, nation: str = School.Nation.ENGLAND, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session_type"].queryset = SessionType.objects.filter(active=True)
        # Left empty, a session starts when the visit does (filled in by the view).
        self.fields["starts_at"].required = False
        self.fields["year_groups"].choices = year_group_choices(nation)
        if not self.instance.pk:
            # The model's default of 0 is for rows saved before pupils were counted; a new line asks.
            self.initial["pupils"] = None

    def clean_pupils(self) -> int:
        pupils = self.cleaned_data["pupils"]
        if pupils is not None and pupils > 2000:
            raise forms.ValidationError("That is more pupils than any primary school has: check the number.")
        return pupils


class BaseSessionLineFormSet(BaseInlineFormSet):
    default_error_messages = {
        "too_few_forms": "Add at least one session: its type, year groups and number of pupils.",
    }


SessionLineFormSet = inlineformset_factory(
    Visit,
    VisitSession,
    form=SessionLineForm,
    formset=BaseSessionLineFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
)


class AssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        queryset=Volunteer.objects.none(), error_messages={"invalid_choice": "That volunteer cannot be found."}
    )
    role = forms.ChoiceField(
        choices=Assignment.Role.choices, error_messages={"invalid_choice": "Choose lead or support."}
    )

    def __init__(self, *args, volunteers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers


class SchoolSearch(QueryForm):
    """The search box of every school list and picker (?q=): at most 100 characters, never a NUL."""

    q = forms.CharField(label="Search", required=False, strip=True, initial="")

    @classmethod
    def text(cls, query) -> str:
        """What to search for: the box's text (its first 100 characters), or nothing if it holds a NUL."""
        return cls(query).value("q")[:100]


class CoverForm(forms.Form):
    """Which volunteers to ask to cover a visit (from those the coordinator may staff)."""

    volunteers = forms.ModelMultipleChoiceField(
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one volunteer to ask.",
            "invalid_choice": "One of the volunteers ticked cannot be found. Reload the page and try again.",
            "invalid_pk_value": "One of the volunteers ticked cannot be found. Reload the page and try again.",
        },
    )

    def __init__(self, *args, volunteers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = volunteers.select_related("user")


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=Visit.Status.choices, error_messages={"invalid_choice": "That is not a status."})
    # The version of the visit the coordinator was looking at: a change made since is not overwritten.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why is the visit cancelled?", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Cancelling: the reason's category (counted in the reach report); "Cancel and rebook" opens a new request.
    category = forms.ChoiceField(
        label="Reason", choices=[("", "Choose a reason"), *CancelReason.choices], required=False,
        error_messages={"invalid_choice": "Choose a reason from the list."},
    )
    rebook = forms.BooleanField(required=False)


class DueFilterForm(forms.Form):
    """Filters of the schools-due list; the choices are the coordinator's own areas."""

    q = forms.CharField(label="Search by name, URN or postcode", required=False, max_length=100)
    area = forms.ModelChoiceField(
        label="Police force area", queryset=Area.objects.none(), required=False, empty_label="Any of my areas"
    )
    local_authority = forms.ModelChoiceField(
        label="Local authority", queryset=LocalAuthority.objects.none(), required=False, empty_label="Any"
    )
    town = forms.CharField(label="Town", required=False, max_length=100)
    booked = forms.BooleanField(label="Include schools with a visit planned", required=False)

    def __init__(self, *args, areas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["local_authority"].queryset = LocalAuthority.objects.filter(police_force__in=areas)

    def filter(self, schools):
        """The schools narrowed by whatever filters are valid (invalid ones are ignored, and shown)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            schools = schools.search(data["q"])
        if data.get("area"):
            schools = schools.in_areas([data["area"]])
        if data.get("local_authority"):
            schools = schools.filter(local_authority=data["local_authority"])
        if data.get("town"):
            schools = schools.filter(town__iexact=data["town"].strip())
        return schools

    @property
    def include_booked(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("booked"))


class CalendarFilterForm(forms.Form):
    area = forms.ModelChoiceField(
        label="Area", queryset=Area.objects.none(), required=False, empty_label="All my areas"
    )
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *Visit.Status.choices], required=False)
    volunteer = forms.ModelChoiceField(
        label="Volunteer", queryset=Volunteer.objects.none(), required=False, empty_label="Any volunteer"
    )

    def __init__(self, *args, areas, volunteers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["volunteer"].queryset = volunteers

    def filter(self, visits):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("area"):
            visits = visits.in_areas([data["area"]])
        if data.get("status"):
            visits = visits.filter(status=data["status"])
        if data.get("volunteer"):
            visits = visits.filter(assignments__volunteer=data["volunteer"]).distinct()
        return visits


class VisitRequestForm(forms.Form):
    """A school asks for a visit. `website` is a honeypot: people never see it, robots fill it in."""

    school = forms.ModelChoiceField(
        queryset=School.objects.open(),
        to_field_name="urn",
        widget=forms.HiddenInput,
        error_messages={"required": "Find your school first.", "invalid_choice": "Find your school first."},
    )
    requester_name = forms.CharField(label="Your name", max_length=200, error_messages={"required": "Give your name."})
    requester_email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={"required": "Give your email address."},
    )
    requester_phone = forms.CharField(
        label="Your phone number", max_length=30, error_messages={"required": "Give a phone number we can call."}
    )
    first_date = forms.DateField(
        label="Your first choice of date",
        widget=DATE_INPUT,
        error_messages={
            "required": "Give the date you would like most.",
            "invalid": "Give the date as day, month and year.",
        },
    )
    preferred_dates = forms.CharField(
        label="Other dates or weeks that suit you",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: any Tuesday in March, or the week of 12 April.",
    )
    needs_send = forms.BooleanField(label="Some pupils need SEND adaptations", required=False)
    needs_welsh = forms.BooleanField(label="We would like the sessions in Welsh", required=False)
    website = forms.CharField(label="Leave this empty", required=False)

    def __init__(self, *args, nation: str = School.Nation.ENGLAND, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, label in year_group_choices(nation):
            self.fields[f"pupils_{number}"] = forms.IntegerField(
                label=f"Pupils in {label}", min_value=0, max_value=500, required=False
            )

    @property
    def pupil_fields(self) -> list[forms.BoundField]:
        return [self[f"pupils_{number}"] for number, _ in YEAR_GROUP_CHOICES]

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(f"pupils_{number}") for number, _ in YEAR_GROUP_CHOICES):
            raise forms.ValidationError("Give the number of pupils in at least one year group.")
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def pupils_by_year(self) -> dict[str, int]:
        return {str(number): self.cleaned_data.get(f"pupils_{number}") or 0 for number, _ in YEAR_GROUP_CHOICES}
