"""The API of the arrangement: arrangements and versions, clauses, zones and places as
GeoJSON, protocols, and the stateless check of observations against the rules. Reads
come from ``agreements.selectors``; nothing here writes. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import generics, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import (
    clause_coverage,
    engine_for,
    explain,
    explain_finding,
    kind_choices,
    status_label,
)
from coordcell.agreements.models import Arrangement, ArrangementVersion, Clause, Protocol
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.input import GeometryField, StrictSerializer
from coordcell.core.models import localized_now
from coordcell.core.parsers import loads_strict
from coordcell.core.rest import ERRORS, ActorMixin, TooLarge, int_param
from coordcell.interop.assess import CheckSummary, assess_rows
from coordcell.interop.common import InputError
from coordcell.interop.geojson import read_geojson
from coordcell.parties.choices import RoleChoices
from coordcell.rules import taxonomy
from coordcell.rules.engine import Engine, Location

__all__ = [
    "ArrangementViewSet",
    "CheckView",
    "ClauseListView",
    "IncidentKindListView",
    "LocateView",
    "PlaceCollectionView",
    "ProtocolListView",
    "ZoneCollectionView",
    "urlpatterns",
    "version_from_query",
]

TAGS = ["arrangement"]
ARRANGEMENT_PARAM = OpenApiParameter(
    "arrangement", str, description="Arrangement key (default: the one loaded, first by key)."
)
VERSION_PARAM = OpenApiParameter(
    "version", int, description="Version number (default: the current version)."
)


def version_from_query(actor: Actor, request: Request) -> ArrangementVersion:
    """The version named by ``?arrangement=`` and ``?version=`` (default: the current one)."""
    number = int_param(request, "version", None, minimum=None)
    return agreements.get_version(actor, request.query_params.get("arrangement"), number)


@extend_schema_serializer(component_name="ArrangementVersion")
class VersionSerializer(serializers.ModelSerializer[ArrangementVersion]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = ArrangementVersion
        fields = [
            "id",
            "number",
            "title",
            "content_hash",
            "valid_from",
            "valid_until",
            "region_crs",
            "region_bbox",
            "loaded_at",
            "loaded_by",
            "is_current",
        ]


class ArrangementSerializer(serializers.ModelSerializer[Arrangement]):
    id = serializers.CharField(source="key", read_only=True)
    current_version = serializers.SerializerMethodField()
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Arrangement
        fields = ["id", "current_version", "versions"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_version(self, obj: Arrangement) -> int | None:
        current = next((v for v in obj.versions.all() if v.is_current), None)
        return current.number if current else None


class ClauseSerializer(serializers.ModelSerializer[Clause]):
    id = serializers.CharField(source="clause_id", read_only=True)
    arrangement = serializers.CharField(source="version.arrangement.key", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    title = serializers.CharField(read_only=True)
    zones = serializers.ListField(source="zone_ids", child=serializers.CharField())
    parties = serializers.ListField(source="party_codes", child=serializers.CharField())

    class Meta:
        model = Clause
        fields = [
            "id",
            "arrangement",
            "version",
            "kind",
            "title",
            "titles",
            "text",
            "text_translations",
            "text_unofficial",
            "source",
            "zones",
            "parties",
            "prohibited",
            "limits",
            "parameters",
            "effective_from",
            "effective_until",
            "amends",
            "status",
            "disputed_by",
        ]


class ProtocolSerializer(serializers.ModelSerializer[Protocol]):
    id = serializers.CharField(source="protocol_id", read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Protocol
        fields = [
            "id",
            "serves",
            "title",
            "titles",
            "acknowledge_within_hours",
            "answer_within_hours",
            "verification_within_hours",
            "ladder",
            "comms_check_answer_minutes",
        ]


@extend_schema(tags=TAGS, responses={200: ArrangementSerializer, **ERRORS})
class ArrangementViewSet(ActorMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Arrangements and their versions. Versions are immutable once loaded."""

    serializer_class = ArrangementSerializer
    lookup_field = "key"

    def get_queryset(self) -> Any:
        return agreements.list_arrangements(self.actor)

    def get_object(self) -> Arrangement:
        return agreements.get_arrangement(self.actor, self.kwargs["key"])


@extend_schema(
    tags=TAGS,
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={200: ClauseSerializer(many=True), **ERRORS},
)
class ClauseListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The clauses of a version (default: the current one), in the arrangement's order."""

    serializer_class = ClauseSerializer

    def get_queryset(self) -> Any:
        return agreements.list_clauses(self.actor, version_from_query(self.actor, self.request))


