"""Values from a request read through forms that refuse a NUL character before any field uses it.

PostgreSQL's text cannot hold a NUL character (\\x00): a value with one that reached a query was a server
error (`?q=%00`). Django's CharField refuses NUL, but a ChoiceField, a ModelChoiceField (which looks the
value up in the database before any validator runs) or a DateField does not. So:

- `RefusesNul`, a form mixin: any submitted value holding a NUL — in any field, before the field reads it
  — is refused for that field with `NUL_MESSAGE`. Put it first in the bases:
  `class SchoolSearch(RefusesNul, forms.Form)`, or with a ModelForm.
- `QueryForm`, for query strings (`?q=…&sort=…`): a page still answers when a value is wrong. Build it from
  `request.GET`; `form.value(name)` is the cleaned value, or the field's `initial` when the value was
  missing or refused; `form.problems` are the messages to show ("Nation: …"). E.g.

      class SchoolSearch(QueryForm):
          q = forms.CharField(required=False, max_length=100, strip=True)

      search = SchoolSearch(request.GET)
      schools = School.objects.search(search.value("q"))   # never a NUL, never over 100 characters
      return render(request, template, {"schools": schools, "problems": search.problems})
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

NUL_MESSAGE = "This contains a NUL character (\\x00), which is never valid here: remove it and try again."


def holds_nul(value: object) -> bool:
    """A submitted value (text, or a list of texts for a multiple choice) holding a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        return any(holds_nul(item) for item in value)
    return False


def refuse_nul(value: object) -> None:
    """A validator: raises ValidationError(NUL_MESSAGE) for a value holding a NUL character.

    As a field's validator it runs after the field has read the value (too late for a ModelChoiceField);
    `RefusesNul` runs before."""
    if holds_nul(value):
        raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")


def _refusing_nul(clean: Callable) -> Callable:
    @functools.wraps(clean)
    def clean_without_nul(value, *args, **kwargs):
        refuse_nul(value)
        return clean(value, *args, **kwargs)

    return clean_without_nul


class RefusesNul:
    """A form mixin: a value holding a NUL character is refused for its field, with NUL_MESSAGE, before the
    field reads it (so it never reaches a lookup). Each form instance has its own copy of its fields."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.clean = _refusing_nul(field.clean)


class QueryForm(RefusesNul, forms.Form):
    """A form over a query string that never stops the page: wrong values fall back to the field's initial
    value and are listed in `problems`."""

    def __init__(self, query: QueryDict, **kwargs) -> None:
        super().__init__(query, **kwargs)

    def value(self, name: str) -> object:
        field = self.fields[name]
        self.is_valid()
        value = self.cleaned_data.get(name)
        return field.initial if name in self.errors or value in field.empty_values else value

    @property
    def problems(self) -> list[str]:
        self.is_valid()
        return [f"{self.fields[name].label or name.capitalize()}: {' '.join(errors)}"
                for name, errors in self.errors.items()]
