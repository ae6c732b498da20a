"""The API's own views: the OpenAPI schema, Swagger UI, and the 404 of unknown paths.

Every endpoint of the domain lives next to its app (``parties/api.py``, ``cases/api.py``,
…); this package only routes to them (``urls.py``) and shapes errors (``errors.py``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.api.errors import error_body
from coordcell.core.rest import IsCellMember, JsonErrorsMixin

__all__ = ["DocsView", "NotFoundView", "SchemaView"]


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under /api/: the standard error body, not an HTML page."""

    permission_classes: list[type] = []

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(error_body("not_found", _("Not found.")), status=404)

    post = put = patch = delete = get


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema, for members of the cell only (like every other endpoint)."""

    permission_classes = [IsCellMember]


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI over the schema, served from local static files, for members only."""

    permission_classes = [IsCellMember]
