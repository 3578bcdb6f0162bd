"""The form a coordinator fills in to build a batch of packs."""

from __future__ import annotations

from django import forms

from stats.models import Area

# A batch covers at most this many days (about a school term).
MAX_BATCH_DAYS = 92


class BatchForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label="Police force area", empty_label=None)
    first_date = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    last_date = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, areas: list[Area], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(pk__in=[a.pk for a in areas])

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first_date"), data.get("last_date")
        if first and last:
            if last < first:
                self.add_error("last_date", "The last date cannot be before the first date.")
            elif (last - first).days > MAX_BATCH_DAYS:
                self.add_error("last_date", f"Choose at most {MAX_BATCH_DAYS} days at a time.")
        return data
