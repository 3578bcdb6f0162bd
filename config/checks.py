"""System checks for settings that would otherwise fail only when first used.

`manage.py check` runs them, and so do `migrate` and `runserver`; `make serve` migrates before it starts
gunicorn and the worker, so a sender address Django cannot send from stops it with the reason instead of
every email failing later in the task worker (where a user never sees it).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.mail.backends.smtp import EmailBackend

SENDER_SETTINGS = ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL")
SENDER_HINT = (
    'Give one address, in ASCII before the @, with any display name in double quotes when it has full stops '
    'or commas, e.g. DEFAULT_FROM_EMAIL=\'"Speak Out. Stay Safe." <speakout@example.org>\'.'
)


def smtp_refusal(address: str) -> str | None:
    """Why Django's SMTP backend would refuse to send from `address`, or None if it would send.

    Asks the backend itself (its `prep_address`, which every send goes through) rather than copying its rules.
    Creating the backend opens no connection."""
    backend = EmailBackend(alias="sender-check", host="localhost")
    try:
        backend.prep_address(address)
    except ValueError as refusal:
        return str(refusal)
    return None


@checks.register("email")
def check_sender_addresses(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for name in SENDER_SETTINGS:
        address = getattr(settings, name, None)
        if address is None:
            continue
        refusal = smtp_refusal(address)
        if refusal is not None:
            errors.append(checks.Error(
                f"{name} {address!r} cannot be sent from by Django's SMTP backend: {refusal}",
                hint=SENDER_HINT,
                id="config.E001",
            ))
    return errors
