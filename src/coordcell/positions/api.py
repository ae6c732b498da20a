"""The API of declared positions: declare, import, export, seal, dispute, reveal, caps.

Writes go through ``positions.services``, the same calls as the pages and the command
line. A position is read by its declaring party and the mediator only: for anyone else
its id answers the same 404 as a missing one. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.input import GeometryField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.positions import selectors, services

__all__ = ["urlpatterns"]

TAGS = ["positions"]


class HoldingSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(
        help_text="A limit category of the engine: " + ", ".join(services.CATEGORIES) + "."
    )
    count = serializers.IntegerField()
    range_km = serializers.FloatField(allow_null=True, help_text="Artillery pieces only.")
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)


class HoldingInSerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=list(services.CATEGORIES))
    count = serializers.IntegerField(min_value=0, max_value=services.COUNT_MAX)
    range_km = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0.001,
        max_value=services.RANGE_MAX_KM,
    )  # fmt: skip


class PositionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    party = serializers.CharField(source="party.code")
    name = serializers.CharField()
    kind = serializers.CharField()
    geometry = serializers.SerializerMethodField()
    point = serializers.SerializerMethodField()
    established = serializers.DateField()
    removed = serializers.DateField(allow_null=True)
    holdings = serializers.SerializerMethodField()

    def get_geometry(self, obj: Any) -> dict[str, Any]:
        return dict(json.loads(obj.geometry))

    def get_point(self, obj: Any) -> list[float]:
        return [obj.lon, obj.lat]

    def get_holdings(self, obj: Any) -> list[dict[str, Any]]:
        return [
            {"category": h.category, "count": h.count, "range_km": h.range_km}
            for h in obj.holdings.all()
            if h.until is None
        ]


class PositionInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=services.NAME_MAX)
    kind = serializers.CharField(max_length=40)
    geometry = GeometryField()
    established = serializers.DateField()
    holdings = HoldingInSerializer(many=True, required=False, default=list)


class ChangeInSerializer(StrictSerializer):
    change = serializers.ChoiceField(choices=list(services.CHANGE_KINDS))
    effective = serializers.DateField()
    geometry = GeometryField(required=False, help_text="``moved``: the new site.")
    holdings = HoldingInSerializer(many=True, required=False, default=list)


class ChangeSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    position = serializers.CharField(source="position.reference")
    party = serializers.CharField(source="position.party.code")
    change = serializers.CharField()
    effective = serializers.DateField()
    declared_at = serializers.DateTimeField()
    classification = serializers.CharField(help_text=", ".join(services.CLASSIFICATIONS))
    findings = serializers.JSONField()
    sealed_in = serializers.SerializerMethodField()

    def get_sealed_in(self, obj: Any) -> str | None:
        return obj.commitment.reference if obj.commitment_id else None


class AtSerializer(serializers.Serializer[Any]):
    at = serializers.DateField(required=False, help_text="Only positions standing that day.")
    party = serializers.CharField(required=False, max_length=40)


@extend_schema(tags=TAGS)
class PositionListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The positions the caller reads (its own party's; the mediator: both parties');
    declare one of the caller's own party (its principals and liaison officers)."""

    serializer_class = PositionSerializer

    def get_queryset(self) -> Any:
        query = AtSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.list_positions(
            self.actor, party=query.validated_data.get("party"), at=query.validated_data.get("at")
        )

    @extend_schema(
        parameters=[AtSerializer], responses={200: PositionSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PositionInSerializer, responses={201: PositionSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = PositionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        position = services.declare_position(actor=self.actor, **form.validated_data)
        position = selectors.get_position(self.actor, position.public_id)
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: PositionSerializer, **ERRORS})
class PositionDetailView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """One position (another party's, for anyone but the mediator: 404)."""

    serializer_class = PositionSerializer

    def get(self, request: Request, id: str) -> Response:
        return Response(PositionSerializer(selectors.get_position(self.actor, id)).data)


@extend_schema(tags=TAGS)
class HoldingListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """A position's holdings, with their history (each row from ``since`` until ``until``)."""

    serializer_class = HoldingSerializer

    def get_queryset(self) -> Any:
        return list(selectors.get_position(self.actor, self.kwargs["id"]).holdings.all())

    @extend_schema(responses={200: HoldingSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS, request=ChangeInSerializer, responses={201: ChangeSerializer, **ERRORS})
class PositionChangeView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Declare a change of one of the caller's party's positions: moved, holdings, vacated.
    Before the baseline date no change item is made (the answer is the position's id)."""

    serializer_class = ChangeSerializer

    def post(self, request: Request, id: str) -> Response:
        position = selectors.get_position(self.actor, id)
        form = ChangeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = services.declare_change(actor=self.actor, position=position, **form.validated_data)
        if item is None:
            return Response({"position": str(position.public_id)}, status=status.HTTP_201_CREATED)
        return Response(ChangeSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS, request=OpenApiTypes.OBJECT, responses={201: PositionSerializer(many=True), **ERRORS}
)
class ImportView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Import a GeoJSON FeatureCollection of the caller's party's positions: every feature
    checked first (errors per feature, ``features[3].kind``), all or nothing."""

    serializer_class = PositionSerializer

    def post(self, request: Request) -> Response:
        created = services.import_positions(actor=self.actor, document=request.data)
        return Response(
            PositionSerializer(
                selectors.list_positions(self.actor).filter(pk__in=[p.pk for p in created]),
                many=True,
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, parameters=[AtSerializer], responses={200: OpenApiTypes.OBJECT, **ERRORS})
class ExportView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The caller's readable positions as a GeoJSON FeatureCollection (``at``: standing
    that day — what the map's time slider asks)."""

    def get(self, request: Request) -> Response:
        query = AtSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            selectors.positions_feature_collection(self.actor, query.validated_data.get("at")),
            content_type="application/geo+json",
        )


@extend_schema_serializer(component_name="PositionCommitment")
class CommitmentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    party = serializers.CharField(source="party.code")
    kind = serializers.CharField()
    as_of = serializers.DateField()
    root = serializers.CharField()  # type: ignore[assignment]  # (DRF pops declared fields)
    size = serializers.IntegerField(help_text="Padded leaf count (a power of two).")
    entry = serializers.CharField(source="entry_hash", help_text="The record entry's hash.")
    created_at = serializers.DateTimeField()


class SealInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=["baseline", "changes"])


@extend_schema(tags=TAGS)
class SealListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The sealed commitments (roots) the caller reads; seal the caller's party's baseline
    at the freeze's baseline date, or its pending changes now."""

    serializer_class = CommitmentSerializer

    def get_queryset(self) -> Any:
        return selectors.list_commitments(self.actor)

    @extend_schema(responses={200: CommitmentSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=SealInSerializer, responses={201: CommitmentSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = SealInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if form.validated_data["kind"] == "baseline":
            commitment = services.seal_baseline(actor=self.actor)
        else:
            commitment = services.seal_changes(actor=self.actor)
        return Response(CommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class ChangeListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Changes of positions with their classification (the party's own; the mediator: all)."""

    serializer_class = ChangeSerializer

    def get_queryset(self) -> Any:
        return selectors.list_changes(self.actor).exclude(change="baseline")

    @extend_schema(responses={200: ChangeSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AgreeInSerializer(StrictSerializer):
    note = serializers.CharField(max_length=services.CLAIM_MAX)


@extend_schema(tags=TAGS, request=AgreeInSerializer, responses={200: ChangeSerializer, **ERRORS})
class AgreeView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator records that both parties consented to a change."""

    serializer_class = ChangeSerializer

    def post(self, request: Request, id: str) -> Response:
        change = selectors.get_change(self.actor, id)
        form = AgreeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        change = services.agree_change(actor=self.actor, change=change, **form.validated_data)
        return Response(ChangeSerializer(change).data)


class DisputeSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    against = serializers.CharField(source="against.code")
    opened_by = serializers.CharField(source="opened_by_party.code")
    opened_at = serializers.DateTimeField()
    claim = serializers.CharField()
    place = serializers.SerializerMethodField()
    consents = serializers.JSONField()
    state = serializers.CharField()
    reveals = serializers.SerializerMethodField()

    def get_place(self, obj: Any) -> Any:
        return json.loads(obj.geometry) if obj.geometry else None

    def get_reveals(self, obj: Any) -> list[str]:
        return [str(r.public_id) for r in obj.reveals.all()]


class DisputeInSerializer(StrictSerializer):
    against = serializers.CharField(max_length=40)
    claim = serializers.CharField(max_length=services.CLAIM_MAX)
    geometry = GeometryField(required=False)
    change = serializers.UUIDField(required=False, help_text="The mediator: a change it holds.")


@extend_schema(tags=TAGS)
class DisputeListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Disputes about positions (read by the parties and the mediator); open one."""

    serializer_class = DisputeSerializer

    def get_queryset(self) -> Any:
        return selectors.list_disputes(self.actor).prefetch_related("reveals")

    @extend_schema(responses={200: DisputeSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DisputeInSerializer, responses={201: DisputeSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = DisputeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if data.get("change") is not None:
            data["change"] = selectors.get_change(self.actor, data["change"])
        dispute = services.open_dispute(actor=self.actor, **data)
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: DisputeSerializer, **ERRORS})
class DisputeDetailView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = DisputeSerializer

    def get(self, request: Request, id: str) -> Response:
        return Response(DisputeSerializer(selectors.get_dispute(self.actor, id)).data)


@extend_schema(tags=TAGS, request=None, responses={200: DisputeSerializer, **ERRORS})
class ConsentView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """A party to the dispute consents to the mediator revealing the item in question."""

    serializer_class = DisputeSerializer

    def post(self, request: Request, id: str) -> Response:
        dispute = services.consent_to_reveal(
            actor=self.actor, dispute=selectors.get_dispute(self.actor, id)
        )
        return Response(DisputeSerializer(dispute).data)


class RevealSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    dispute = serializers.CharField(source="dispute.reference")
    revealed_by = serializers.CharField(source="revealed_by_party.code", allow_null=True)
    revealed_at = serializers.DateTimeField()
    entry = serializers.CharField(source="entry_hash", help_text="The record entry's hash.")
    file = serializers.JSONField(source="bundle", help_text="Check it with `coordcell verify`.")


class RevealInSerializer(StrictSerializer):
    item = serializers.UUIDField(help_text="The committed item (a change's id) to reveal.")


@extend_schema(tags=TAGS, request=RevealInSerializer, responses={201: RevealSerializer, **ERRORS})
class RevealView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Reveal one committed item in the dispute (the declaring party; the mediator with
    the consent the arrangement requires)."""

    serializer_class = RevealSerializer

    def post(self, request: Request, id: str) -> Response:
        dispute = selectors.get_dispute(self.actor, id)
        form = RevealInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = selectors.get_change(self.actor, form.validated_data["item"])
        found = services.reveal(actor=self.actor, dispute=dispute, change=item)
        return Response(RevealSerializer(found).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class RevealListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Reveals in disputes (read by the parties and the mediator)."""

    serializer_class = RevealSerializer

    def get_queryset(self) -> Any:
        return selectors.list_reveals(self.actor)

    @extend_schema(responses={200: RevealSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS, responses={200: RevealSerializer, **ERRORS})
class RevealDetailView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = RevealSerializer

    def get(self, request: Request, id: str) -> Response:
        return Response(RevealSerializer(selectors.get_reveal(self.actor, id)).data)


class ZoneTotalSerializer(serializers.Serializer[Any]):
    zone = serializers.CharField()
    party = serializers.CharField()
    category = serializers.CharField()
    total = serializers.FloatField()
    cap = serializers.FloatField(allow_null=True)
    clause = serializers.CharField()
    over = serializers.BooleanField()


class DaySerializer(serializers.Serializer[Any]):
    day = serializers.DateField(required=False, help_text="Default: today (UTC).")


@extend_schema(tags=TAGS)
class ZoneTotalsView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Declared totals per zone, party and category against the zone's caps, for the
    parties whose positions the caller reads (its own; the mediator: both)."""

    serializer_class = ZoneTotalSerializer

    def get_queryset(self) -> Any:
        query = DaySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        day: dt.date = query.validated_data.get("day") or timezone.now().date()
        return selectors.zone_totals(self.actor, day)

    @extend_schema(
        parameters=[DaySerializer], responses={200: ZoneTotalSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


urlpatterns: list[URLPattern | URLResolver] = [
    path("positions/", PositionListView.as_view(), name="positions"),
    path("positions/import/", ImportView.as_view(), name="positions-import"),
    path("positions/export/", ExportView.as_view(), name="positions-export"),
    path("positions/<str:id>/", PositionDetailView.as_view(), name="position"),
    path("positions/<str:id>/holdings/", HoldingListView.as_view(), name="position-holdings"),
    path("positions/<str:id>/changes/", PositionChangeView.as_view(), name="position-change"),
    path("position-changes/", ChangeListView.as_view(), name="position-changes"),
    path("position-changes/<str:id>/agree/", AgreeView.as_view(), name="position-change-agree"),
    path("position-seals/", SealListView.as_view(), name="position-seals"),
    path("position-disputes/", DisputeListView.as_view(), name="position-disputes"),
    path("position-disputes/<str:id>/", DisputeDetailView.as_view(), name="position-dispute"),
    path(
        "position-disputes/<str:id>/consent/",
        ConsentView.as_view(),
        name="position-dispute-consent",
    ),
    path("position-disputes/<str:id>/reveal/", RevealView.as_view(), name="position-reveal-make"),
    path("position-reveals/", RevealListView.as_view(), name="position-reveals"),
    path("position-reveals/<str:id>/", RevealDetailView.as_view(), name="position-reveal"),
    path("zone-totals/", ZoneTotalsView.as_view(), name="zone-totals"),
]
