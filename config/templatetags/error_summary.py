"""`{% error_summary form formset school="school-search" %}`: GOV.UK's error summary, a box at the top of
a form that failed, listing every problem with a link to its field (static/js/forms.js focuses it).

Each link goes to the field's input: the first box of a group of radios or checkboxes, none for a hidden
field; a keyword names another element for a field (the visit form's school is found by a search box).
A formset's lines are named "Session 1: …" by `line_name`.
"""

from __future__ import annotations

from django import forms, template

register = template.Library()


def _target(field: forms.BoundField, overrides: dict[str, str]) -> str:
    if field.name in overrides:
        return overrides[field.name]
    if field.is_hidden:
        return ""
    if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{field.auto_id}_0"
    return field.auto_id or ""


def _form_errors(form: forms.BaseForm, overrides: dict[str, str], prefix: str = "") -> list[dict]:
    """The form's problems in page order: errors about the whole form go where their link points (the
    `nonfield` keyword), or first."""
    target = overrides.get("nonfield", "")
    whole = [{"message": f"{prefix}{message}", "target": target} for message in form.non_field_errors()]
    found: list[dict] = []
    for field in form:
        if whole and target and _target(field, overrides) == target:
            found, whole = found + whole, []
        found += [{"message": f"{prefix}{message}", "target": _target(field, overrides)} for message in field.errors]
    return whole + found


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_and_formsets, line_name: str = "Session", **overrides: str) -> dict:
    errors: list[dict] = []
    for item in forms_and_formsets:
        if item is None or not item.is_bound:
            continue
        if isinstance(item, forms.BaseFormSet):
            first = item.forms[0][next(iter(item.forms[0].fields))].auto_id if item.forms else ""
            errors += [{"message": message, "target": first} for message in item.non_form_errors()]
            for number, line in enumerate(item.forms, start=1):
                errors += _form_errors(line, {}, prefix=f"{line_name} {number}: ")
        else:
            errors += _form_errors(item, overrides)
    return {"errors": errors}
