"""One error shape for every API response that is not a success.

``{"error": {"code": "not_found", "message": "Not found.", "fields": {"name": ["…"]}}}``

``code`` is stable and machine-readable; ``message`` is translated; ``fields`` appears
for invalid input and maps each field ("" for the request as a whole) to messages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from coordcell.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

__all__ = ["error_body", "exception_handler"]

_STATUS = {NotFound: 404, PermissionDenied: 403, ValidationFailed: 400, Conflict: 409}


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            return {prefix: [str(d) for d in detail]}
        out = {}
        for i, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}[{i}]"))
        return out
    return {prefix: [str(detail)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Translate domain and DRF errors into the single documented shape."""
    if isinstance(exc, DomainError):
        code = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
        fields = exc.fields if isinstance(exc, ValidationFailed) else None
        return Response(error_body(exc.code, str(exc.message), fields), status=code)
    if isinstance(exc, RequestDataTooBig):  # Django refused the body before reading it
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("The request body is larger than %(limit)s bytes.") % {"limit": limit}
        return Response(error_body("too_large", message), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("The input is invalid."), _flatten(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _("Request refused.")
        codes = exc.get_codes()
        response.data = error_body(codes if isinstance(codes, str) else "error", message)
    if response.status_code == status.HTTP_404_NOT_FOUND:
        # Hidden and missing must look the same: one fixed body for every 404.
        response.data = error_body("not_found", _("Not found."))
    return response
