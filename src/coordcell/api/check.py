"""``POST /api/v1/check``: assess GeoJSON features against the current arrangement.

Stateless: nothing is stored and nothing is recorded. For analysts and monitors.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.agreements.engines import engine_for, explain
from coordcell.api.errors import error_body
from coordcell.api.parsers import loads_strict
from coordcell.api.views import version_from_query
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.http import actor_for
from coordcell.interop.assess import CheckSummary, assess_rows
from coordcell.interop.common import InputError
from coordcell.interop.geojson import read_geojson
from coordcell.parties.choices import RoleChoices
from coordcell.rules.engine import Engine

#: Roles that may use the check endpoint.
CHECK_ROLES = (RoleChoices.ANALYST, RoleChoices.MONITOR)


def _localize(record: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """Replace the English explanations with the request language's."""
    for finding in record["findings"]:
        finding["message"] = explain(finding["message_id"], finding["params"], engine)
    for problem in record["problems"]:
        problem["message"] = explain(problem["code"], problem["params"], engine)
    return record


@extend_schema(
    tags=["rules"],
    parameters=[OpenApiParameter("arrangement", str), OpenApiParameter("version", int)],
    request=inline_serializer(
        "CheckRequest",
        {
            "type": serializers.CharField(),
            "features": serializers.ListField(child=serializers.DictField()),
        },
    ),
    responses={
        200: inline_serializer(
            "CheckResponse",
            {
                "type": serializers.CharField(),
                "arrangement": serializers.DictField(),
                "summary": serializers.DictField(),
                "features": serializers.ListField(child=serializers.DictField()),
            },
        )
    },
)
class CheckView(APIView):
    """Assess observations (a GeoJSON FeatureCollection) against the arrangement.

    Each feature has ``properties.kind`` (an incident kind), ``properties.time`` (ISO
    8601) and optionally ``properties.uncertainty_m``. The answer has one feature per
    input feature, in order, with its zones, distances to the lines, findings and
    problems, or the reason it was rejected. At most ``COORDCELL_CHECK_MAX_FEATURES``
    features and ``COORDCELL_CHECK_MAX_BYTES`` bytes per request (413 above).
    """

    parser_classes: list[type] = []

    def post(self, request: Request) -> Response:
        actor = actor_for(request)
        if not any(actor.has_role(role) for role in CHECK_ROLES):
            raise PermissionDenied()
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.CHECK_MAX_BYTES:
            return Response(error_body(
                "too_large",
                _("The request is larger than %(limit)s bytes; send fewer features per request.")
                % {"limit": settings.CHECK_MAX_BYTES},
            ), status=413)  # fmt: skip
        body = request._request.read(settings.CHECK_MAX_BYTES + 1)
        if len(body) > settings.CHECK_MAX_BYTES:
            return Response(error_body("too_large", _("The request is too large.")), status=413)
        version = version_from_query(request)
        engine = engine_for(version)
        summary = CheckSummary()
        try:
            items = list(read_geojson(io.BytesIO(body)))
        except InputError as exc:
            raise ValidationFailed({"": [str(exc)]}) from None
        loads_strict(body)  # readable GeoJSON: now the API's limits on any JSON body
        if len(items) > settings.CHECK_MAX_FEATURES:
            return Response(error_body(
                "too_large",
                _("At most %(limit)s features per request.")
                % {"limit": settings.CHECK_MAX_FEATURES},
            ), status=413)  # fmt: skip
        features = []
        for record in assess_rows(engine, items, summary):
            record = _localize(record, engine)
            geometry = record.pop("geometry")
            features.append(
                {
                    "type": "Feature",
                    "id": record["source_id"] or None,
                    "geometry": geometry,
                    "properties": record,
                }
            )
        return Response({
            "type": "FeatureCollection",
            "arrangement": {"key": version.arrangement.key, "version": version.number,
                            "content_hash": version.content_hash},
            "summary": {
                "read": summary.report.read, "accepted": summary.report.accepted,
                "rejected": summary.report.rejected, "assessed": summary.assessed,
                "findings": sum(summary.findings.values()),
            },
            "features": features,
        })  # fmt: skip
