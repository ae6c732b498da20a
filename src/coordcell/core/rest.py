"""API plumbing every app's ``api.py`` shares: who may call the API, how lists page, the
error shape as the schema documents it, and small helpers for generic views and filters.

It sits in ``core`` so that an app's API module can use it without importing the ``api``
package, which routes to every app and therefore sits above them all. (The exception
handler that *produces* the error shape is ``api.errors``; it is wired in the settings.)
"""

from __future__ import annotations

from typing import Any, overload

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.actor import Actor
from coordcell.core.errors import ValidationFailed
from coordcell.core.http import actor_for

__all__ = [
    "ERROR",
    "ERRORS",
    "ActorMixin",
    "FlagFilter",
    "IsCellMember",
    "JsonErrorsMixin",
    "Pagination",
    "TooLarge",
    "int_param",
]


class IsCellMember(BasePermission):
    """Authenticated, active, and holding an active membership in some delegation."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return actor_for(request).is_member


class Pagination(PageNumberPagination):
    """The one envelope of every list: ``{"count", "next", "previous", "results"}``.

    ``?page=N`` from 1 (a page that does not exist is the usual 404); ``?page_size=N``
    from 1, default 100, at most ``COORDCELL_API_MAX_PAGE_SIZE`` (a larger one is served
    at the maximum, and ``next`` says that more follow). A ``page_size`` that is not a
    whole number of at least 1 is ``invalid``.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationFailed({"page_size": [_("Enter a whole number of at least 1.")]})
        return min(size, self.max_page_size)


class ActorMixin:
    """``self.actor``: the caller of a DRF view, resolved once per request."""

    @property
    def actor(self) -> Actor:
        return actor_for(self.request)  # type: ignore[attr-defined]


class JsonErrorsMixin:
    """Errors in the API's JSON shape, whatever the view renders on success (YAML, XML, HTML)."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        final: Response = super().finalize_response(  # type: ignore[misc]
            request, response, *args, **kwargs
        )
        return final


class TooLarge(exceptions.APIException):
    """413 ``too_large``: the request is larger than a documented limit."""

    status_code = 413
    default_code = "too_large"
    default_detail = gettext_lazy("The request is too large.")


@overload
def int_param(
    request: Request,
    name: str,
    default: int,
    maximum: int | None = None,
    minimum: int | None = 0,
) -> int: ...


@overload
def int_param(
    request: Request,
    name: str,
    default: None,
    maximum: int | None = None,
    minimum: int | None = 0,
) -> int | None: ...


def int_param(
    request: Request,
    name: str,
    default: int | None,
    maximum: int | None = None,
    minimum: int | None = 0,
) -> int | None:
    """A whole-number query parameter, ``default`` when absent; ``invalid`` when it is not
    a whole number or lies outside ``minimum``..``maximum`` (``None``: no bound)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({name: [_("Enter a whole number.")]}) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValidationFailed({name: [_("Out of range.")]})
    return value


_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class _FlagField(forms.CharField):
    def clean(self, value: Any) -> bool | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        flag = _FLAGS.get(str(value).lower())
        if flag is None:
            raise forms.ValidationError(_("Enter 1, true or yes; or 0, false or no."))
        return flag


class FlagFilter(django_filters.BooleanFilter):  # type: ignore[misc]
    """A yes/no filter that takes ``1``/``true``/``yes`` and ``0``/``false``/``no``.

    What "yes" selects is the ``method``'s business; "no" (or absence) filters nothing
    unless the method says otherwise.
    """

    field_class = _FlagField


def _error_schema() -> Any:
    return inline_serializer(
        "Error",
        {
            "error": inline_serializer(
                "ErrorBody",
                {
                    "code": serializers.CharField(),
                    "message": serializers.CharField(),
                    "fields": serializers.DictField(
                        child=serializers.ListField(child=serializers.CharField()),
                        required=False,
                    ),
                },
            )
        },
    )


#: The error shape, for ``extend_schema(responses=…)``.
ERROR = _error_schema()
ERRORS = {400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR}
