"""The API of proposals and commitments (routed by ``coordcell.api.urls`` under ``/api/v1/``).

Reads come from ``proposals.selectors`` for the caller (a hidden proposal, version or
commitment is a missing one: 404); writes call the services the pages call. Lists page
with ``core.rest.Pagination``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.errors import ValidationFailed
from coordcell.core.input import GEOMETRY_SCHEMA, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin, JsonErrorsMixin
from coordcell.proposals import changes, exports, replay, selectors, services
from coordcell.proposals.changes import describe
from coordcell.proposals.choices import (
    CommitmentKindChoices,
    CommitmentStatusChoices,
    StanceChoices,
)

__all__ = ["urlpatterns"]

TAGS = ["proposals"]


class RawField(serializers.Field):  # type: ignore[type-arg]
    """A value passed to the service as sent (the service checks it)."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


_CLAUSE = {"type": "string", "description": "A clause id of the arrangement."}
_OPERATION: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "description": "An area's (Polygon, MultiPolygon) or a line's (LineString, "
            "MultiLineString) new geometry, inside the arrangement's region.",
            "required": ["op", "zone", "geometry"],
            "properties": {
                "op": {"type": "string", "enum": ["zone_geometry"]},
                "zone": {"type": "string", "description": "A zone id of the arrangement."},
                "geometry": GEOMETRY_SCHEMA,
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "A cap of a limit clause, set (or removed with null).",
            "required": ["op", "clause", "key"],
            "properties": {
                "op": {"type": "string", "enum": ["limit"]},
                "clause": _CLAUSE,
                "key": {"type": "string", "pattern": "^max_", "maxLength": 60},
                "value": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": changes.MAX_LIMIT,
                    "nullable": True,
                },
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "A clause's timeline date (or none, with null).",
            "required": ["op", "clause", "field"],
            "properties": {
                "op": {"type": "string", "enum": ["date"]},
                "clause": _CLAUSE,
                "field": {"type": "string", "enum": ["effective_from", "effective_until"]},
                "value": {"type": "string", "format": "date", "nullable": True},
            },
            "additionalProperties": False,
        },
    ]
}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": _OPERATION, "maxItems": changes.MAX_OPERATIONS},
            _OPERATION,
            {"type": "string", "description": "The list (or one operation) as JSON text."},
        ],
        "description": "A structured change to the arrangement (proposals/changes.py): a "
        f"list of at most {changes.MAX_OPERATIONS} operations, or a single one; null, an "
        "empty list or an empty string for none.",
    }
)
class ChangeField(RawField):
    """A version's change, checked by ``changes.clean_change`` (as ``RawField`` takes it)."""


# --- out ------------------------------------------------------------------------------------


class StanceSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party.code")
    stance = serializers.CharField()
    text = serializers.CharField()
    given_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="ProposalVersion")
class VersionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    number = serializers.IntegerField()
    text = serializers.CharField()
    language = serializers.CharField()
    author = serializers.CharField(source="author_party.code")
    created_at = serializers.DateTimeField()
    change = serializers.JSONField()
    positions = serializers.SerializerMethodField()

    def get_positions(self, obj: Any) -> list[dict[str, Any]]:
        by_party = self.context.get("stances", {}).get(obj.number, {})
        return [StanceSerializer(s).data for _code, s in sorted(by_party.items())]


class ProposalSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    title = serializers.CharField()
    track = serializers.CharField()
    author = serializers.CharField(source="author_party.code")
    deciding = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    agreed_version = serializers.SerializerMethodField()
    agreed_at = serializers.DateTimeField(allow_null=True)
    fictional = serializers.BooleanField()

    def get_agreed_version(self, obj: Any) -> int | None:
        return obj.agreed_version.number if obj.agreed_version_id else None


class ProposalDetailSerializer(ProposalSerializer):
    versions = serializers.SerializerMethodField()

    def get_versions(self, obj: Any) -> list[dict[str, Any]]:
        actor = self.context["actor"]
        context = {"stances": selectors.stances_by_version(actor, obj)}
        rows = selectors.list_versions(actor, obj)
        return VersionSerializer(rows, many=True, context=context).data  # type: ignore[return-value]


@extend_schema_serializer(component_name="ProposalCommitment")
class CommitmentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="commitment.public_id")
    reference = serializers.CharField(source="commitment.reference")
    kind = serializers.CharField(source="commitment.kind")
    title = serializers.CharField(source="commitment.title")
    owner = serializers.CharField(source="commitment.owner.code")
    proposal = serializers.UUIDField(source="commitment.proposal.public_id")
    agreed_version = serializers.IntegerField(source="commitment.version.number")
    status = serializers.CharField(help_text="Derived from verified indicators and deadlines.")
    pam_score = serializers.IntegerField(source="score")
    due_at = serializers.DateTimeField(allow_null=True)
    deadline_running = serializers.BooleanField(source="running")
    indicators_verified = serializers.IntegerField(source="verified")
    indicators_total = serializers.IntegerField(source="indicators")
    deadline_outcomes = serializers.ListField(child=serializers.CharField(), source="outcomes")


