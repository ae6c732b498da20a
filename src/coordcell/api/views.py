"""The API's own views: the OpenAPI schema, Swagger UI, and the 404 of unknown paths.

Every endpoint of the domain lives next to its app (``parties/api.py``, ``cases/api.py``,
…); this package only routes to them (``urls.py``) and shapes errors (``errors.py``).
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
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


#: The generated schema per (language, API version). It depends on the code alone — every
#: member reads the same document — and generating it costs a third of a second of CPU and
#: some fifty queries, which a member reloading the docs should not make the server redo.
_SCHEMAS: dict[tuple[str | None, str | None], dict[str, Any]] = {}
_SCHEMAS_LOCK = threading.Lock()
#: Each schema as rendered (YAML or JSON), with its Content-Type: rendering the YAML costs
#: more than a tenth of a second of CPU, and the document is the same for every reader.
_RENDERED: dict[tuple[Any, ...], tuple[str, bytes]] = {}


class _RenderedOnce(Response):
    """A schema's response, rendered once per schema, renderer and accepted media type."""

    def __init__(self, key: tuple[str | None, str | None] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._schema_key = key

    @property
    def rendered_content(self) -> Any:  # bytes (DRF's stubs: Any; Django's: str)
        if self._schema_key is None or ";" in self.accepted_media_type:
            # An unlisted language or version, or a media type with parameters (which the
            # client chooses freely): rendered, not kept, so no request grows the cache.
            return super().rendered_content
        key = (*self._schema_key, type(self.accepted_renderer), self.accepted_media_type)
        with _SCHEMAS_LOCK:
            rendered = _RENDERED.get(key)
        if rendered is None:
            body = super().rendered_content
            rendered = (self["Content-Type"], body)
            with _SCHEMAS_LOCK:
                _RENDERED[key] = rendered
        else:
            self["Content-Type"] = rendered[0]
        return rendered[1]


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema, for members of the cell only (like every other endpoint),
    generated and rendered once per language and version in each process."""

    permission_classes = [IsCellMember]

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)  # type: ignore[no-untyped-call]
        key = (translation.get_language(), version)
        # Only the site's languages and its own version are kept: ``?lang=`` and
        # ``?version=`` take any value, and each new one must not grow the cache.
        kept = key[0] in {code for code, _name in settings.LANGUAGES} and version in (
            None,
            settings.SPECTACULAR_SETTINGS.get("VERSION"),
        )
        with _SCHEMAS_LOCK:
            schema = _SCHEMAS.get(key) if kept else None
            if schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                schema = generator.get_schema(  # type: ignore[no-untyped-call]
                    request=request, public=True
                )
                if kept:
                    _SCHEMAS[key] = schema
        filename = self._get_filename(request, version)  # type: ignore[no-untyped-call]
        return _RenderedOnce(
            key if kept else None,
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI over the schema, served from local static files, for members only."""

    permission_classes = [IsCellMember]

    # A plain response, not DRF's: no renderer is involved.
    def options(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """What the page allows, with no body: DRF's metadata answer (a ``Response``) would
        go through the page's HTML renderer, which has no template for it (a 500)."""
        response = HttpResponse(status=204)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