@extend_schema(
    tags=TAGS,
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={200: ProtocolSerializer(many=True), **ERRORS},
)
class ProtocolListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The protocols of a version: reply deadlines and escalation ladders."""

    serializer_class = ProtocolSerializer

    def get_queryset(self) -> Any:
        return agreements.list_protocols(self.actor, version_from_query(self.actor, self.request))


GEOJSON = inline_serializer(
    "FeatureCollection",
    {
        "type": serializers.CharField(),
        "features": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema(
    tags=TAGS,
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={(200, "application/geo+json"): GEOJSON, **ERRORS},
)
class ZoneCollectionView(ActorMixin, APIView):
    """The zones of a version as an RFC 7946 GeoJSON FeatureCollection, all of them (a
    version's zones are bounded by its scenario; the map draws them at once).

    Each feature's ``id`` is the scenario's zone id; ``properties.clauses`` lists the
    clauses citing the zone with their prohibited activities and limits.
    """

    def get(self, request: Request) -> Response:
        version = version_from_query(self.actor, request)
        body = agreements.zones_feature_collection(self.actor, version)
        return Response(body, content_type="application/geo+json")


class IncidentKindSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")
    declared = serializers.BooleanField(
        help_text="True for a kind the arrangement declares, false for a built-in one."
    )
    implies = serializers.ListField(child=serializers.CharField())
    may_imply = serializers.ListField(child=serializers.CharField())
    acled = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    ucdp = serializers.ListField(child=serializers.IntegerField())


class IncidentKindsSerializer(serializers.Serializer[Any]):
    arrangement = serializers.CharField()
    version = serializers.IntegerField()
    kinds = IncidentKindSerializer(many=True)


@extend_schema(
    tags=TAGS,
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={200: IncidentKindsSerializer, **ERRORS},
)
class IncidentKindListView(ActorMixin, APIView):
    """The incident kinds a report may have under a version: the built-in ones and those
    its arrangement declares (``[[incident_kinds]]``), in order, named in the request's
    language, with the activities each implies and, for a declared kind, where ACLED and
    UCDP file such events. What ``kind`` of an incident accepts. One object (the version
    and ``kinds``), bounded by the scenario, so not paged."""

    def get(self, request: Request) -> Response:
        version = version_from_query(self.actor, request)
        engine = engine_for(version)
        declared = engine.declared_kinds
        body = []
        for code, name in kind_choices(engine):
            spec = declared.get(code)
            if spec is None:
                acled = [list(p) for p, k in taxonomy.ACLED_MAPPING.items() if k == code]
                ucdp = [c for c, k in taxonomy.UCDP_MAPPING.items() if k == code]
                implies = sorted(taxonomy.activities(code))
                may_imply = sorted(taxonomy.possible_activities(code))
            else:
                acled = [list(p) for p in spec.acled]
                ucdp = list(spec.ucdp)
                implies, may_imply = list(spec.implies), list(spec.may_imply)
            body.append(
                {
                    "code": code,
                    "name": name,
                    "declared": spec is not None,
                    "implies": implies,
                    "may_imply": may_imply,
                    "acled": acled,
                    "ucdp": ucdp,
                }
            )
        # One object, not a list: bounded by the scenario (like the zones), not paged.
        return Response(
            {"arrangement": version.arrangement.key, "version": version.number, "kinds": body}
        )


@extend_schema(
    tags=TAGS,
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={(200, "application/geo+json"): GEOJSON, **ERRORS},
)
class PlaceCollectionView(ActorMixin, APIView):
    """The scenario's places as a FeatureCollection, all of them (bounded by the scenario);
    unknown coordinates give a null geometry."""

    def get(self, request: Request) -> Response:
        version = version_from_query(self.actor, request)
        body = agreements.places_feature_collection(self.actor, version)
        return Response(body, content_type="application/geo+json")


# --- the check ---------------------------------------------------------------------------

#: Roles that may use the check endpoint.
CHECK_ROLES = (RoleChoices.ANALYST, RoleChoices.MONITOR)


def _localize(record: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """Replace the English explanations with the request language's."""
    for finding in record["findings"]:
        finding["message"] = explain_finding(finding, engine)
    for finding in record.get("findings_not_agreed", []):
        finding["message"] = explain_finding(finding, engine)
        finding["label"] = status_label(finding, engine)
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
                "clauses": serializers.DictField(),
                "features": serializers.ListField(child=serializers.DictField()),
            },
        )
    },
)
class CheckView(ActorMixin, APIView):
    """Assess observations (a GeoJSON FeatureCollection) against the arrangement.

    Stateless: nothing is stored and nothing is recorded. For analysts and monitors.
    Each feature has ``properties.kind`` (an incident kind), ``properties.time`` (ISO
    8601) and optionally ``properties.uncertainty_m``. The answer has one feature per
    input feature, in order, with its zones, distances to the lines, findings and
    problems, or the reason it was rejected. At most ``COORDCELL_CHECK_MAX_FEATURES``
    features and ``COORDCELL_CHECK_MAX_BYTES`` bytes per request (413 above).
    """

    parser_classes: list[type] = []

    def post(self, request: Request) -> Response:
        actor = self.actor
        if not any(actor.has_role(role) for role in CHECK_ROLES):
            raise PermissionDenied()
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.CHECK_MAX_BYTES:
            raise TooLarge(
                _("The request is larger than %(limit)s bytes; send fewer features per request.")
                % {"limit": settings.CHECK_MAX_BYTES}
            )
        body = request._request.read(settings.CHECK_MAX_BYTES + 1)
        if len(body) > settings.CHECK_MAX_BYTES:
            raise TooLarge(_("The request is too large."))
        version = version_from_query(actor, request)
        engine = engine_for(version)
        summary = CheckSummary()
        try:
            items = list(read_geojson(io.BytesIO(body), kinds=engine.declared_kinds))
        except InputError as exc:
            raise ValidationFailed({"": [str(exc)]}) from None
        loads_strict(body)  # readable GeoJSON: now the API's limits on any JSON body
        if len(items) > settings.CHECK_MAX_FEATURES:
            raise TooLarge(
                _("At most %(limit)s features per request.")
                % {"limit": settings.CHECK_MAX_FEATURES}
            )
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
                "findings_not_agreed": sum(summary.findings_not_agreed.values()),
            },
            "clauses": clause_coverage(engine),
            "features": features,
        })  # fmt: skip