# Its own name, kept: a subclass would take its base's component_name.
@extend_schema_serializer(component_name="CommitmentDetail")
class CommitmentDetailSerializer(CommitmentSerializer):
    description = serializers.CharField(source="commitment.description")
    indicators_detail = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()
    extensions = serializers.SerializerMethodField()

    def get_indicators_detail(self, obj: Any) -> list[dict[str, Any]]:
        return [
            {"id": str(i.public_id), "text": i.text, "verified_at": i.verified_at,
             "evidence": i.evidence,
             "verified_by": i.verifier_party.code if i.verifier_party_id else None}
            for i in obj.commitment.indicators.all()
        ]  # fmt: skip

    def get_deadlines(self, obj: Any) -> list[dict[str, Any]]:
        return [
            {"due_at": d.due_at, "outcome": d.outcome or None, "closed_at": d.closed_at}
            for d in obj.commitment.deadlines.all()
        ]

    def get_assessments(self, obj: Any) -> list[dict[str, Any]]:
        found = selectors.latest_assessments(self.context["actor"], obj.commitment)
        return [
            {"party": code, "score": a.score, "text": a.text, "given_at": a.given_at}
            for code, a in sorted(found.items())
        ]

    def get_extensions(self, obj: Any) -> list[dict[str, Any]]:
        rows = selectors.list_extensions(self.context["actor"], obj.commitment)
        return [
            {"id": str(e.public_id), "new_due_at": e.new_due_at, "state": e.state,
             "proposed_by": e.proposed_by.code, "agreed_by": list(e.agreed_by),
             "reason": e.reason}
            for e in rows
        ]  # fmt: skip


# --- in -------------------------------------------------------------------------------------


class ProposalInSerializer(StrictSerializer):
    title = serializers.CharField(max_length=services.TITLE_MAX)
    track = serializers.CharField(max_length=services.TRACK_MAX)
    text = serializers.CharField(max_length=services.TEXT_MAX)
    language = serializers.ChoiceField(choices=list(services.LANGUAGES))
    audience = serializers.ListField(child=serializers.CharField(max_length=40), max_length=50)
    change = ChangeField(required=False, allow_null=True, default=None)


@extend_schema_serializer(component_name="ProposalVersionIn")
class VersionInSerializer(StrictSerializer):
    text = serializers.CharField(max_length=services.TEXT_MAX)
    language = serializers.ChoiceField(choices=list(services.LANGUAGES))
    change = ChangeField(required=False, allow_null=True, default=None)


class StanceInSerializer(StrictSerializer):
    stance = serializers.ChoiceField(choices=StanceChoices.values())
    text = serializers.CharField(max_length=services.SHORT_MAX, required=False, allow_blank=True)


@extend_schema_serializer(component_name="ProposalCommitmentIn")
class CommitmentInSerializer(StrictSerializer):
    proposal = serializers.UUIDField()
    title = serializers.CharField(max_length=services.TITLE_MAX)
    description = serializers.CharField(
        max_length=services.SHORT_MAX, required=False, allow_blank=True
    )
    kind = serializers.ChoiceField(choices=CommitmentKindChoices.values(), default="commitment")
    owner = serializers.CharField(max_length=40)
    due_at = OffsetDateTimeField()
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=300), max_length=services.MAX_INDICATORS
    )


@extend_schema_serializer(component_name="ProposalCommitmentEvidenceIn")
class EvidenceInSerializer(StrictSerializer):
    evidence = serializers.CharField(max_length=services.SHORT_MAX)


@extend_schema_serializer(component_name="ProposalCommitmentExtensionIn")
class ExtensionInSerializer(StrictSerializer):
    new_due_at = OffsetDateTimeField()
    reason = serializers.CharField(max_length=services.SHORT_MAX)


class AssessmentInSerializer(StrictSerializer):
    score = serializers.IntegerField(min_value=0, max_value=3)
    text = serializers.CharField(max_length=services.SHORT_MAX)


class _Ctx(ActorMixin):
    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}  # type: ignore[misc]


