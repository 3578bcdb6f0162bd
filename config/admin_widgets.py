"""Choosing records by id, made safe against values that are not ids (two Django defects, one place).

1. The admin's autocomplete boxes.
When a form is shown again after a refusal, Django's AutocompleteSelect(Multiple) looks the submitted
values up in the database to show them as chosen; a value that is not an id at all (typed into a crafted
request, e.g. ":" or a thousand nines) made that lookup raise, and the page failed with a server error
instead of showing the form's message. Here the lookup keeps only the values the field can read; the form's
own validation still refuses the bad value with its message.

2. Any multiple choice of records (ModelMultipleChoiceField, e.g. a volunteer's areas): an id too large for
any database column reached the database, which failed (SQLite: OverflowError) instead of the field
saying "not a valid value". Here such an id is refused by the field, with its own message.

Installed once, at start-up (config.apps).
"""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError
from django.forms.models import ModelMultipleChoiceField

_optgroups = AutocompleteMixin.optgroups
_check_values = ModelMultipleChoiceField._check_values
BIGGEST_ID = 2**63 - 1


def _fits(python) -> bool:
    return not isinstance(python, int) or -BIGGEST_ID - 1 <= python <= BIGGEST_ID


def _readable_values(widget, value) -> list:
    remote = widget.field.remote_field
    opts = remote.model._meta
    target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
    readable = []
    for item in value:
        try:
            python = target.to_python(item)
        except (ValidationError, TypeError, ValueError):
            continue
        if not _fits(python):
            continue  # no database column holds it: the lookup itself would fail
        readable.append(item)
    return readable


def optgroups(self, name, value, attr=None):
    return _optgroups(self, name, _readable_values(self, value), attr)


def check_values(self, value):
    key = self.to_field_name or "pk"
    target = self.queryset.model._meta.pk if key == "pk" else self.queryset.model._meta.get_field(key)
    for item in value if isinstance(value, (list, tuple, set, frozenset)) else []:
        try:
            python = target.to_python(item)
        except (ValidationError, TypeError, ValueError):
            continue  # Django's own check refuses it with its message
        if not _fits(python):
            raise ValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(item)[:20] + "…"}
            )
    return _check_values(self, value)


def install() -> None:
    AutocompleteMixin.optgroups = optgroups
    ModelMultipleChoiceField._check_values = check_values
