"""Path converters for the parts of an address a view looks up: an ONS code, a calendar feed's token.

A path part that cannot be one never reaches a view, and so never the database: PostgreSQL's text cannot
hold a NUL character, and `/stats/%00/` or `/calendar/%00.ics` were server errors there. Registered by
`ConfigConfig.ready()`, before any URLconf is read; used as `<ons_code:code>` and `<feed_token:token>`.
"""

from __future__ import annotations

from django.urls import register_converter

# A GSS code as the ONS writes it: a capital letter and eight digits (E23000029, K02000001). Area.code is
# validated against the same pattern, so every area held has an address.
ONS_CODE = r"[A-Z][0-9]{8}"
# secrets.token_urlsafe's alphabet, at most as long as the column holding the token.
FEED_TOKEN = r"[A-Za-z0-9_-]{1,64}"


class OnsCodeConverter:
    regex = ONS_CODE

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FeedTokenConverter(OnsCodeConverter):
    regex = FEED_TOKEN


def register() -> None:
    register_converter(OnsCodeConverter, "ons_code")
    register_converter(FeedTokenConverter, "feed_token")
