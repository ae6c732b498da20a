"""The API of incidents, complaints (cases) and the inbox, through the same services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.agreements import selectors as agreements
from coordcell.api.input import GeometryField, StrictSerializer
from coordcell.api.views import ERRORS
from coordcell.cases import hotline, lodging, selectors, services
from coordcell.cases.chain import case_chain
from coordcell.cases.choices import ChannelChoices, DeadlineKindChoices
from coordcell.cases.models import Case
from coordcell.cases.scorecard import scorecard
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.http import actor_for
from coordcell.incidents import services as incident_services
from coordcell.incidents.choices import ActorClaimChoices, PrecisionChoices
from coordcell.incidents.evidence import add_evidence, evidence_response, open_evidence
from coordcell.incidents.models import Incident
from coordcell.parties import selectors as parties
from coordcell.rules import workflow

TAGS = ["cases"]


class AccountSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party.code")
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


class IncidentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    occurred_from = serializers.DateTimeField()
    occurred_until = serializers.DateTimeField(allow_null=True)
    time_precision = serializers.CharField()
    geometry = serializers.DictField()
    uncertainty_m = serializers.FloatField()
    source = serializers.CharField()  # type: ignore[assignment]
    source_party = serializers.CharField(source="source_party.code", allow_null=True, default=None)
    source_dataset = serializers.CharField()
    source_ref = serializers.CharField()
    version = serializers.SerializerMethodField()
    zones = serializers.ListField(child=serializers.CharField())
    possible_zones = serializers.ListField(child=serializers.CharField())
    findings = serializers.ListField(child=serializers.DictField())
    problems = serializers.ListField(child=serializers.DictField())
    accounts = AccountSerializer(many=True, source="accounts.all")
    evidence = serializers.SerializerMethodField()
    reported_at = serializers.DateTimeField()

    def get_evidence(self, incident: Incident) -> list[dict[str, Any]]:
        return [
            {"sha256": e.sha256, "size": e.size, "content_type": e.content_type,
             "filename": e.filename}
            for e in incident.evidence.all()
        ]  # fmt: skip

    def get_version(self, incident: Incident) -> str:
        return f"{incident.version.arrangement.key} v{incident.version.number}"


class IncidentInSerializer(StrictSerializer):
    kind = serializers.CharField(max_length=60)
    title = serializers.CharField(max_length=300)
    occurred_from = serializers.DateTimeField()
    occurred_until = serializers.DateTimeField(required=False, allow_null=True)
    time_precision = serializers.ChoiceField(
        choices=PrecisionChoices.values(), default=PrecisionChoices.MINUTE
    )
    geometry = GeometryField()
    uncertainty_m = serializers.FloatField(default=0, min_value=0, max_value=1_000_000)
    audience = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text=(
            'Party codes that may read it, or ["*"] for every member. Omitted: your '
            "party, the mediators and the monitors. Never empty."
        ),
    )

    def to_input(self) -> incident_services.IncidentInput:
        return self.input_from(self.validated_data)

    @staticmethod
    def input_from(data: Any) -> incident_services.IncidentInput:
        """The service's input from validated data (this serializer's, or a nested one's)."""
        return incident_services.IncidentInput(
            kind=data["kind"],
            title=data["title"],
            occurred_from=data["occurred_from"],
            occurred_until=data.get("occurred_until"),
            time_precision=data["time_precision"],
            geometry=data["geometry"],
            uncertainty_m=data["uncertainty_m"],
        )


class ReportInSerializer(IncidentInSerializer):
    """The incident a complaint reports in the same request (it takes the case's audience)."""

    audience = None  # type: ignore[assignment]


