"""The API of incidents: report and list them, each party's version, evidence files.

Reads come from ``incidents.selectors`` (an incident outside the caller's audience does
not exist for them); writes go through ``incidents.services`` and ``incidents.evidence``.
Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.agreements import selectors as agreements
from coordcell.core.http import actor_for
from coordcell.core.input import GeometryField, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.incidents import harm_api, selectors, services
from coordcell.incidents.choices import (
    ActedByChoices,
    ActorClaimChoices,
    PrecisionChoices,
    SourceChoices,
)
from coordcell.incidents.evidence import (
    add_evidence,
    evidence_response,
    open_evidence,
    open_original,
)
from coordcell.incidents.models import Evidence, Incident
from coordcell.rules.engine import split_findings

__all__ = [
    "EvidenceDownloadView",
    "EvidenceOriginalView",
    "EvidenceUploadView",
    "IncidentAccountView",
    "IncidentDetailView",
    "IncidentInSerializer",
    "IncidentListView",
    "ReportInSerializer",
    "urlpatterns",
]

TAGS = ["cases"]


class AccountSerializer(serializers.Serializer[Any]):
    """One revision of a party's version (its current one in ``accounts``)."""

    party = serializers.CharField(source="party.code")
    title = serializers.CharField(help_text="The party's own title of the incident, or empty.")
    actor_claim = serializers.CharField()
    actor_text = serializers.CharField()
    casualties = serializers.SerializerMethodField()
    narrative = serializers.CharField()
    given_at = serializers.DateTimeField()

    def get_casualties(self, account: Any) -> dict[str, int | None]:
        return {
            "low": account.casualties_low,
            "best": account.casualties_best,
            "high": account.casualties_high,
        }


class PositionFindingsSerializer(serializers.Serializer[Any]):
    """One party's findings from its declared positions about an incident."""

    party = serializers.CharField(
        source="party.code", help_text="The party whose declared positions were compared."
    )
    version = serializers.SerializerMethodField()
    computed_at = serializers.DateTimeField(
        help_text=(
            "When they were computed: against the positions as declared then (they are "
            "not computed again when positions change; correcting the incident does)."
        )
    )
    findings = serializers.SerializerMethodField()
    findings_not_agreed = serializers.SerializerMethodField()

    def get_version(self, row: Any) -> str:
        return f"{row.version.arrangement.key} v{row.version.number}"

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_findings(self, row: Any) -> list[Any]:
        return list(split_findings(row.findings)[0])

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_findings_not_agreed(self, row: Any) -> list[Any]:
        return list(split_findings(row.findings)[1])


class IncidentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    kind = serializers.CharField()
    headline = serializers.SerializerMethodField(
        help_text=(
            "Generated, never typed: kind · place · local time, in the reader's language "
            "(Accept-Language), the same for every reader. A party's own title is in its "
            "version (accounts)."
        )
    )
    source_title = serializers.SerializerMethodField(
        help_text="The title an imported dataset gave (empty for a party's report).",
    )
    occurred_from = serializers.DateTimeField()
    occurred_until = serializers.DateTimeField(allow_null=True)
    time_precision = serializers.CharField()
    geometry = serializers.DictField()
    uncertainty_m = serializers.FloatField()
    acted_by = serializers.CharField(
        help_text="Who acted, as the report says: unknown, party or no_party."
    )
    acting_party = serializers.CharField(help_text="The party the report names, or empty.")
    acting_force = serializers.CharField(help_text="The force the report names, or empty.")
    source = serializers.CharField()  # type: ignore[assignment]
    source_party = serializers.CharField(source="source_party.code", allow_null=True, default=None)
    source_dataset = serializers.CharField()
    source_ref = serializers.CharField()
    version = serializers.SerializerMethodField()
    zones = serializers.ListField(child=serializers.CharField())
    possible_zones = serializers.ListField(child=serializers.CharField())
    findings = serializers.SerializerMethodField()
    findings_not_agreed = serializers.SerializerMethodField()
    problems = serializers.ListField(child=serializers.DictField())
    accounts = serializers.SerializerMethodField(
        help_text="Each party's current version (its latest revision), side by side."
    )
    account_revisions = serializers.SerializerMethodField(
        help_text="Every revision of every party's version, oldest first, with its time."
    )
    evidence = serializers.SerializerMethodField()
    position_findings = serializers.SerializerMethodField(
        help_text=(
            "Freeze and withdrawal findings computed against a party's declared positions "
            "(held by the mediator in escrow), one item per party: only that party's, for "
            "its members; every party's, for the mediator; always empty for anyone else."
        )
    )
    reported_at = serializers.DateTimeField()

    def get_headline(self, incident: Incident) -> str:
        return selectors.shared(self.context).of(incident)

    def get_source_title(self, incident: Incident) -> str:
        return incident.title if incident.source_party_id is None else ""

    @extend_schema_field(AccountSerializer(many=True))
    def get_accounts(self, incident: Incident) -> Any:
        current = selectors.current_accounts(incident.accounts.all())
        return AccountSerializer(current, many=True).data

    @extend_schema_field(AccountSerializer(many=True))
    def get_account_revisions(self, incident: Incident) -> Any:
        revisions = sorted(incident.accounts.all(), key=lambda a: (a.party.code, a.given_at, a.pk))
        return AccountSerializer(revisions, many=True).data

    def get_evidence(self, incident: Incident) -> list[dict[str, Any]]:
        return [
            {"sha256": e.sha256, "size": e.size, "content_type": e.content_type,
             "released": _released(e), "party": e.party.code if e.party else None}
            for e in incident.evidence.all()
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_findings(self, incident: Incident) -> list[Any]:
        """Findings under agreed clauses."""
        return list(split_findings(incident.findings)[0])

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_findings_not_agreed(self, incident: Incident) -> list[Any]:
        """Findings under clauses a party disputes or that are illustrative (each with
        its ``status`` and ``disputed_by``), kept apart; they have no severity."""
        return list(split_findings(incident.findings)[1])

    def get_version(self, incident: Incident) -> str:
        return f"{incident.version.arrangement.key} v{incident.version.number}"

    @extend_schema_field(PositionFindingsSerializer(many=True))
    def get_position_findings(self, incident: Incident) -> Any:
        rows = getattr(incident, "escrowed_for_reader", None)
        if rows is None:
            request = self.context.get("request")
            # Without a reader, nobody is entitled: nothing (never everything).
            rows = (
                [] if request is None else selectors.escrowed_findings(actor_for(request), incident)
            )
        return PositionFindingsSerializer(rows, many=True).data


class IncidentInSerializer(StrictSerializer):
    # Not an enum: the kinds are the built-in ones and those the arrangement in force
    # declares (GET /api/v1/incident-kinds/ lists both); the service checks it.
    kind = serializers.CharField(
        max_length=60,
        help_text=(
            "An incident kind: a built-in one (docs/taxonomy.md) or one the arrangement "
            "declares; GET /api/v1/incident-kinds/ lists them."
        ),
    )
    title = serializers.CharField(max_length=300)
    occurred_from = OffsetDateTimeField()
    occurred_until = OffsetDateTimeField(required=False, allow_null=True)
    time_precision = serializers.ChoiceField(
        choices=PrecisionChoices.values(), default=PrecisionChoices.MINUTE
    )
    geometry = GeometryField()
    uncertainty_m = serializers.FloatField(default=0, min_value=0, max_value=1_000_000)
    acted_by = serializers.ChoiceField(
        choices=ActedByChoices.values(),
        required=False,
        help_text=(
            "Who acted, as the report says (the reporter's version): unknown, party or "
            "no_party (an actor no party controls). Omitted: party when acting_party or "
            "acting_force is given, otherwise unknown."
        ),
    )
    acting_party = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The code of the party that acted (a party of the arrangement).",
    )
    acting_force = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The id of the force that acted: one of the arrangement's forces, of that party.",
    )
    audience = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text=(
            'Party codes that may read it, or ["*"] for every member. Omitted: your '
            "party, the mediators and the monitors. Never empty."
        ),
    )

    def to_input(self) -> services.IncidentInput:
        return self.input_from(self.validated_data)

    @staticmethod
    def input_from(data: Any) -> services.IncidentInput:
        """The service's input from validated data (this serializer's, or a nested one's)."""
        return services.IncidentInput(
            kind=data["kind"],
            title=data["title"],
            occurred_from=data["occurred_from"],
            occurred_until=data.get("occurred_until"),
            time_precision=data["time_precision"],
            geometry=data["geometry"],
            uncertainty_m=data["uncertainty_m"],
            acted_by=data.get("acted_by", ""),
            acting_party=data.get("acting_party", ""),
            acting_force=data.get("acting_force", ""),
        )


