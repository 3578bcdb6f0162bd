"""Forms of the coordinators' workspace and of the public visit request."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.models import ModelChoiceIterator
from django.utils import formats, timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

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
    year_groups_taught,
)
from sessions.models.people import name_from
from sessions.models.problems import day_problems
from sessions.services import VisitRequest
from stats.models import Area, LocalAuthority

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def year_group_choices(nation: str) -> list[tuple[int, str]]:
    return [(number, year_group_label(number, nation)) for number, label in YEAR_GROUP_CHOICES]


def parse_dates_to_avoid(text: str) -> list[str]:
    """Dates separated by commas, as day/month/year (or ISO), into sorted ISO dates; the first that is not
    a date is named in the error (the visit form's and the request form's "Days to avoid")."""
    found = []
    for part in filter(None, (part.strip() for part in text.split(","))):
        day = None
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                day = datetime.strptime(part, pattern).date()
                break
            except ValueError:
                continue
        if day is None or day.year < 1000:
            raise forms.ValidationError(
                _("“%(text)s” is not a date: give dates as day/month/year, e.g. 12/03/2027.") % {"text": part[:20]}
            )
        found.append(day.isoformat())
    return sorted(set(found))


class FoundChoicesMixin:
    """A model form whose model choices found their objects already (among the objects the user may choose):
    the model's own check that each chosen object exists would ask the database again. The models these forms
    edit have no unique or check constraint on such a field, which the exclusion would also skip
    (`tests/sessions/planning/test_visits.py` checks that)."""

    def _get_validation_exclusions(self) -> set[str]:
        exclude = super()._get_validation_exclusions()
        cleaned = getattr(self, "cleaned_data", {})
        exclude.update(
            name for name, field in self.fields.items()
            if isinstance(field, forms.ModelChoiceField) and cleaned.get(name) is not None
        )
        return exclude


class ReadObjectsIterator(ModelChoiceIterator):
    """The options of a `ReadChoiceField`, from the objects it holds."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.objects.values():
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self.field.objects) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.objects)


