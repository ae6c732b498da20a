"""The economic zone's exports in the API (``docs/economy-exports.md``):

- ``GET /api/v1/economy/exports/iati.xml`` — IATI 2.03 activity XML;
- ``GET /api/v1/economy/exports/projects.hxl.csv`` — the projects, HXL-tagged;
- ``GET /api/v1/economy/exports/pledges.hxl.csv`` — the pledges, HXL-tagged.

``?donors=pseudonyms`` (the default) or ``names``; any other parameter is a 400. Each
holds what the caller reads (``economy.exports.export``, the function the page and the
CLI call), a donor named by ``selectors.donor_name``. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.input import StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin, JsonErrorsMixin
from coordcell.economy import exports

__all__ = ["urlpatterns"]

TAGS = ["economic zone"]


class _Passthrough(BaseRenderer):
    """Passes the export's ready-made bytes through."""

    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


class IatiRenderer(_Passthrough):
    media_type = "application/xml"
    format = "xml"


class CsvRenderer(_Passthrough):
    media_type = "text/csv"
    format = "csv"


class ExportQuerySerializer(StrictSerializer):
    donors = serializers.ChoiceField(
        choices=list(exports.DONOR_MODES),
        required=False,
        default="pseudonyms",
        help_text="pseudonyms (default): a donor is named only if it chose to be; names: as "
        "the caller may name it (the mediator and the donor's own people read its name).",
    )


class _ExportView(JsonErrorsMixin, ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    export_format = ""

    def get(self, request: Request) -> Response:
        query = ExportQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        found = exports.export(self.actor, self.export_format, query.validated_data["donors"])
        return Response(
            found.content,
            content_type=found.media_type,
            headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
        )


_PARAMS = [
    OpenApiParameter("donors", str, enum=list(exports.DONOR_MODES), description="pseudonyms|names")
]


@extend_schema_view(get=extend_schema(operation_id="v1_economy_export_iati"))
@extend_schema(
    tags=TAGS,
    parameters=_PARAMS,
    responses={(200, "application/xml"): OpenApiTypes.STR, **ERRORS},
)
class IatiExportView(_ExportView):
    """The projects the caller reads and their pledges, commitments and disbursements as
    IATI 2.03 activity XML (valid against the IATI 2.03 schema)."""

    renderer_classes = [IatiRenderer]
    export_format = "iati"


@extend_schema_view(get=extend_schema(operation_id="v1_economy_export_projects_hxl"))
@extend_schema(
    tags=TAGS,
    parameters=_PARAMS,
    responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS},
)
class ProjectsHxlView(_ExportView):
    """The projects the caller reads as an HXL-tagged CSV."""

    renderer_classes = [CsvRenderer]
    export_format = "hxl-projects"


@extend_schema_view(get=extend_schema(operation_id="v1_economy_export_pledges_hxl"))
@extend_schema(
    tags=TAGS,
    parameters=_PARAMS,
    responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS},
)
class PledgesHxlView(_ExportView):
    """The pledges the caller reads, with what was committed and disbursed of each, as an
    HXL-tagged CSV."""

    renderer_classes = [CsvRenderer]
    export_format = "hxl-pledges"


urlpatterns: list[URLPattern] = [
    path("economy/exports/iati.xml", IatiExportView.as_view(), name="economy-export-iati"),
    path(
        "economy/exports/projects.hxl.csv",
        ProjectsHxlView.as_view(),
        name="economy-export-projects",
    ),
    path(
        "economy/exports/pledges.hxl.csv",
        PledgesHxlView.as_view(),
        name="economy-export-pledges",
    ),
]
