"""`{{ user|person_name }}`: a person named as everywhere else (`sessions.models.person_name`)."""

from django import template

from sessions.models import person_name as name_of

register = template.Library()


@register.filter
def person_name(user) -> str:
    return name_of(user) if user else ""
