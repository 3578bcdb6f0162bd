"""The admin's history pages (django-simple-history) for the models whose every change is kept.

simple-history's own views look the id in the address up as it is, so a value that is not an id
(`…/school/83/change/history/`, `…/history/abc/`) reached the database and was a server error; here it is
a 404, as for any other record that is not there. Reverting is off (SIMPLE_HISTORY_REVERT_DISABLED): the
history is a record, and a revert would bypass the forms' rules.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


def _id_or_404(field: models.Field, value: str) -> None:
    try:
        field.to_python(unquote(value))
    except ValidationError:
        raise Http404("No such record.") from None


class HistoryAdmin(SimpleHistoryAdmin):
    def history_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        _id_or_404(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        _id_or_404(self.model._meta.pk, object_id)
        _id_or_404(self.model.history.model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