# --- where a place falls ------------------------------------------------------------------


class LocateInSerializer(StrictSerializer):
    geometry = GeometryField()
    uncertainty_m = serializers.FloatField(default=0, min_value=0, max_value=1_000_000)


class LocatedZoneSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


def _named(engine: Engine, ids: tuple[str, ...]) -> list[dict[str, str]]:
    zones = {z.id: z for z in engine.arrangement.zones}
    return [
        {"id": i, "name": localized_now(dict(zones[i].name)), "kind": zones[i].kind} for i in ids
    ]


def located_summary(engine: Engine, location: Location) -> str:
    """One sentence or a few, in the request's language, saying where the place falls."""
    if location.problems:
        return " ".join(explain(p.code, p.params, engine) for p in location.problems)
    sep = _("; ")  # zone names may hold commas
    parts = []
    if location.zones:
        names = sep.join(z["name"] for z in _named(engine, location.zones))
        parts.append(_("In: %(zones)s.") % {"zones": names})
    if location.possible_zones:
        names = sep.join(z["name"] for z in _named(engine, location.possible_zones))
        parts.append(
            _("Possibly in, within the location's uncertainty: %(zones)s.") % {"zones": names}
        )
    if location.crossed_lines:
        names = sep.join(z["name"] for z in _named(engine, location.crossed_lines))
        parts.append(_("Crosses: %(lines)s.") % {"lines": names})
    return " ".join(parts) or _("In no zone of the arrangement.")


@extend_schema(
    tags=["rules"],
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    request=LocateInSerializer,
    responses={
        200: inline_serializer(
            "LocateResponse",
            {
                "arrangement": serializers.DictField(),
                "zones": LocatedZoneSerializer(many=True),
                "possible_zones": LocatedZoneSerializer(many=True),
                "crossed_lines": LocatedZoneSerializer(many=True),
                "problems": serializers.ListField(child=serializers.DictField()),
                "summary": serializers.CharField(),
            },
        ),
        **ERRORS,
    },
)
class LocateView(ActorMixin, APIView):
    """Where a place falls: the zones a geometry is in, those it is only possibly in
    within its ``uncertainty_m``, and the lines a path or an area crosses, with their
    names in the request's language and a ``summary`` sentence. For every member (the
    zones are the arrangement's, which every member reads); stateless: nothing is
    stored or recorded. The lodge form calls it while the author draws the place.

    The geometry is checked like every geometry of the API (400 when malformed); a place
    outside the arrangement's region is a 200 whose ``problems`` say so.
    """

    def post(self, request: Request) -> Response:
        form = LocateInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = version_from_query(self.actor, request)
        engine = engine_for(version)
        location = engine.locate(
            form.validated_data["geometry"], form.validated_data["uncertainty_m"]
        )
        return Response({
            "arrangement": {"key": version.arrangement.key, "version": version.number},
            "zones": _named(engine, location.zones),
            "possible_zones": _named(engine, location.possible_zones),
            "crossed_lines": _named(engine, location.crossed_lines),
            "problems": [
                {"code": p.code, "message": explain(p.code, p.params, engine)}
                for p in location.problems
            ],
            "summary": located_summary(engine, location),
        })  # fmt: skip


_router = SimpleRouter(trailing_slash=True)
_router.register("arrangements", ArrangementViewSet, basename="arrangement")

#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(_router.urls)),
    path("clauses/", ClauseListView.as_view(), name="clauses"),
    path("zones/", ZoneCollectionView.as_view(), name="zones"),
    path("places/", PlaceCollectionView.as_view(), name="places"),
    path("incident-kinds/", IncidentKindListView.as_view(), name="incident-kinds"),
    path("protocols/", ProtocolListView.as_view(), name="protocols"),
    path("check", CheckView.as_view(), name="check"),
    path("locate", LocateView.as_view(), name="locate"),
]
