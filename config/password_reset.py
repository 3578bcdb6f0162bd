"""Password reset by email, without telling anyone which addresses have accounts.

After "Email me a link" the page is the same, after the same work, whether or not the address has an
account. The web process checks that the mail server answers (for every address alike), then queues one
task holding only the ids of the matching accounts (none for an unknown address); the task worker makes
the one-time link and sends it (config/tasks.py: send_password_reset).

Why through the worker: sending in the request means an SMTP exchange (several round trips to the mail
server) for known addresses only, which times them apart from unknown ones. Why the link is made in the
worker: the queue is a database table, and the one-time link must never be stored — the task holds ids
only, and the link exists only in the email. When the mail server does not answer, the form says so and
nothing is queued: never a false "sent".
"""

from __future__ import annotations

import logging
import smtplib
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
EMAIL_TEMPLATE = "registration/password_reset_email.txt"
MAIL_SERVER_DOWN = (
    "We could not reach our mail server, so no email was sent. Please try again in a few minutes; if it "
    "keeps happening, tell your coordinator."
)


class ResetForm(PasswordResetForm):
    def get_users(self, email: str) -> Iterable:
        """Active accounts with this address, with or without a usable password.

        Django's form skips accounts with an unusable password (meant for logins managed elsewhere); here
        that is every volunteer the admin has just created, and this link is how they set their first
        password. Inactive accounts (and so anonymised leavers) get nothing."""
        User = get_user_model()
        email_field = User.get_email_field_name()
        matches = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        # As Django's form: the same address under Unicode case folding, not only SQL's idea of case.
        return [user for user in matches if _folded(getattr(user, email_field)) == _folded(email)]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def mail_server_answers() -> bool:
    """Whether the mail server accepts a connection now (connects, greets and logs in as the settings say)."""
    connection = mailers.default
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.error("The mail server did not answer: %s", error.__class__.__name__)
        return False
    connection.close()
    return True


def send_reset_links(user_ids: list[int]) -> int:
    """Email each account a fresh one-time link; returns how many were sent. Side effects: sends email.

    Called by the task worker. An account that has since become inactive or lost its address gets none."""
    User = get_user_model()
    email_field = User.get_email_field_name()
    site = urlsplit(settings.SITE_URL)
    sent = 0
    for user in User._default_manager.filter(pk__in=user_ids, is_active=True):
        address = getattr(user, email_field)
        if not address:
            continue
        context = {
            "email": address,
            "domain": site.netloc,
            "site_name": site.netloc,
            "protocol": site.scheme,
            "uid": urlsafe_base64_encode(force_bytes(User._meta.pk.value_to_string(user))),
            "user": user,
            "token": default_token_generator.make_token(user),
        }
        subject = "".join(render_to_string(SUBJECT_TEMPLATE, context).splitlines())
        body = render_to_string(EMAIL_TEMPLATE, context)
        EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
        sent += 1
    return sent