@extend_schema_serializer(component_name="ReportedIncidentIn")
class ReportInSerializer(IncidentInSerializer):
    """The incident a complaint reports in the same request (it takes the case's audience)."""

    audience = None  # type: ignore[assignment]


# Its own name, kept: a subclass would take its base's component_name.
@extend_schema_serializer(component_name="IncidentCorrection")
class IncidentCorrectionSerializer(ReportInSerializer):
    """The fields a correction may change; those left out keep their value."""


class _CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):  # type: ignore[misc]
    """Comma-separated values, any of which matches."""


class IncidentFilter(django_filters.FilterSet):  # type: ignore[misc]
    kind = _CharInFilter(
        field_name="kind",
        help_text="Only these kinds (comma-separated codes).",
    )
    source = django_filters.ChoiceFilter(
        choices=SourceChoices.choices(), help_text="Only from this source."
    )
    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_from",
        lookup_expr="gte",
        help_text="Only incidents that began at or after this time (ISO 8601).",
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_from",
        lookup_expr="lt",
        help_text="Only incidents that began before this time (ISO 8601).",
    )

    class Meta:
        model = Incident
        fields: list[str] = []


@extend_schema(tags=TAGS)
class IncidentListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Incidents the caller may see, newest first; reporting one computes its findings."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter

    def get_queryset(self) -> Any:
        return selectors.with_escrowed_findings(
            selectors.list_incidents(self.actor).prefetch_related("accounts__party", "evidence"),
            self.actor,
        )

    @extend_schema(responses={200: IncidentSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=IncidentInSerializer, responses={201: IncidentSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = self.actor
        form = IncidentInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        incident = services.report_incident(
            actor=actor,
            data=form.to_input(),
            version=agreements.get_version(actor, None, None),
            audience=form.validated_data.get("audience"),
        )
        return Response(
            IncidentSerializer(
                selectors.get_incident(actor, incident.public_id), context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class _IncidentView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """``get_object()``: the incident of the URL, as the caller may see it."""

    def get_queryset(self) -> Any:
        return selectors.list_incidents(self.actor)

    def get_object(self) -> Incident:
        return selectors.get_incident(self.actor, self.kwargs["id"])


@extend_schema(tags=TAGS)
class IncidentDetailView(_IncidentView, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One incident, with each party's version side by side; its reporter corrects it."""

    serializer_class = IncidentSerializer

    @extend_schema(responses={200: IncidentSerializer, **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=IncidentCorrectionSerializer, responses={200: IncidentSerializer, **ERRORS}
    )
    def patch(self, request: Request, id: str) -> Response:
        """Correct kind, title, time or place (the reporting party only); the findings are
        computed again under the arrangement version in force, and recorded."""
        actor = self.actor
        incident = self.get_object()
        form = IncidentCorrectionSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        given = form.validated_data
        # Who acted: kept unless one of its fields is given, then given anew as a whole.
        actor_given = {"acted_by", "acting_party", "acting_force"} & set(given)
        actor_source = (
            given
            if actor_given
            else {
                "acted_by": incident.acted_by,
                "acting_party": incident.acting_party,
                "acting_force": incident.acting_force,
            }
        )
        changed = services.change_incident(
            actor=actor,
            incident=incident,
            data=services.IncidentInput(
                kind=given.get("kind", incident.kind),
                title=given.get("title", incident.title),
                occurred_from=given.get("occurred_from", incident.occurred_from),
                occurred_until=given.get("occurred_until", incident.occurred_until),
                time_precision=given.get("time_precision", incident.time_precision),
                geometry=given.get("geometry", incident.geometry),
                uncertainty_m=given.get("uncertainty_m", incident.uncertainty_m),
                acted_by=actor_source.get("acted_by", ""),
                acting_party=actor_source.get("acting_party", ""),
                acting_force=actor_source.get("acting_force", ""),
            ),
            version=agreements.get_version(actor, None, None),
        )
        return Response(
            IncidentSerializer(
                selectors.get_incident(actor, changed.public_id), context={"request": request}
            ).data
        )


@extend_schema_serializer(component_name="IncidentCasualtiesIn")
class CasualtiesInSerializer(StrictSerializer):
    low = serializers.IntegerField(
        min_value=0, max_value=1_000_000, allow_null=True, required=False
    )
    best = serializers.IntegerField(
        min_value=0, max_value=1_000_000, allow_null=True, required=False
    )
    high = serializers.IntegerField(
        min_value=0, max_value=1_000_000, allow_null=True, required=False
    )


class AccountInSerializer(StrictSerializer):
    actor_claim = serializers.ChoiceField(
        choices=ActorClaimChoices.values(), default=ActorClaimChoices.UNKNOWN
    )
    actor_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    casualties = CasualtiesInSerializer(required=False, default=dict)
    narrative = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=""
    )
    title = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Your party's title of the incident; omitted: as your last revision has it.",
    )


@extend_schema(tags=TAGS, request=AccountInSerializer, responses={200: AccountSerializer, **ERRORS})
class IncidentAccountView(_IncidentView):
    """Give or revise one's party's version of an incident (a new revision; the earlier
    ones are kept, in ``account_revisions``)."""

    serializer_class = AccountInSerializer

    def post(self, request: Request, id: str) -> Response:
        incident = self.get_object()
        form = AccountInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = services.give_account(actor=self.actor, incident=incident, **form.validated_data)
        return Response(AccountSerializer(account).data)


def _released(evidence: Evidence) -> dict[str, Any] | None:
    if not evidence.copy_sha256:
        return None
    return {"sha256": evidence.copy_sha256, "size": evidence.copy_size,
            "name": evidence.released_name}  # fmt: skip


class ReleasedCopySerializer(serializers.Serializer[Any]):
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    name = serializers.CharField()


class EvidenceSerializer(serializers.Serializer[Any]):
    """An evidence file: the sealed original's hash, size and detected type, and the copy
    released to the incident's audience. The uploader's file name is not shown."""

    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    released = serializers.SerializerMethodField()
    party = serializers.CharField(source="party.code", allow_null=True, default=None)
    uploaded_at = serializers.DateTimeField()

    @extend_schema_field(ReleasedCopySerializer(allow_null=True))
    def get_released(self, evidence: Evidence) -> dict[str, Any] | None:
        return _released(evidence)


@extend_schema_serializer(component_name="IncidentEvidenceIn")
class EvidenceInSerializer(StrictSerializer):
    file = serializers.FileField()


@extend_schema(
    tags=TAGS, request={"multipart/form-data": EvidenceInSerializer},
    responses={201: EvidenceSerializer, **ERRORS},
)  # fmt: skip
class EvidenceUploadView(_IncidentView):
    """Attach a file (multipart field ``file``) to an incident the caller may see."""

    serializer_class = EvidenceInSerializer
    parser_classes = [MultiPartParser]

    def post(self, request: Request, id: str) -> Response:
        incident = self.get_object()
        form = EvidenceInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        evidence = add_evidence(
            actor=self.actor, incident=incident, upload=upload, filename=upload.name
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): bytes, **ERRORS})
class EvidenceDownloadView(_IncidentView):
    """The released (scrubbed) copy whose SHA-256 is ``sha256``, as an attachment named
    ``<sha256>.<extension>``, for those who may see the incident."""

    serializer_class = EvidenceSerializer

    def get(self, request: Request, id: str, sha256: str) -> Any:
        evidence, handle = open_evidence(self.actor, self.get_object(), sha256)
        return evidence_response(evidence, handle)


@extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): bytes, **ERRORS})
class EvidenceOriginalView(_IncidentView):
    """The sealed original whose SHA-256 is ``original``: only for the party that attached
    it; anyone else gets the 404 of a missing file."""

    serializer_class = EvidenceSerializer

    def get(self, request: Request, id: str, original: str) -> Any:
        evidence, handle = open_original(self.actor, self.get_object(), original)
        return evidence_response(evidence, handle, original=True)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace; civilian harm
#: and property (``incidents.harm_api``) first, beside the incident's own routes.
urlpatterns: list[URLPattern | URLResolver] = [
    *harm_api.urlpatterns,
    path("incidents/", IncidentListView.as_view(), name="incidents"),
    path("incidents/<str:id>/", IncidentDetailView.as_view(), name="incident"),
    path("incidents/<str:id>/accounts/", IncidentAccountView.as_view(), name="incident-accounts"),
    path("incidents/<str:id>/evidence/", EvidenceUploadView.as_view(), name="incident-evidence"),
    path(
        "incidents/<str:id>/evidence/<str:sha256>",
        EvidenceDownloadView.as_view(),
        name="incident-evidence-file",
    ),
    path(
        "incidents/<str:id>/evidence/<str:original>/original",
        EvidenceOriginalView.as_view(),
        name="incident-evidence-original",
    ),
]
