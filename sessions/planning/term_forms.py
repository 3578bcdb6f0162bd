"""The forms of the term planner: what to plan, and which proposed visits to create."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings

from schools.models import academic_year_label, academic_year_of
from sessions.models import TermDraft, Visit
from sessions.planning.term import plannable_years
from stats.models import Area

MAX_MONTHLY_CAP = 20


def next_term_after(today: date) -> tuple[int, str]:
    """The term a coordinator most likely plans next: the one after the term they are in."""
    year = academic_year_of(today)
    if today.month >= 9:
        return year, "spring"
    if today.month <= 3:
        return year, "summer"
    return year + 1, "autumn"


class TermPlanForm(forms.Form):
    academic_year = forms.TypedChoiceField(
        label="Academic year", coerce=int,
        error_messages={"invalid_choice": "Choose this academic year or the next.",
                        "required": "Choose the academic year."},
    )
    term = forms.ChoiceField(
        label="Term", choices=TermDraft.Term.choices,
        error_messages={"invalid_choice": "Choose the autumn, spring or summer term.", "required": "Choose the term."},
    )
    areas = forms.ModelMultipleChoiceField(
        label="Areas", queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one of your areas.",
                        "invalid_choice": "Tick only your own areas.",
                        "invalid_pk_value": "Tick only your own areas."},
    )
    avoid_weekdays = forms.TypedMultipleChoiceField(
        label="Weekdays to avoid", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(enumerate(Visit.WEEKDAYS)), help_text="None ticked: any weekday.",
        error_messages={"invalid_choice": "Tick weekdays from Monday to Friday only."},
    )
    monthly_cap = forms.IntegerField(
        label="Most visits a month for one volunteer", min_value=1, max_value=MAX_MONTHLY_CAP,
        help_text="Counting the visits they are already booked on that month.",
        error_messages={"required": "Enter the most visits a month for one volunteer, such as 4.",
                        "invalid": "Enter a whole number of visits, such as 4.",
                        "min_value": "Enter at least 1 visit a month.",
                        "max_value": f"Enter at most {MAX_MONTHLY_CAP} visits a month."},
    )

    def __init__(self, *args, areas, today: date, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("monthly_cap", settings.TERM_PLAN_MONTHLY_CAP)
        kwargs["initial"].setdefault("areas", [area.pk for area in areas])
        year, term = next_term_after(today)
        kwargs["initial"].setdefault("academic_year", year)
        kwargs["initial"].setdefault("term", term)
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.filter(pk__in=[area.pk for area in areas]).order_by("name")
        self.fields["academic_year"].choices = [(y, academic_year_label(y)) for y in plannable_years(today)]

    def clean_avoid_weekdays(self) -> list[int]:
        days = sorted(set(self.cleaned_data["avoid_weekdays"]))
        if len(days) == 5:
            raise forms.ValidationError("Leave at least one weekday to visit on.")
        return days


class CreateRowsForm(forms.Form):
    rows = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": "Tick the proposed visits to create.",
                        "invalid_choice": "Tick only visits proposed in this draft that are not made yet."},
    )

    def __init__(self, *args, draft: TermDraft, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rows"].choices = [
            (index, str(index)) for index, row in enumerate(draft.visits) if not row.get("created_visit_id")
        ]
