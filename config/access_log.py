"""Who looked at sensitive data: session packs, schools' safeguarding contacts, volunteers' records.

One line per access on the `speakout.access` logger: the user's id, the action, the object's model and
id, and the route. Never a name, email address, phone number or DBS number: the ids are enough to find
the records, and the log can be kept and shared without becoming a copy of them.
"""

from __future__ import annotations

import logging

from django.db import models
from django.http import HttpRequest

from config.logging import route_of

logger = logging.getLogger("speakout.access")


def log_access(request: HttpRequest, obj: models.Model, action: str) -> None:
    route, _ = route_of(request)  # the route's name, never the path (which may hold a token)
    user_id = request.user.pk if request.user.is_authenticated else None
    logger.info(
        "user=%s action=%s object=%s:%s route=%s",
        user_id, action, obj._meta.label_lower, obj.pk, route,
        extra={"user_id": user_id, "action": action, "object": obj._meta.label_lower, "object_id": obj.pk,
               "route": route},
    )


class AccessLoggedAdmin:
    """A ModelAdmin mixin: opening a record's change page in the admin is logged."""

    access_action = "admin_view"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original") if hasattr(response, "context_data") else None
        if obj is not None and response.status_code == 200:
            log_access(request, obj, self.access_action)
        return response