class ReadChoiceField(forms.ModelChoiceField):
    """A choice among model objects read once for a whole formset (`objects`, by primary key, in the order
    shown): a posted value is looked up among them and the options are written from them, where Django's field
    asks the database for each form."""

    iterator = ReadObjectsIterator

    def __init__(self, *args, objects: dict[int, object] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.objects = objects if objects is not None else {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.objects = self.objects  # shared by every form of the formset, never changed
        return copy

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.objects[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


class SchoolChoiceField(forms.ModelChoiceField):
    """The visit's school, by URN, among `queryset`. `known` is the school of the visit being edited, read in
    the same request within the same areas (`planning_visit`): posted again, as every live check and save of
    that visit posts it, it is taken as it is rather than looked up a second time."""

    known: School | None = None

    def to_python(self, value):
        if self.known is not None and value not in self.empty_values and str(value) == str(self.known.urn):
            return self.known
        return super().to_python(value)


class VisitForm(FoundChoicesMixin, forms.ModelForm):
    """The visit itself. The school is chosen from the schools the coordinator may plan for (by URN)."""

    school = SchoolChoiceField(
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
            self.fields["school"].known = self.instance.school
        self.fields["preferred_time"].widget = forms.RadioSelect(choices=self.fields["preferred_time"].choices)
        self.initial["dates_to_avoid"] = ", ".join(f"{d:%d/%m/%Y}" for d in self.instance.avoided_dates)

    # The visit's constraints that `Visit.clean()` states in the coordinator's words, just before Django would
    # ask the database the same question again.
    CHECKED_BY_CLEAN = frozenset({"visit_ends_after_start"})

    def validate_constraints(self) -> None:
        if {constraint.name for constraint in Visit._meta.constraints} - self.CHECKED_BY_CLEAN:
            super().validate_constraints()

    def clean_dates_to_avoid(self) -> list[str]:
        return parse_dates_to_avoid(self.cleaned_data["dates_to_avoid"])

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


class SessionLineForm(FoundChoicesMixin, forms.ModelForm):
    session_type = ReadChoiceField(
        queryset=SessionType.objects.filter(active=True),
        error_messages={
            "required": "Choose the session type.",
            "invalid_choice": "Choose the session type again: the one sent is not offered (it may have been "
                              "withdrawn since the form was loaded).",
        },
    )
    year_groups = year_groups_field()

    class Meta:
        model = VisitSession
        # In the order the page shows them, so the error summary lists problems top to bottom.
        fields = ["session_type", "starts_at", "pupils", "year_groups", "send_adapted", "welsh_language"]
        widgets = {"starts_at": TIME_INPUT, "pupils": forms.NumberInput(attrs={"min": 0, "max": 2000})}
        labels = {"pupils": "Number of pupils"}
        error_messages = {
            "starts_at": {
                "required": "Give the time this session starts.",
                "invalid": "Give the time as hours and minutes.",
            },
            "pupils": {"required": "Give the number of pupils.", "invalid": "Give the number of pupils as a number."},
        }

    def __init__(self, *args, nation: str = School.Nation.ENGLAND,
                 session_types: dict[int, SessionType] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session_type"]
        field.objects = session_types if session_types is not None else {t.pk: t for t in field.queryset}
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


# A school day holds a handful of sessions; a visit with more lines than this is a damaged form (or a second
# visit's worth). The cap is also the most forms a post can make the formset build: without it a posted count
# of "999…" built Django's own limit of 2,000 forms, seconds of work for one request.
MOST_SESSION_LINES = 20


class BaseSessionLineFormSet(BaseInlineFormSet):
    default_error_messages = {
        "too_few_forms": "Add at least one session: its type, year groups and number of pupils.",
        "too_many_forms": "A visit can have at most %(num)d sessions. For more, plan a second visit to the school.",
    }

    # A session line's hidden id is matched against the visit's lines the formset has read already (Django's
    # own field looks every line up again, among every visit's lines).
    LINE_GONE = ("This session is not one of the visit's: it may have been removed since the form was loaded. "
                 "Open the visit again to see its sessions as they are now.")

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {"session_types": self.session_types}

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        django_field = form.fields[name]
        form.fields[name] = ReadChoiceField(
            queryset=self.get_queryset(), objects=self.saved_lines, initial=django_field.initial, required=False,
            widget=django_field.widget, error_messages={"invalid_choice": self.LINE_GONE},
        )

    @cached_property
    def saved_lines(self) -> dict[int, VisitSession]:
        """The visit's lines by id, from the query the formset makes for its forms' instances anyway."""
        return {line.pk: line for line in self.get_queryset()}

    @cached_property
    def session_types(self) -> dict[int, SessionType]:
        """The session types a line may have, read once for every line."""
        offered = self.form.base_fields["session_type"].queryset.all()  # a fresh copy: the class's is shared
        return {session_type.pk: session_type for session_type in offered}


SessionLineFormSet = inlineformset_factory(
    Visit,
    VisitSession,
    form=SessionLineForm,
    formset=BaseSessionLineFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MOST_SESSION_LINES,
    validate_max=True,
    absolute_max=MOST_SESSION_LINES,
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

    q = forms.CharField(
        label="Search by name, URN or postcode", required=False, max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
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


class PlainSelect(forms.Select):
    """A <select> whose options are written out in plain Python instead of through one template and one
    option dictionary each: for lists of a thousand names (a busy coordinator's volunteers), where those took
    most of the page's time. Same markup and attributes as Django's Select; no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen, selected_once, options = self.format_value(value), False, []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            # As Select.optgroups: only the first option with the chosen value is selected.
            selected = not selected_once and text in chosen
            selected_once = selected_once or selected
            options.append(f'<option value="{escape(text)}"{" selected" if selected else ""}>{escape(label)}</option>')
        # As django/forms/widgets/attrs.html writes them: in order, True as a bare name, False left out.
        attributes = format_html_join(
            "", " {}{}", ((name, "" if value is True else format_html('="{}"', value))
                          for name, value in self.build_attrs(self.attrs, attrs).items() if value is not False),
        )
        return format_html('<select name="{}"{}>{}</select>', name, attributes, mark_safe("".join(options)))


class PersonNameIterator(ModelChoiceIterator):
    """A volunteer or coordinator choice's options as (pk, name), read as three columns, not as a model
    object each: a busy coordinator's filter lists a thousand volunteers. The field still checks a chosen
    value against its queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list("pk", "user__first_name", "user__last_name", "user__username")
        for pk, first_name, last_name, username in rows:
            yield (pk, name_from(first_name, last_name, username))


class PersonChoiceField(forms.ModelChoiceField):
    iterator = PersonNameIterator


class CalendarFilterForm(forms.Form):
    area = forms.ModelChoiceField(
        label="Area", queryset=Area.objects.none(), required=False, empty_label="All my areas"
    )
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *Visit.Status.choices], required=False)
    volunteer = PersonChoiceField(
        label="Volunteer", queryset=Volunteer.objects.none(), required=False, empty_label="Any volunteer",
        widget=PlainSelect,
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
    """A school asks for a visit. Built for the school chosen first: its year groups (from its age range),
    the Welsh-language option (schools in Wales only) and the days it is closed. Every label and message is
    translated: the form is offered in Welsh. `website` is a honeypot: people never see it, robots fill it."""

    school = forms.ModelChoiceField(
        queryset=School.objects.open(),
        to_field_name="urn",
        widget=forms.HiddenInput,
        error_messages={"required": _("Find your school first."), "invalid_choice": _("Find your school first.")},
    )
    requester_name = forms.CharField(
        label=_("Your name"), max_length=200, error_messages={"required": _("Give your name.")}
    )
    requester_role = forms.ChoiceField(
        label=_("Your role at the school"), choices=Visit.RequesterRole.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Say what your role at the school is."),
                        "invalid_choice": _("Choose your role at the school from the list.")},
    )
    requester_email = forms.EmailField(
        label=_("Your email address"), max_length=254,
        error_messages={"required": _("Give your email address."),
                        "invalid": _("Give an email address like name@school.example.")},
    )
    requester_phone = forms.CharField(
        label=_("Your phone number"), max_length=30,
        error_messages={"required": _("Give a phone number we can call.")},
    )
    safeguarding_lead_name = forms.CharField(
        label=_("Their name"), max_length=200,
        error_messages={"required": _("Give the name of the school's designated safeguarding lead.")},
    )
    safeguarding_lead_role = forms.CharField(
        label=_("Their role"), max_length=100, required=False,
        help_text=_("For example: deputy headteacher. Leave it empty if safeguarding lead is their only role."),
    )
    safeguarding_lead_phone = forms.CharField(
        label=_("Their phone number"), max_length=30,
        error_messages={"required": _("Give a phone number for the safeguarding lead: volunteers call it if "
                                      "a child tells them something on the day.")},
    )
    safeguarding_lead_email = forms.EmailField(
        label=_("Their email address"), max_length=254, required=False,
        error_messages={"invalid": _("Give the safeguarding lead's email address like name@school.example.")},
    )
    first_date = forms.DateField(
        label=_("Your first choice of date"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Give the date you would like most."),
            "invalid": _("Give the date as day, month and year."),
        },
    )
    preferred_dates = forms.CharField(
        label=_("Other dates or weeks that suit you"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: any Tuesday in March, or the week of 12 April."),
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week that suit you"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday"))],
        help_text=_("Leave them all unticked if any weekday suits."),
        error_messages={"invalid_choice": _("Choose days of the week from Monday to Friday.")},
    )
    preferred_time = forms.ChoiceField(
        label=_("Time of day that suits you"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Any time")), ("morning", _("Mornings")), ("afternoon", _("Afternoons"))],
        error_messages={"invalid_choice": _("Choose mornings, afternoons or any time.")},
    )
    dates_to_avoid = forms.CharField(
        label=_("Dates to avoid"), required=False, max_length=500,
        help_text=_("Days you cannot have a visit (a trip, a school event), separated by commas, e.g. "
                    "12/03/2027, 19/03/2027."),
    )
    needs_send = forms.BooleanField(label=_("Some pupils need SEND adaptations"), required=False)
    needs_welsh = forms.BooleanField(label=_("We would like the sessions in Welsh"), required=False)
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, school: School | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        nation = school.nation if school else School.Nation.ENGLAND
        self.year_groups = year_groups_taught(school) if school else [number for number, label in YEAR_GROUP_CHOICES]
        for number in self.year_groups:
            year = self.year_label(number, nation)
            self.fields[f"pupils_{number}"] = forms.IntegerField(
                label=_("Pupils in %(year)s") % {"year": year},
                min_value=0, max_value=500, required=False,
                error_messages={
                    "invalid": _("Give the number of pupils in %(year)s as a whole number.") % {"year": year},
                    "min_value": _("The number of pupils in %(year)s cannot be below 0.") % {"year": year},
                    "max_value": _("That is more pupils than a year group has: give a number up to 500."),
                },
            )
        if not self.offers_welsh:
            del self.fields["needs_welsh"]

    @staticmethod
    def year_label(number: int, nation: str) -> str:
        """year_group_label's names (Reception, Year 1–6; P1–P7 in Scotland and Northern Ireland), translated."""
        if year_group_label(number, nation).startswith("P"):
            return year_group_label(number, nation)
        return str(_("Reception")) if number == 0 else str(_("Year %(number)s") % {"number": number})

    @property
    def offers_welsh(self) -> bool:
        """Sessions in Welsh are offered to schools in Wales."""
        return bool(self.school and self.school.nation == School.Nation.WALES)

    @property
    def pupil_fields(self) -> list[forms.BoundField]:
        return [self[f"pupils_{number}"] for number in self.year_groups]

    @property
    def requester_fields(self) -> list[forms.BoundField]:
        return [self["requester_name"], self["requester_email"], self["requester_phone"]]

    @property
    def lead_fields(self) -> list[forms.BoundField]:
        return [self[f"safeguarding_lead_{part}"] for part in ("name", "role", "phone", "email")]

    def clean_dates_to_avoid(self) -> list[str]:
        return parse_dates_to_avoid(self.cleaned_data["dates_to_avoid"])

    def clean_first_date(self) -> date:
        """Not in the past, nor beyond the dates the planner can show; the school's closed days are checked
        in clean(), once the school is known."""
        day = self.cleaned_data["first_date"]
        if day.year < 1000:
            raise forms.ValidationError(_("Finish typing the date: the year needs four digits."))
        today = timezone.localdate()
        shown = formats.date_format(day, "l j F Y")
        if day < today:
            raise forms.ValidationError(_("%(date)s is in the past: give a date still to come.") % {"date": shown})
        if day == today:
            raise forms.ValidationError(_("%(date)s is today: give a later date.") % {"date": shown})
        latest = date_window(today)[1]
        if day > latest:
            raise forms.ValidationError(
                _("Give a date before %(date)s.") % {"date": formats.date_format(latest, "j F Y")}
            )
        return day

    def clean(self) -> dict:
        data = super().clean()
        if self.is_spam:
            return data
        pupils = [f"pupils_{number}" for number in self.year_groups]
        if not any(data.get(name) for name in pupils) and not any(name in self.errors for name in pupils):
            self.add_error(None, _("Give the number of pupils in at least one year group."))
        school, day = data.get("school"), data.get("first_date")
        if school and day:
            # The rules a visit is checked by (weekend, bank holidays of the school's nation, its authority's
            # holidays and INSET days, its own closures): one place for each, sessions/models/problems.py.
            choose = _("Choose another date.")
            for problem in day_problems(school, day):
                self.add_error("first_date", f"{problem.message} {choose}")
        if not self.offers_welsh and self.data.get("needs_welsh"):
            self.add_error(None, _("Sessions in Welsh are offered to schools in Wales only."))
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def pupils_by_year(self) -> dict[str, int]:
        return {str(number): self.cleaned_data.get(f"pupils_{number}") or 0 for number in self.year_groups}

    def asked(self) -> VisitRequest:
        """The valid form as the request services.request_visit records."""
        data = self.cleaned_data
        return VisitRequest(
            school=data["school"],
            first_date=data["first_date"],
            requester_name=data["requester_name"],
            requester_role=data["requester_role"],
            requester_email=data["requester_email"],
            requester_phone=data["requester_phone"],
            safeguarding_lead_name=data["safeguarding_lead_name"],
            safeguarding_lead_role=data["safeguarding_lead_role"],
            safeguarding_lead_phone=data["safeguarding_lead_phone"],
            safeguarding_lead_email=data["safeguarding_lead_email"],
            preferred_dates=data["preferred_dates"],
            preferred_weekdays=tuple(data["preferred_weekdays"]),
            preferred_time=data["preferred_time"],
            dates_to_avoid=tuple(data["dates_to_avoid"]),
            pupils_by_year=self.pupils_by_year(),
            needs_send=data["needs_send"],
            needs_welsh=bool(data.get("needs_welsh")),
        )