# --- views ----------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class ProposalListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The proposals the caller reads (``?track=``); a party or the mediator tables one."""

    serializer_class = ProposalSerializer

    def get_queryset(self) -> Any:
        return selectors.list_proposals(
            self.actor, track=self.request.query_params.get("track", "")
        )

    @extend_schema(
        request=ProposalInSerializer, responses={201: ProposalDetailSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = ProposalInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        proposal = services.table_proposal(actor=self.actor, **form.validated_data)
        body = ProposalDetailSerializer(proposal, context={"actor": self.actor}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: ProposalDetailSerializer, **ERRORS})
class ProposalDetailView(_Ctx, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """A proposal with its versions and each party's position on each."""

    serializer_class = ProposalDetailSerializer

    def get_object(self) -> Any:
        return selectors.get_proposal(self.actor, self.kwargs["id"])


@extend_schema(tags=TAGS, request=VersionInSerializer, responses={201: VersionSerializer, **ERRORS})
class VersionCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A deciding party or the mediator tables the next version (409 once agreed)."""

    serializer_class = VersionSerializer

    def post(self, request: Request, id: str) -> Response:
        proposal = selectors.get_proposal(self.actor, id)
        form = VersionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = services.add_version(actor=self.actor, proposal=proposal, **form.validated_data)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=StanceInSerializer, responses={201: StanceSerializer, **ERRORS})
class StanceCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A deciding party's position on the latest version: accept, reject or counter."""

    serializer_class = StanceSerializer

    def post(self, request: Request, id: str, number: int) -> Response:
        proposal = selectors.get_proposal(self.actor, id)
        version = selectors.get_version(self.actor, proposal, number)
        form = StanceInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.take_stance(actor=self.actor, version=version, **form.validated_data)
        return Response(StanceSerializer(row).data, status=status.HTTP_201_CREATED)


class DiffQuerySerializer(StrictSerializer):
    against = serializers.IntegerField(min_value=1, required=False)


@extend_schema(
    tags=TAGS,
    parameters=[OpenApiParameter("against", int, description="the version compared with")],
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
)
class DiffView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """Version ``number`` beside an earlier one (by default the one before), line by line."""

    def get(self, request: Request, id: str, number: int) -> Response:
        proposal = selectors.get_proposal(self.actor, id)
        new = selectors.get_version(self.actor, proposal, number)
        query = DiffQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        against = query.validated_data.get("against", new.number - 1)
        old = selectors.get_version(self.actor, proposal, against)
        return Response(
            {"from": old.number, "to": new.number, "rows": selectors.diff_rows(old.text, new.text)}
        )


class ReplayQuerySerializer(StrictSerializer):
    months = serializers.IntegerField(min_value=1, max_value=replay.MAX_MONTHS, default=1)


@extend_schema(
    tags=TAGS,
    parameters=[OpenApiParameter("months", int, description="1 to 12 (default 1)")],
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
)
class ReplayView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """The what-if replay of a version's arrangement change over what the caller may see."""

    def get(self, request: Request, id: str, number: int) -> Response:
        proposal = selectors.get_proposal(self.actor, id)
        version = selectors.get_version(self.actor, proposal, number)
        query = ReplayQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        result = replay.replay(self.actor, version, query.validated_data["months"])
        return Response({**result, "operations": describe(list(version.change or []))})


class CommitmentQuerySerializer(StrictSerializer):
    party = serializers.CharField(max_length=40, required=False)
    status = serializers.ChoiceField(choices=CommitmentStatusChoices.values(), required=False)
    due_before = serializers.DateField(required=False)
    due_after = serializers.DateField(required=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.CharField(required=False)


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter("party", str), OpenApiParameter("status", str),
        OpenApiParameter("due_before", OpenApiTypes.DATE),
        OpenApiParameter("due_after", OpenApiTypes.DATE),
    ],
)  # fmt: skip
class CommitmentListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The commitments the caller reads, with their derived status; the mediator makes
    one from an agreed proposal."""

    serializer_class = CommitmentSerializer

    def get_queryset(self) -> Any:
        query = CommitmentQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        q = query.validated_data
        return selectors.commitment_rows(
            self.actor, party=q.get("party", ""), status=q.get("status", ""),
            due_before=q.get("due_before"), due_after=q.get("due_after"),
        )  # fmt: skip

    @extend_schema(
        request=CommitmentInSerializer, responses={201: CommitmentDetailSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = CommitmentInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        proposal = selectors.get_proposal(self.actor, data.pop("proposal"))
        commitment = services.create_commitment(actor=self.actor, proposal=proposal, **data)
        row = selectors.row_of(selectors.get_commitment(self.actor, commitment.public_id))
        body = CommitmentDetailSerializer(row, context={"actor": self.actor}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: CommitmentDetailSerializer, **ERRORS})
class CommitmentDetailView(_Ctx, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """A commitment: indicators, deadlines, extensions, each party's assessment."""

    serializer_class = CommitmentDetailSerializer

    def get_object(self) -> Any:
        return selectors.row_of(selectors.get_commitment(self.actor, self.kwargs["id"]))


def _detail(view: _Ctx, commitment: Any, code: int = status.HTTP_200_OK) -> Response:
    row = selectors.row_of(selectors.get_commitment(view.actor, commitment.public_id))
    return Response(
        CommitmentDetailSerializer(row, context={"actor": view.actor}).data, status=code
    )


@extend_schema(
    tags=TAGS, request=EvidenceInSerializer, responses={200: CommitmentDetailSerializer, **ERRORS}
)
class VerifyIndicatorView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A monitor or the mediator verifies an indicator with its evidence (409 if done)."""

    serializer_class = EvidenceInSerializer

    def post(self, request: Request, id: str) -> Response:
        indicator = selectors.get_indicator(self.actor, id)
        form = EvidenceInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.verify_indicator(actor=self.actor, indicator=indicator, **form.validated_data)
        return _detail(self, indicator.commitment)


@extend_schema(
    tags=TAGS, request=ExtensionInSerializer, responses={201: CommitmentDetailSerializer, **ERRORS}
)
class ExtensionCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A deciding party proposes a later due date (the others agree it)."""

    serializer_class = ExtensionInSerializer

    def post(self, request: Request, id: str) -> Response:
        commitment = selectors.get_commitment(self.actor, id)
        form = ExtensionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.propose_extension(actor=self.actor, commitment=commitment, **form.validated_data)
        return _detail(self, commitment, status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=None, responses={200: CommitmentDetailSerializer, **ERRORS})
class ExtensionAgreeView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """Another deciding party agrees a proposed extension."""

    #: No body (OPTIONS describes none; without it DRF's metadata answered 500).
    serializer_class = serializers.Serializer

    def post(self, request: Request, id: str) -> Response:
        extension = selectors.get_extension(self.actor, id)
        if request.data:
            raise ValidationFailed({"": ["This request takes no body."]})
        services.agree_extension(actor=self.actor, extension=extension)
        return _detail(self, extension.commitment)


@extend_schema(
    tags=TAGS, request=AssessmentInSerializer, responses={201: CommitmentDetailSerializer, **ERRORS}
)
class AssessmentCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A deciding party (or the mediator) records its own assessment of a commitment."""

    serializer_class = AssessmentInSerializer

    def post(self, request: Request, id: str) -> Response:
        commitment = selectors.get_commitment(self.actor, id)
        form = AssessmentInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.assess_commitment(actor=self.actor, commitment=commitment, **form.validated_data)
        return _detail(self, commitment, status.HTTP_201_CREATED)


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


@extend_schema(tags=TAGS, responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS})
class PamExportView(JsonErrorsMixin, ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The commitments the caller reads as a Peace Accords Matrix-style panel (0–3 per
    commitment and implementation year; docs/proposals.md)."""

    renderer_classes = [CsvRenderer]

    @extend_schema(operation_id="v1_proposals_export_pam")
    def get(self, request: Request) -> Response:
        if request.query_params:
            raise ValidationFailed({"": ["This export takes no parameters."]})
        return Response(
            exports.pam_csv(self.actor),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="commitments-pam.csv"'},
        )


urlpatterns: list[URLPattern] = [
    path("proposals/", ProposalListView.as_view(), name="proposals-list"),
    path("proposals/<str:id>/", ProposalDetailView.as_view(), name="proposals-detail"),
    path("proposals/<str:id>/versions/", VersionCreateView.as_view(), name="proposals-versions"),
    path(
        "proposals/<str:id>/versions/<int:number>/positions/",
        StanceCreateView.as_view(),
        name="proposals-positions",
    ),
    path(
        "proposals/<str:id>/versions/<int:number>/diff/", DiffView.as_view(), name="proposals-diff"
    ),
    path(
        "proposals/<str:id>/versions/<int:number>/replay/",
        ReplayView.as_view(),
        name="proposals-replay",
    ),
    path("commitments/", CommitmentListView.as_view(), name="commitments-list"),
    path("commitments/export/pam.csv", PamExportView.as_view(), name="commitments-pam"),
    path("commitments/<str:id>/", CommitmentDetailView.as_view(), name="commitments-detail"),
    path(
        "commitments/<str:id>/extensions/",
        ExtensionCreateView.as_view(),
        name="commitments-extensions",
    ),
    path(
        "commitments/<str:id>/assessments/",
        AssessmentCreateView.as_view(),
        name="commitments-assessments",
    ),
    path(
        "commitment-indicators/<str:id>/verify/",
        VerifyIndicatorView.as_view(),
        name="commitments-verify",
    ),
    path(
        "commitment-extensions/<str:id>/agree/",
        ExtensionAgreeView.as_view(),
        name="commitments-agree-extension",
    ),
]
