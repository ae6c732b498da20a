"""The API's views: thin adapters from HTTP to selectors (reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.accounts.models import User
from coordcell.agreements import selectors as agreements
from coordcell.api import serializers as s
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.http import actor_for
from coordcell.core.rest import IsCellMember
from coordcell.parties import selectors as parties
from coordcell.parties import services as party_services

ARRANGEMENT_PARAM = OpenApiParameter(
    "arrangement", str, description="Arrangement key (default: the one loaded, first by key)."
)
VERSION_PARAM = OpenApiParameter(
    "version", int, description="Version number (default: the current version)."
)
ERROR = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()), required=False
                ),
            },
        )
    },
)
ERRORS = {400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR}


def version_from_query(request: Request) -> Any:
    raw = request.query_params.get("version")
    number = None
    if raw not in (None, ""):
        try:
            number = int(raw)
        except ValueError:
            raise ValidationFailed({"version": [_("Enter a whole number.")]}) from None
    return agreements.get_version(
        actor_for(request), request.query_params.get("arrangement"), number
    )


@extend_schema(tags=["parties"], responses={200: s.PartySerializer, **ERRORS})
class PartyViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Parties to the arrangement, the mediator, monitors, donors and observers.

    A donor's identity is confidential: other parties do not see it at all.
    """

    serializer_class = s.PartySerializer
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return parties.list_parties(actor_for(self.request))


@extend_schema(tags=["parties"], responses={**ERRORS})
class DelegationViewSet(viewsets.ViewSet):
    """Delegations and their members. Cell administrators create and change them."""

    lookup_field = "id"

    @extend_schema(responses={200: s.DelegationSerializer(many=True)})
    def list(self, request: Request) -> Response:
        items = parties.list_delegations(actor_for(request))
        return Response(s.DelegationSerializer(items, many=True).data)

    @extend_schema(responses={200: s.DelegationSerializer, **ERRORS})
    def retrieve(self, request: Request, id: str) -> Response:
        delegation = parties.access_delegation(actor_for(request), id)
        return Response(s.DelegationSerializer(delegation).data)

    @extend_schema(
        request=s.DelegationCreateSerializer, responses={201: s.DelegationSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        actor = actor_for(request)
        form = s.DelegationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        party = parties.access_party(actor, form.validated_data["party"])
        delegation = party_services.create_delegation(
            actor=actor, party=party, names=form.validated_data["names"]
        )
        return Response(s.DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.DelegationUpdateSerializer, responses={200: s.DelegationSerializer, **ERRORS}
    )
    def update(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        delegation = parties.access_delegation(actor, id)
        form = s.DelegationUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        delegation = party_services.update_delegation(
            actor=actor, delegation=delegation, **form.validated_data
        )
        return Response(s.DelegationSerializer(delegation).data)

    @extend_schema(responses={200: s.MembershipSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"])
    def members(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        delegation = parties.access_delegation(actor, id)
        items = parties.list_members(actor, delegation)
        return Response(s.MembershipSerializer(items, many=True).data)

    @extend_schema(request=s.MemberAddSerializer, responses={201: s.MembershipSerializer, **ERRORS})
    @members.mapping.post
    def add_member(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        delegation = parties.access_delegation(actor, id)
        # Refuse before looking the user name up: otherwise anyone who may see the
        # delegation could tell existing accounts (403) from missing ones (400).
        if not parties.may_manage(actor, delegation):
            raise PermissionDenied()
        form = s.MemberAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = User.objects.filter(
            username__iexact=form.validated_data["username"], is_active=True
        ).first()
        if user is None:
            raise ValidationFailed({"username": [_("No active account has this user name.")]})
        membership = party_services.add_member(
            actor=actor, delegation=delegation, user=user, role=form.validated_data["role"]
        )
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["parties"])
class MembershipEndView(APIView):
    """End a membership (the person keeps their account; the role ends)."""

    @extend_schema(request=None, responses={200: s.MembershipSerializer, **ERRORS})
    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        membership = parties.access_membership(actor, id)
        membership = party_services.end_membership(actor=actor, membership=membership)
        return Response(s.MembershipSerializer(membership).data)


@extend_schema(tags=["arrangement"], responses={200: s.ArrangementSerializer, **ERRORS})
class ArrangementViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Arrangements and their versions. Versions are immutable once loaded."""

    serializer_class = s.ArrangementSerializer
    lookup_field = "key"

    def get_queryset(self) -> Any:
        return agreements.list_arrangements(actor_for(self.request))


@extend_schema(
    tags=["arrangement"],
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={200: s.ClauseSerializer(many=True), **ERRORS},
)
class ClauseListView(APIView):
    """The clauses of a version (default: the current one), in the arrangement's order."""

    def get(self, request: Request) -> Response:
        version = version_from_query(request)
        clauses = agreements.list_clauses(actor_for(request), version)
        return Response(s.ClauseSerializer(clauses, many=True).data)


GEOJSON = inline_serializer(
    "FeatureCollection",
    {
        "type": serializers.CharField(),
        "features": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema(
    tags=["arrangement"],
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={(200, "application/geo+json"): GEOJSON, **ERRORS},
)
class ZoneCollectionView(APIView):
    """The zones of a version as an RFC 7946 GeoJSON FeatureCollection.

    Each feature's ``id`` is the scenario's zone id; ``properties.clauses`` lists the
    clauses citing the zone with their prohibited activities and limits.
    """

    def get(self, request: Request) -> Response:
        version = version_from_query(request)
        body = agreements.zones_feature_collection(actor_for(request), version)
        return Response(body, content_type="application/geo+json")


@extend_schema(
    tags=["arrangement"],
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={(200, "application/geo+json"): GEOJSON, **ERRORS},
)
class PlaceCollectionView(APIView):
    """The scenario's places as a FeatureCollection; unknown coordinates give a null geometry."""

    def get(self, request: Request) -> Response:
        version = version_from_query(request)
        body = agreements.places_feature_collection(actor_for(request), version)
        return Response(body, content_type="application/geo+json")


@extend_schema(
    tags=["arrangement"],
    parameters=[ARRANGEMENT_PARAM, VERSION_PARAM],
    responses={200: s.ProtocolSerializer(many=True), **ERRORS},
)
class ProtocolListView(APIView):
    """The protocols of a version: reply deadlines and escalation ladders."""

    def get(self, request: Request) -> Response:
        version = version_from_query(request)
        items = agreements.list_protocols(actor_for(request), version)
        return Response(s.ProtocolSerializer(items, many=True).data)


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under /api/: the standard error body, not an HTML page."""

    permission_classes: list[type] = []

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from coordcell.api.errors import error_body

        return Response(error_body("not_found", _("Not found.")), status=404)

    post = put = patch = delete = get


class _JsonErrors:
    """Errors in the API's JSON shape, whatever the view renders on success (YAML, HTML)."""

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


class SchemaView(_JsonErrors, SpectacularAPIView):
    """The OpenAPI schema, for members of the cell only (like every other endpoint)."""

    permission_classes = [IsCellMember]


class DocsView(_JsonErrors, SpectacularSwaggerSplitView):
    """Swagger UI over the schema, served from local static files, for members only."""

    permission_classes = [IsCellMember]
