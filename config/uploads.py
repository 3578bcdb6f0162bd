"""Limits on uploaded files, in one place.

Every upload form checks its own limit with `check_size` (the message names the file's size and the
limit). Behind that, `SizeLimitedUploadHandler` stops reading any uploaded file at MAX_UPLOAD_BYTES, so
no request can fill the server's disk, and the form says why the file is missing (`refused_upload`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

MB = 1024 * 1024


def too_large_message(size: int | None, limit: int) -> str:
    if size is None:
        return f"The file is larger than {limit // MB} MB, the most this form accepts."
    return f"The file is {size / MB:.1f} MB; the most this form accepts is {limit // MB} MB."


def check_size(upload, limit: int) -> None:
    if upload.size > limit:
        raise ValidationError(too_large_message(upload.size, limit), code="too_large")


def refused_upload(request: HttpRequest) -> str | None:
    """The message for a file the handler stopped reading, if it did."""
    if getattr(request, "upload_refused", False):
        return too_large_message(None, settings.MAX_UPLOAD_BYTES)
    return None


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: past MAX_UPLOAD_BYTES the file is skipped (read and dropped)."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.MAX_UPLOAD_BYTES:
            if self.request is not None:
                self.request.upload_refused = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
