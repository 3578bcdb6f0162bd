"""`{{ user|person_name }}`: a person named as everywhere else (`sessions.models.person_name`);
`{{ postcode|postcode_district }}`: where a volunteer lives, no closer than their district."""

from django import template

from schools.geography import postcode_district as district_of
from sessions.models import person_name as name_of

register = template.Library()


@register.filter
def person_name(user) -> str:
    return name_of(user) if user else ""


@register.filter
def postcode_district(postcode: str) -> str:
    """`{{ volunteer.postcode|postcode_district }}`: "RG1", never the whole postcode (schools.geography)."""
    return district_of(postcode) or ""
