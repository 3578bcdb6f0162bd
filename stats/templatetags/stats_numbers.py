from django import template

register = template.Library()


@register.filter
def figure(value: int | None) -> str:
    """A count with thousands separated by commas, as the sources print it: 64,667."""
    return "" if value is None else f"{value:,}"