@extend_schema(tags=TAGS)
class IncidentListView(APIView):
    """Incidents the caller may see; reporting one computes its findings."""

    @extend_schema(responses={200: IncidentSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        items = selectors.list_incidents(actor_for(request)).prefetch_related("accounts__party")
        return Response(IncidentSerializer(items[:500], many=True).data)

    @extend_schema(request=IncidentInSerializer, responses={201: IncidentSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = actor_for(request)
        form = IncidentInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        incident = incident_services.report_incident(
            actor=actor,
            data=form.to_input(),
            version=agreements.get_version(actor, None, None),
            audience=form.validated_data.get("audience"),
        )
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentCorrectionSerializer(ReportInSerializer):
    """The fields a correction may change; those left out keep their value."""


@extend_schema(tags=TAGS)
class IncidentDetailView(APIView):
    """One incident, with each party's version side by side; its reporter corrects it."""

    @extend_schema(responses={200: IncidentSerializer, **ERRORS})
    def get(self, request: Request, id: str) -> Response:
        return Response(IncidentSerializer(selectors.get_incident(actor_for(request), id)).data)

    @extend_schema(
        request=IncidentCorrectionSerializer, responses={200: IncidentSerializer, **ERRORS}
    )
    def patch(self, request: Request, id: str) -> Response:
        """Correct kind, title, time or place (the reporting party only); the findings are
        computed again under the arrangement version in force, and recorded."""
        actor = actor_for(request)
        incident = selectors.get_incident(actor, id)
        form = IncidentCorrectionSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        given = form.validated_data
        changed = incident_services.change_incident(
            actor=actor,
            incident=incident,
            data=incident_services.IncidentInput(
                kind=given.get("kind", incident.kind),
                title=given.get("title", incident.title),
                occurred_from=given.get("occurred_from", incident.occurred_from),
                occurred_until=given.get("occurred_until", incident.occurred_until),
                time_precision=given.get("time_precision", incident.time_precision),
                geometry=given.get("geometry", incident.geometry),
                uncertainty_m=given.get("uncertainty_m", incident.uncertainty_m),
            ),
            version=agreements.get_version(actor, None, None),
        )
        return Response(IncidentSerializer(selectors.get_incident(actor, changed.public_id)).data)


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
    actor_claim = serializers.ChoiceField(choices=ActorClaimChoices.values(), default="unknown")
    actor_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    casualties = CasualtiesInSerializer(required=False, default=dict)
    narrative = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=""
    )


@extend_schema(tags=TAGS, request=AccountInSerializer, responses={200: AccountSerializer, **ERRORS})
class IncidentAccountView(APIView):
    """Give or revise one's party's version of an incident."""

    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        incident = selectors.get_incident(actor, id)
        form = AccountInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = incident_services.give_account(
            actor=actor, incident=incident, **form.validated_data
        )
        return Response(AccountSerializer(account).data)


class DeadlineSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    level = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    state = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


class StepSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    at = serializers.DateTimeField()
    party = serializers.CharField(source="party_code")
    state_after = serializers.CharField()
    level_after = serializers.IntegerField()
    entry = serializers.IntegerField(source="entry.seq")
    entry_hash = serializers.CharField(source="entry.hash")
    text = serializers.SerializerMethodField()

    def get_text(self, step: Any) -> str:
        return str(step.entry.data.get("text", ""))


class CaseSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    incident = serializers.UUIDField(source="incident.public_id")
    protocol = serializers.CharField(source="protocol_id")
    complainant = serializers.CharField(source="complainant.code")
    respondent = serializers.CharField(source="respondent.code")
    summary = serializers.CharField()
    state = serializers.CharField()
    level = serializers.IntegerField()
    audience = serializers.ListField(source="audience_codes", child=serializers.CharField())
    lodged_at = serializers.DateTimeField()
    next_due = serializers.DateTimeField(allow_null=True, default=None)
    determination = serializers.CharField()
    determined_at = serializers.DateTimeField(allow_null=True)


class CaseDetailSerializer(CaseSerializer):
    deadlines = DeadlineSerializer(many=True, source="deadlines.all")
    steps = StepSerializer(many=True, source="steps.all")
    your_actions = serializers.SerializerMethodField()

    def get_your_actions(self, case: Case) -> list[str]:
        actor = self.context["actor"]
        return workflow.allowed_actions(case.state, services.sides_of(actor, case))


class CaseInSerializer(StrictSerializer):
    incident = serializers.UUIDField(
        required=False, help_text="An incident you may read; or give `report` instead."
    )
    report = ReportInSerializer(
        required=False, help_text="Report the incident and lodge the complaint in one request."
    )
    respondent = serializers.CharField(max_length=40)
    summary = serializers.CharField(max_length=10_000)
    protocol = serializers.CharField(max_length=40, default="complaint")
    audience = serializers.ListField(
        child=serializers.CharField(max_length=40),
        default=list,
        help_text="Parties to add to the default (the two parties, mediators and monitors).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("incident" in attrs) == ("report" in attrs):
            raise serializers.ValidationError(
                {"incident": [_("Give either an incident or a report of one.")]}
            )
        return attrs


@extend_schema(tags=TAGS)
class CaseListView(APIView):
    """Complaints the caller may see (its audience), with the next deadline; lodge one."""

    @extend_schema(
        parameters=[OpenApiParameter("open", bool, description="Only cases still open.")],
        responses={200: CaseSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        open_only = request.query_params.get("open") in ("1", "true", "yes")
        items = selectors.list_cases(actor_for(request), open_only=open_only)
        return Response(CaseSerializer(items[:500], many=True).data)

    @extend_schema(request=CaseInSerializer, responses={201: CaseDetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = actor_for(request)
        form = CaseInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if "report" in data:
            case = lodging.report_and_lodge(
                actor=actor,
                version=agreements.get_version(actor, None, None),
                incident=ReportInSerializer.input_from(data["report"]),
                respondent=data["respondent"],
                summary=data["summary"],
                extra_audience=data["audience"],
            )
        else:
            case = services.lodge_complaint(
                actor=actor,
                incident=selectors.get_incident(actor, data["incident"]),
                respondent=data["respondent"],
                summary=data["summary"],
                protocol_id=data["protocol"],
                extra_audience=data["audience"],
            )
        case = selectors.get_case(actor, case.public_id)
        return Response(
            CaseDetailSerializer(case, context={"actor": actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, responses={200: CaseDetailSerializer, **ERRORS})
class CaseDetailView(APIView):
    """One case: its deadlines, its steps (each with its record entry), your actions."""

    def get(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        case = selectors.get_case(actor, id)
        return Response(CaseDetailSerializer(case, context={"actor": actor}).data)


class ActionInSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=list(workflow.PERSON_ACTIONS))
    text = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


@extend_schema(
    tags=TAGS, request=ActionInSerializer, responses={200: CaseDetailSerializer, **ERRORS}
)
class CaseActionView(APIView):
    """Take a step: acknowledge, answer, request_verification, record_verified,
    record_unverifiable, record_disputed, determine, remedy, close, withdraw, escalate."""

    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        case = selectors.get_case(actor, id)
        form = ActionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.act(
            actor=actor,
            case=case,
            action=form.validated_data["action"],
            text=form.validated_data["text"],
        )
        case = selectors.get_case(actor, id)
        return Response(CaseDetailSerializer(case, context={"actor": actor}).data)


@extend_schema(tags=TAGS, responses={200: serializers.DictField(), **ERRORS})
class CaseChainView(APIView):
    """Proof that the mechanism was tried: every step with its time, deadline outcomes,
    and its record entry with an inclusion proof in the latest checkpoint."""

    def get(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        return Response(case_chain(actor, selectors.get_case(actor, id)))


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    case = serializers.UUIDField(source="case.public_id")
    reference = serializers.CharField(source="case.reference")
    action = serializers.CharField(source="step.action")
    state = serializers.CharField(source="step.state_after")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    next_due = serializers.DateTimeField(allow_null=True, default=None)


class ReadInSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_null=True,
        max_length=1000,
    )


@extend_schema(tags=TAGS)
class InboxView(APIView):
    """The caller's own inbox: every step of a case in its audience, newest first."""

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only unread items.")],
        responses={200: NotificationSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        unread = request.query_params.get("unread") in ("1", "true", "yes")
        items = selectors.list_notifications(actor_for(request), unread_only=unread)
        return Response(NotificationSerializer(items[:500], many=True).data)


@extend_schema(
    tags=TAGS, request=ReadInSerializer, responses={200: serializers.DictField(), **ERRORS}
)
class InboxReadView(APIView):
    """Mark inbox items read (``ids``, or all when absent)."""

    def post(self, request: Request) -> Response:
        form = ReadInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        count = services.mark_read(
            actor=actor_for(request), notification_ids=form.validated_data.get("ids")
        )
        return Response({"marked": count})


# --- the hotline ------------------------------------------------------------------------


class ActivationSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    channel = serializers.CharField()
    caller_party = serializers.CharField(source="caller_party.code")
    callee_party = serializers.CharField(source="callee_party.code")
    subject = serializers.CharField()
    received_at = serializers.DateTimeField()
    answer_due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField()
    seconds_to_answer = serializers.FloatField(allow_null=True)
    case = serializers.UUIDField(source="case.public_id", allow_null=True, default=None)


class ActivationInSerializer(StrictSerializer):
    callee = serializers.CharField(max_length=40)
    channel = serializers.ChoiceField(choices=ChannelChoices.values())
    subject = serializers.CharField(max_length=5_000)


class AnswerInSerializer(StrictSerializer):
    answer = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class ConvertInSerializer(ReportInSerializer):
    respondent = serializers.CharField(max_length=40)
    summary = serializers.CharField(max_length=10_000)


def _party_or_invalid(actor: Any, code: str, field: str) -> Any:
    try:
        return parties.access_party(actor, code)
    except NotFound:
        raise ValidationFailed({field: [_("Unknown party.")]}) from None


@extend_schema(tags=["hotline"])
class ActivationListView(APIView):
    """Hotline activations the caller may see (caller, called party, mediator); log one."""

    @extend_schema(responses={200: ActivationSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        items = selectors.list_activations(actor_for(request))
        return Response(ActivationSerializer(items[:500], many=True).data)

    @extend_schema(request=ActivationInSerializer, responses={201: ActivationSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = actor_for(request)
        form = ActivationInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        activation = hotline.activate(
            actor=actor,
            callee=_party_or_invalid(actor, data["callee"], "callee"),
            channel=data["channel"],
            subject_text=data["subject"],
            version=agreements.get_version(actor, None, None),
        )
        return Response(ActivationSerializer(activation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["hotline"], responses={200: ActivationSerializer, **ERRORS})
class ActivationDetailView(APIView):
    """One hotline activation."""

    def get(self, request: Request, id: str) -> Response:
        return Response(ActivationSerializer(selectors.get_activation(actor_for(request), id)).data)


@extend_schema(
    tags=["hotline"], request=AnswerInSerializer, responses={200: ActivationSerializer, **ERRORS}
)
class ActivationAnswerView(APIView):
    """The called party answers (once); the time to answer is recorded."""

    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        activation = selectors.get_activation(actor, id)
        form = AnswerInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        activation = hotline.answer(
            actor=actor, activation=activation, text=form.validated_data["answer"]
        )
        return Response(ActivationSerializer(activation).data)


@extend_schema(
    tags=["hotline"], request=ConvertInSerializer, responses={201: CaseDetailSerializer, **ERRORS}
)
class ActivationConvertView(APIView):
    """Turn an activation into an incident and a complaint in one step."""

    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        activation = selectors.get_activation(actor, id)
        form = ConvertInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case = lodging.report_and_lodge(
            actor=actor,
            version=activation.version,
            incident=form.to_input(),
            respondent=form.validated_data["respondent"],
            summary=form.validated_data["summary"],
            activation=activation,
        )
        case = selectors.get_case(actor, case.public_id)
        return Response(
            CaseDetailSerializer(case, context={"actor": actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["cases"], responses={200: serializers.DictField(), **ERRORS})
class ScorecardView(APIView):
    """The mechanism's scorecard: per party and month, counts and times, the same for all."""

    def get(self, request: Request) -> Response:
        return Response(scorecard(actor_for(request)))


# --- evidence ---------------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer[Any]):
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    filename = serializers.CharField()
    party = serializers.CharField(source="party.code", allow_null=True, default=None)
    uploaded_at = serializers.DateTimeField()


class EvidenceInSerializer(StrictSerializer):
    file = serializers.FileField()


@extend_schema(
    tags=TAGS, request={"multipart/form-data": EvidenceInSerializer},
    responses={201: EvidenceSerializer, **ERRORS},
)  # fmt: skip
class EvidenceUploadView(APIView):
    """Attach a file (multipart field ``file``) to an incident the caller may see."""

    parser_classes = [MultiPartParser]

    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        incident = selectors.get_incident(actor, id)
        form = EvidenceInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        evidence = add_evidence(actor=actor, incident=incident, upload=upload, filename=upload.name)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): bytes, **ERRORS})
class EvidenceDownloadView(APIView):
    """The file, as an attachment, for those who may see the incident."""

    def get(self, request: Request, id: str, sha256: str) -> Any:
        actor = actor_for(request)
        incident = selectors.get_incident(actor, id)
        evidence, handle = open_evidence(actor, incident, sha256)
        return evidence_response(evidence, handle)


class ExtendInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=DeadlineKindChoices.values())
    # The limits are the service's (one statement of them); it answers out-of-range hours.
    hours = serializers.FloatField()
    text = serializers.CharField(max_length=2_000)


@extend_schema(
    tags=TAGS, request=ExtendInSerializer, responses={200: CaseDetailSerializer, **ERRORS}
)
class CaseExtendView(APIView):
    """The mediator records a deadline extension the parties agreed to."""

    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        case = selectors.get_case(actor, id)
        form = ExtendInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.extend_deadline(
            actor=actor, case=case, kind=data["kind"], hours=data["hours"], reason=data["text"]
        )
        case = selectors.get_case(actor, id)
        return Response(CaseDetailSerializer(case, context={"actor": actor}).data)
