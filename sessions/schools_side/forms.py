"""What a school sends from its visit page. Every value is checked here, with a message naming the field."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sessions.models import SCHOOL_CANCEL_REASONS, CancelReason, Visit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A UK phone number as people write it: digits, spaces, brackets, a leading +44, 10 to 13 digits in all.
PHONE = re.compile(r"\+?[0-9 ()-]{10,20}")
# How far ahead a school may offer dates: the next academic year at most.
FURTHEST_DAYS = 450


def clean_text(value: str) -> str:
    """Free text as it is kept: control characters (a NUL, which PostgreSQL's text cannot hold) removed,
    outer spaces trimmed."""
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()


class SchoolDetailsForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["safeguarding_lead_name", "safeguarding_lead_role", "safeguarding_lead_phone",
                  "safeguarding_lead_email", "hall_and_equipment", "arrival_instructions"]
        labels = {
            "safeguarding_lead_name": _("Name"),
            "safeguarding_lead_role": _("Role"),
            "safeguarding_lead_phone": _("Phone on the day"),
            "safeguarding_lead_email": _("Email"),
            "hall_and_equipment": _("The hall and equipment"),
            "arrival_instructions": _("Parking and arrival"),
        }
        help_texts = {
            "safeguarding_lead_role": _("For example: designated safeguarding lead, or deputy."),
            "hall_and_equipment": _("Where the sessions will be, and whether there is a screen or projector "
                                    "our volunteers can use."),
            "arrival_instructions": _("Where volunteers can park, and which entrance to use."),
        }
        widgets = {
            "hall_and_equipment": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "arrival_instructions": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        }
        error_messages = {
            "safeguarding_lead_email": {
                "invalid": _("Give the safeguarding lead's email address, like name@school.org.uk."),
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        required = {
            "safeguarding_lead_name": _("Give the safeguarding lead's name."),
            "safeguarding_lead_role": _("Give the safeguarding lead's role."),
            "safeguarding_lead_phone": _("Give a phone number for the safeguarding lead on the day."),
            "safeguarding_lead_email": _("Give the safeguarding lead's email address."),
        }
        for name, message in required.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        for name in ("hall_and_equipment", "arrival_instructions"):
            self.fields[name].max_length = 1000
            self.fields[name].validators.append(_max_length(1000))

    def clean(self) -> dict:
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = clean_text(value)
        for name in ("safeguarding_lead_name", "safeguarding_lead_role"):
            if name in data and not data[name] and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return data

    def clean_safeguarding_lead_phone(self) -> str:
        phone = clean_text(self.cleaned_data["safeguarding_lead_phone"])
        digits = re.sub(r"\D", "", phone)
        if not PHONE.fullmatch(phone) or not 10 <= len(digits) <= 13:
            raise forms.ValidationError(_("Give the phone number with its area code, like 01632 960 123."))
        return phone


def _max_length(n: int):
    def check(value: str) -> None:
        if len(value) > n:
            raise forms.ValidationError(_("Keep this to %(n)s characters.") % {"n": n})
    return check


class AgreeForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200,
                           error_messages={"required": _("Give your name, so that we know who agreed.")})
    # The date and times the school was shown (`services.when_key`).
    seen = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give your name, so that we know who agreed."))
        return name


def future_weekday(day: date, today: date | None = None) -> str | None:
    """Why `day` cannot be offered for a visit (None: it can): it must be a weekday after today and
    within FURTHEST_DAYS."""
    today = today or timezone.localdate()
    if day <= today:
        return _("Choose a date after today.")
    if day.weekday() >= 5:
        return _("Choose a weekday: %(day)s is a weekend.") % {"day": date_format(day, "j F Y")}
    if day > today + timedelta(days=FURTHEST_DAYS):
        return _("Choose a date within the next 15 months.")
    return None


class OtherDatesForm(forms.Form):
    """The proposed date does not work: up to three other dates, at least one."""

    date_1 = forms.DateField(label=_("A date that works"), widget=DATE_INPUT, required=False)
    date_2 = forms.DateField(label=_("Another date (optional)"), widget=DATE_INPUT, required=False)
    date_3 = forms.DateField(label=_("A third date (optional)"), widget=DATE_INPUT, required=False)
    note = forms.CharField(label=_("Anything we should know (optional)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    FIELDS = ("date_1", "date_2", "date_3")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.FIELDS:
            self.fields[name].error_messages["invalid"] = _("Give the date as day, month and year.")

    def clean(self) -> dict:
        data = super().clean()
        for name in self.FIELDS:
            day = data.get(name)
            if day and (issue := future_weekday(day)):
                self.add_error(name, issue)
        if not any(data.get(name) for name in self.FIELDS) and not any(n in self.errors for n in self.FIELDS):
            self.add_error("date_1", _("Give at least one date that would work."))
        data["note"] = clean_text(data.get("note", ""))
        return data

    @property
    def dates(self) -> list[date]:
        return [self.cleaned_data[name] for name in self.FIELDS if self.cleaned_data.get(name)]


class SchoolCancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you cancelling?"),
        choices=[(reason.value, reason.label) for reason in SCHOOL_CANCEL_REASONS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you are cancelling."),
                        "invalid_choice": _("Choose why you are cancelling.")},
    )
    text = forms.CharField(label=_("In a few words (needed for “another reason”)"), max_length=250, required=False)
    name = forms.CharField(label=_("Your name"), max_length=200,
                           error_messages={"required": _("Give your name, so that we know who cancelled.")})

    def clean(self) -> dict:
        data = super().clean()
        data["text"] = clean_text(data.get("text", ""))
        data["name"] = clean_text(data.get("name", ""))
        if "name" not in self.errors and not data["name"]:
            self.add_error("name", _("Give your name, so that we know who cancelled."))
        if data.get("reason") == CancelReason.OTHER and not data["text"]:
            self.add_error("text", _("Say in a few words why you are cancelling."))
        return data
