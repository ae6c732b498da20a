"""The API of complaints (cases), the inbox, the hotline and the scorecard.

Reads come from ``cases.selectors`` (a case outside the caller's audience does not exist
for them); writes go through ``cases.services`` and ``cases.hotline``, the same calls as
the pages. The CAP feed of escalations is ``cases.alerts_api``. Routed by
``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.agreements import selectors as agreements
from coordcell.cases import determinations, hotline, lodging, releases, selectors, services
from coordcell.cases.chain import case_chain
from coordcell.cases.choices import (
    ChannelChoices,
    DeadlineKindChoices,
    StateChoices,
)
from coordcell.cases.models import Activation, Case, Notification
from coordcell.cases.scorecard import WINDOWS, scorecard
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.input import OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin, FlagFilter
from coordcell.incidents import selectors as incident_headlines
from coordcell.incidents.api import ReportInSerializer
from coordcell.parties import selectors as parties
from coordcell.rules import workflow
from coordcell.rules.mechanism import MECHANISM

__all__ = [
    "ActivationAnswerView",
    "ActivationConvertView",
    "ActivationDetailView",
    "ActivationListView",
    "CaseActionView",
    "CaseChainView",
    "CaseDetailView",
    "CaseExtendView",
    "CaseExtensionCountersignView",
    "CaseExtensionRefuseView",
    "CaseListView",
    "CasePrecedenceView",
    "InboxReadView",
    "InboxView",
    "InquiryView",
    "RemedyDoneView",
    "RemedyVerifyView",
    "ScorecardView",
    "urlpatterns",
]

TAGS = ["cases"]


class DeadlineSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    level = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    state = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="CaseDeadlineExtension")
class ExtensionSerializer(serializers.Serializer[Any]):
    deadline = serializers.CharField(source="deadline.kind")
    proposed_by = serializers.CharField()
    proposed_at = serializers.DateTimeField()
    from_due_at = serializers.DateTimeField()
    to_due_at = serializers.DateTimeField()
    hours = serializers.FloatField()
    reason = serializers.CharField()
    countersigned = serializers.DictField(child=serializers.CharField())
    state = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="CaseStep")
class StepSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    at = serializers.DateTimeField()
    party = serializers.CharField(source="party_code")
    state_after = serializers.CharField()
    level_after = serializers.IntegerField()
    entry_hash = serializers.CharField(source="entry.hash")
    text = serializers.SerializerMethodField()

    elements = serializers.SerializerMethodField(
        help_text="A verification result's elements (empty: a one-word result, or not one)."
    )

    def get_text(self, step: Any) -> str:
        return str(step.entry.data.get("text", ""))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_elements(self, step: Any) -> list[dict[str, Any]]:
        return list(step.entry.data.get("elements", []))


class CaseSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    incident = serializers.UUIDField(source="incident.public_id")
    protocol = serializers.CharField(source="protocol_id")
    complainant = serializers.SerializerMethodField(
        help_text="The party that lodged it; null for an inquiry opened of its own motion."
    )
    own_motion_by = serializers.CharField(
        help_text="For an inquiry of its own motion: the mediator or monitor party that opened it."
    )
    respondent = serializers.SerializerMethodField(
        help_text='The party it is about, or "mechanism" for a complaint to the mechanism.'
    )
    headline = serializers.SerializerMethodField(
        help_text=(
            "Generated from the incident, never typed: kind · place · local time, in the "
            "reader's language, the same for every reader."
        )
    )
    summary = serializers.CharField(help_text="The complaint as the complainant lodged it.")
    nature = serializers.CharField(
        help_text="complaint, or request_to_act: addressed to the party that controls the "
        "territory, to act, alleging no responsibility."
    )
    precedence = serializers.CharField(
        help_text='The precedence it was lodged with (its protocol\'s code), or "".'
    )
    state = serializers.CharField()
    level = serializers.IntegerField()
    audience = serializers.ListField(source="audience_codes", child=serializers.CharField())
    lodged_at = serializers.DateTimeField()
    next_due = serializers.DateTimeField(allow_null=True, default=None)
    determination = serializers.CharField()
    determined_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.ListField(child=serializers.CharField())

    def get_headline(self, case: Case) -> str:
        return incident_headlines.shared(self.context).of(case.incident)

    @extend_schema_field(OpenApiTypes.STR)
    def get_complainant(self, case: Case) -> str | None:
        return case.complainant.code if case.complainant is not None else None

    def get_respondent(self, case: Case) -> str:
        return case.respondent.code if case.respondent is not None else MECHANISM


class RemedySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    what = serializers.CharField()
    owner = serializers.CharField(help_text="The party code that is to do it.")
    due_at = serializers.DateTimeField()
    verifier = serializers.CharField(help_text='A monitor party\'s code, or "deciders".')
    state = serializers.CharField(help_text="open, done (awaiting verification) or verified.")
    done_at = serializers.DateTimeField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)
    missed = serializers.SerializerMethodField(help_text="Not done by its deadline.")

    def get_missed(self, remedy: Any) -> bool:
        return remedy.missed_at is not None


class ReservationSerializer(serializers.Serializer[Any]):
    party = serializers.CharField()
    text = serializers.CharField()
    at = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    outcome = serializers.CharField(
        help_text="What the determination found (empty: none yet, or a stored one-word case)."
    )
    clauses = serializers.ListField(child=serializers.CharField())
    remedies = RemedySerializer(many=True, source="remedies.all")
    reservations = ReservationSerializer(many=True)
    assented_at = serializers.DateTimeField(
        allow_null=True, help_text="When the complainant assented to closing the case."
    )
    non_compliance = serializers.BooleanField(help_text="A remedy missed its deadline.")
    resolution = serializers.JSONField(
        help_text="Terms proposed and agreed at working level (text, proposed_by, "
        "proposed_at, agreed_by, agreed_at); {}: none."
    )
    linked_case = serializers.SerializerMethodField(
        help_text="The case this one is linked to, if you may read it (else null)."
    )
    link_relation = serializers.CharField(help_text="duplicate or counter_complaint.")
    access_denials = serializers.SerializerMethodField(
        help_text="Per party, the verified elements it denied the monitors access to."
    )
    deadlines = DeadlineSerializer(many=True, source="deadlines.all")
    steps = StepSerializer(many=True, source="steps.all")
    extensions = ExtensionSerializer(many=True, source="extensions.all")
    your_actions = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    ladder = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_ladder(self, case: Case) -> dict[str, Any]:
        """Where the case stands on its ladder: at the top, when the next level may be
        reached at the earliest, and the grounds to climb held at this level."""
        status = services.climb_status(case)
        when = serializers.DateTimeField()
        return {
            "at_top": status["at_top"],
            "reached_at": when.to_representation(status["reached_at"]),
            "next_eligible_at": when.to_representation(status["next_eligible_at"])
            if status["next_eligible_at"]
            else None,
            "next_after_failure": status["next_after_failure"],
            "grounds": status["grounds"],
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_linked_case(self, case: Case) -> str | None:
        """The linked case's reference, only for a reader who may read it: hidden looks
        like missing."""
        if case.linked_case_id is None:
            return None
        visible = Case.objects.restrict(self.context["actor"]).filter(pk=case.linked_case_id)
        reference = visible.values_list("reference", flat=True).first()
        return str(reference) if reference else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_access_denials(self, case: Case) -> dict[str, int]:
        counts: dict[str, int] = {}
        for denial in selectors.access_denials(self.context["actor"], case=case):
            counts[denial.denied_by] = counts.get(denial.denied_by, 0) + 1
        return counts

    def get_your_actions(self, case: Case) -> list[str]:
        return services.available_actions(self.context["actor"], case)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_decision(self, case: Case) -> dict[str, Any]:
        """Who decides (the protocol's rule) and the pending joint proposal, if any."""
        decision = services.decision_of(case)
        return {
            "rule": decision.rule.rule,
            "deciders": list(decision.deciders),
            "proposed_determination": case.proposed_determination,
            "proposed_at": serializers.DateTimeField().to_representation(case.proposed_at)
            if case.proposed_at
            else None,
            "proposed_content": case.proposed_content or {},
            "concurred_by": list(decision.concurred),
            "awaiting": list(decision.pending),
        }


def _case_detail(actor: Actor, public_id: Any, **kwargs: Any) -> Response:
    """The case as the caller now sees it (read again after a write)."""
    case = selectors.get_case(actor, public_id)
    return Response(CaseDetailSerializer(case, context={"actor": actor}).data, **kwargs)


class CaseInSerializer(StrictSerializer):
    incident = serializers.UUIDField(
        required=False, help_text="An incident you may read; or give `report` instead."
    )
    report = ReportInSerializer(
        required=False, help_text="Report the incident and lodge the complaint in one request."
    )
    respondent = serializers.CharField(
        max_length=40,
        help_text='A party code, or "mechanism" where the protocol takes complaints '
        "addressed to the mechanism (its deciders answer).",
    )
    summary = serializers.CharField(max_length=10_000)
    protocol = serializers.CharField(
        max_length=40,
        required=False,
        help_text="A protocol id of the arrangement; by default the one serving complaints.",
    )
    audience = serializers.ListField(
        child=serializers.CharField(max_length=40),
        default=list,
        help_text="Parties to add to the default (the two parties, mediators and monitors).",
    )
    nature = serializers.ChoiceField(
        choices=["complaint", "request_to_act"],
        default="complaint",
        help_text="request_to_act: ask the party that controls the territory to act, "
        "alleging no responsibility.",
    )
    precedence = serializers.CharField(
        max_length=40,
        required=False,
        default="",
        allow_blank=True,
        help_text="A precedence code of the protocol (e.g. flash, immediate, routine); by "
        "default its lowest. It sets the first-response and answer deadlines.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("incident" in attrs) == ("report" in attrs):
            raise serializers.ValidationError(
                {"incident": [_("Give either an incident or a report of one.")]}
            )
        return attrs


def _party_or_invalid(actor: Actor, code: str, field: str) -> Any:
    """The party named in the body; an unknown one is bad input here, not a missing page."""
    try:
        return parties.access_party(actor, code)
    except NotFound:
        raise ValidationFailed({field: [_("Unknown party.")]}) from None


class CaseFilter(django_filters.FilterSet):  # type: ignore[misc]
    open = FlagFilter(
        method="filter_open",
        help_text="Yes: only cases still open; no: only closed ones.",
    )
    state = django_filters.MultipleChoiceFilter(
        choices=StateChoices.choices(),
        help_text="Only cases in these states (repeat the parameter for several).",
    )
    party = django_filters.CharFilter(
        method="filter_party",
        help_text="Only cases with this party (a code) as complainant or respondent.",
    )
    complainant = django_filters.CharFilter(
        field_name="complainant__code", help_text="Only cases this party lodged."
    )
    respondent = django_filters.CharFilter(
        method="filter_respondent",
        help_text='Only cases lodged against this party ("mechanism": addressed to it).',
    )

    class Meta:
        model = Case
        fields: list[str] = []

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_open(self, queryset: QuerySet[Case], name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        closed = Q(state__in=workflow.CLOSED_STATES)
        return queryset.exclude(closed) if value else queryset.filter(closed)

    def filter_respondent(self, queryset: QuerySet[Case], name: str, value: str) -> Any:
        if value == MECHANISM:
            return queryset.filter(respondent__isnull=True)
        return queryset.filter(respondent__code=value)

    def filter_party(self, queryset: QuerySet[Case], name: str, value: str) -> Any:
        return queryset.filter(Q(complainant__code=value) | Q(respondent__code=value))


class InquiryInSerializer(StrictSerializer):
    incident = serializers.UUIDField(help_text="An incident you may read.")
    respondent = serializers.CharField(max_length=40, help_text="The party concerned.")
    summary = serializers.CharField(max_length=10_000)
    protocol = serializers.CharField(
        max_length=40,
        required=False,
        help_text="A protocol id of the arrangement; by default the one serving complaints.",
    )


@extend_schema(
    tags=TAGS, request=InquiryInSerializer, responses={201: CaseDetailSerializer, **ERRORS}
)
class InquiryView(ActorMixin, APIView):
    """The mediator or a monitor opens a case of its own motion (no complainant party);
    the party concerned answers it. Its audience: the party concerned, the deciding
    parties, the mediators and the monitors."""

    def post(self, request: Request) -> Response:
        actor = self.actor
        form = InquiryInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        case = services.open_inquiry(
            actor=actor,
            incident=selectors.get_incident(actor, data["incident"]),
            respondent=data["respondent"],
            summary=data["summary"],
            protocol_id=data.get("protocol"),
        )
        return _case_detail(actor, case.public_id, status=status.HTTP_201_CREATED)


class _CaseView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """``get_object()``: the case of the URL, as the caller may see it."""

    def get_queryset(self) -> Any:
        return selectors.list_cases(self.actor)

    def get_object(self) -> Case:
        return selectors.get_case(self.actor, self.kwargs["id"])


@extend_schema(tags=TAGS)
class CaseListView(_CaseView, generics.ListAPIView):  # type: ignore[type-arg]
    """Complaints the caller may see (its audience), newest first, with the next
    deadline; lodge one."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    @extend_schema(responses={200: CaseSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CaseInSerializer, responses={201: CaseDetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = self.actor
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
                nature=data["nature"],
                precedence=data["precedence"],
            )
        else:
            case = services.lodge_complaint(
                actor=actor,
                incident=selectors.get_incident(actor, data["incident"]),
                respondent=data["respondent"],
                summary=data["summary"],
                protocol_id=data.get("protocol"),
                extra_audience=data["audience"],
                nature=data["nature"],
                precedence=data["precedence"],
            )
        return _case_detail(actor, case.public_id, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: CaseDetailSerializer, **ERRORS})
class CaseDetailView(_CaseView, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One case: its deadlines, its steps (each with its record entry), your actions."""

    serializer_class = CaseDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}


class RemedyInSerializer(StrictSerializer):
    what = serializers.CharField(max_length=2_000)
    owner = serializers.CharField(max_length=40, help_text="The party that is to do it.")
    due_at = OffsetDateTimeField(help_text="Its deadline, with a time zone.")
    verifier = serializers.CharField(
        max_length=40, help_text='A monitor party of the case, or "deciders".'
    )


class ElementInSerializer(StrictSerializer):
    element = serializers.CharField(
        max_length=30, help_text="presence, time, damage, casualties or attribution."
    )
    finding = serializers.CharField(
        max_length=30, help_text="established, partly, not_established or could_not_verify."
    )
    reason = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        default="",
        help_text="access_denied, insufficient_information or other (required for partly "
        "and could_not_verify).",
    )
    reason_text = serializers.CharField(
        max_length=1_000, required=False, allow_blank=True, default=""
    )
    denied_by = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="For access_denied: the party that denied access.",
    )


@extend_schema_serializer(component_name="CaseActionIn")
class ActionInSerializer(StrictSerializer):
    action = serializers.ChoiceField(
        choices=[a for a in workflow.PERSON_ACTIONS if a not in workflow.REMEDY_ACTIONS]
    )
    text = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    outcome = serializers.CharField(
        max_length=40,
        required=False,
        help_text="determine, propose: violation_established, not_established, "
        "insufficient_information or outside_scope.",
    )
    clauses = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=50,
        help_text="determine, propose: clause ids of the case's arrangement version.",
    )
    remedies = RemedyInSerializer(  # type: ignore[call-arg]  # max_length: DRF's ListSerializer
        many=True,
        required=False,
        max_length=20,
        help_text="determine, propose: the remedies ordered (at most 20).",
    )

    case = serializers.CharField(
        max_length=40, required=False, help_text="link: the other case's reference."
    )
    relation = serializers.CharField(
        max_length=30, required=False, help_text="link: duplicate or counter_complaint."
    )
    elements = ElementInSerializer(  # type: ignore[call-arg]  # max_length: DRF's ListSerializer
        many=True,
        required=False,
        max_length=5,
        help_text="record_verified, record_unverifiable, record_disputed: the result by element.",
    )

    def content(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "outcome": data.get("outcome", ""),
            "clauses": data.get("clauses", []),
            "remedies": data.get("remedies", []),
            "elements": data.get("elements", []),
            "case": data.get("case", ""),
            "relation": data.get("relation", ""),
        }


@extend_schema(
    tags=TAGS, request=ActionInSerializer, responses={200: CaseDetailSerializer, **ERRORS}
)
class CaseActionView(_CaseView):
    """Take a step: acknowledge, answer, request_verification, record_verified,
    record_unverifiable, record_disputed, determine, propose, concur, decline, reserve,
    assent, close, withdraw, escalate, reject_answer, record_level_outcome. Which decision
    step (determine; or, under a joint rule, propose, concur, decline) is the protocol's
    rule's: another answers 409. determine and propose carry the outcome, the clauses
    cited and the remedies, and come only once the respondent answered or the answer's
    deadline passed (else 409); close waits for every remedy verified or the
    complainant's assent (else 409). ``escalate`` needs reasons and grounds (a missed
    deadline, a rejected answer, or the mediator's decision) and a next level already
    eligible: otherwise 409 with the reason."""

    serializer_class = ActionInSerializer

    def post(self, request: Request, id: str) -> Response:
        case = self.get_object()
        form = ActionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.act(
            actor=self.actor,
            case=case,
            action=form.validated_data["action"],
            text=form.validated_data["text"],
            content=form.content(),
        )
        return _case_detail(self.actor, id)


class RemedyStepInSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class RemedyVerifyInSerializer(RemedyStepInSerializer):
    verified = serializers.BooleanField(
        default=True, help_text="False: found not done (it is open again; give a text)."
    )


@extend_schema(
    tags=TAGS, request=RemedyStepInSerializer, responses={200: CaseDetailSerializer, **ERRORS}
)
class RemedyDoneView(_CaseView):
    """The party that owns a remedy reports it done."""

    serializer_class = RemedyStepInSerializer

    def post(self, request: Request, id: str, remedy: str) -> Response:
        case = self.get_object()
        form = RemedyStepInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        determinations.mark_remedy_done(
            actor=self.actor,
            case=case,
            remedy=determinations.get_remedy(case, remedy),
            text=form.validated_data["text"],
        )
        return _case_detail(self.actor, id)


@extend_schema(
    tags=TAGS, request=RemedyVerifyInSerializer, responses={200: CaseDetailSerializer, **ERRORS}
)
class RemedyVerifyView(_CaseView):
    """A remedy's verifier (a monitor party, or the deciders) verifies it, or finds it
    not done."""

    serializer_class = RemedyVerifyInSerializer

    def post(self, request: Request, id: str, remedy: str) -> Response:
        case = self.get_object()
        form = RemedyVerifyInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        determinations.verify_remedy(
            actor=self.actor,
            case=case,
            remedy=determinations.get_remedy(case, remedy),
            verified=form.validated_data["verified"],
            text=form.validated_data["text"],
        )
        return _case_detail(self.actor, id)


class PrecedenceInSerializer(StrictSerializer):
    precedence = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=2_000)


@extend_schema(
    tags=TAGS, request=PrecedenceInSerializer, responses={200: CaseDetailSerializer, **ERRORS}
)
class CasePrecedenceView(_CaseView):
    """Change the case's precedence, with a reason (``text``): the complainant, the
    mediator or a deciding party. The open acknowledgement and answer deadlines are set
    again from the lodging with the new precedence's hours."""

    serializer_class = PrecedenceInSerializer

    def post(self, request: Request, id: str) -> Response:
        case = self.get_object()
        form = PrecedenceInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.change_precedence(
            actor=self.actor,
            case=case,
            precedence=form.validated_data["precedence"],
            reason=form.validated_data["text"],
        )
        return _case_detail(self.actor, id)


class ExtendInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=DeadlineKindChoices.values())
    # The limits are the service's (one statement of them); it answers out-of-range hours.
    hours = serializers.FloatField()
    text = serializers.CharField(max_length=2_000)


@extend_schema(
    tags=TAGS, request=ExtendInSerializer, responses={200: CaseDetailSerializer, **ERRORS}
)
class CaseExtendView(_CaseView):
    """The mediator (or a deciding party) proposes a deadline extension. It moves the
    deadline only when the complainant and the respondent have each countersigned it
    (``extension/countersign/``); until then the old deadline runs."""

    serializer_class = ExtendInSerializer

    def post(self, request: Request, id: str) -> Response:
        case = self.get_object()
        form = ExtendInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.propose_extension(
            actor=self.actor, case=case, kind=data["kind"], hours=data["hours"], reason=data["text"]
        )
        return _case_detail(self.actor, id)


class ExtensionDecisionInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=DeadlineKindChoices.values())
    text = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


@extend_schema(
    tags=TAGS,
    request=ExtensionDecisionInSerializer,
    responses={200: CaseDetailSerializer, **ERRORS},
)
class CaseExtensionCountersignView(_CaseView):
    """The complainant or the respondent countersigns the pending extension of the
    ``kind`` deadline; the second countersignature moves the deadline. 409 when none is
    pending or your party already countersigned."""

    serializer_class = ExtensionDecisionInSerializer

    def post(self, request: Request, id: str) -> Response:
        case = self.get_object()
        form = ExtensionDecisionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.countersign_extension(
            actor=self.actor, case=case, kind=form.validated_data["kind"]
        )
        return _case_detail(self.actor, id)


@extend_schema(
    tags=TAGS,
    request=ExtensionDecisionInSerializer,
    responses={200: CaseDetailSerializer, **ERRORS},
)
class CaseExtensionRefuseView(_CaseView):
    """The complainant or the respondent refuses the pending extension of the ``kind``
    deadline (``text``: why, optional): it lapses and the old deadline stands."""

    serializer_class = ExtensionDecisionInSerializer

    def post(self, request: Request, id: str) -> Response:
        case = self.get_object()
        form = ExtensionDecisionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.refuse_extension(
            actor=self.actor, case=case, kind=data["kind"], reason=data["text"]
        )
        return _case_detail(self.actor, id)


@extend_schema(tags=TAGS, responses={200: OpenApiTypes.OBJECT, **ERRORS})
class CaseChainView(_CaseView):
    """Proof that the mechanism was tried: every step with its time, deadline outcomes,
    and its record entry with an inclusion proof in the latest checkpoint."""

    serializer_class = CaseSerializer

    def get(self, request: Request, id: str) -> Response:
        return Response(case_chain(self.actor, self.get_object()))


# --- the inbox --------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    case = serializers.UUIDField(source="case.public_id")
    reference = serializers.CharField(source="case.reference")
    action = serializers.CharField(source="step.action")
    state = serializers.CharField(source="step.state_after")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    next_due = serializers.DateTimeField(allow_null=True, default=None)


class InboxFilter(django_filters.FilterSet):  # type: ignore[misc]
    unread = FlagFilter(
        field_name="read_at",
        lookup_expr="isnull",
        help_text="Yes: only unread items; no: only read ones.",
    )

    class Meta:
        model = Notification
        fields: list[str] = []


@extend_schema(tags=TAGS)
class InboxView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The caller's own inbox: every step of a case in its audience, newest first."""

    serializer_class = NotificationSerializer
    filterset_class = InboxFilter

    def get_queryset(self) -> Any:
        return selectors.list_notifications(self.actor)

    @extend_schema(responses={200: NotificationSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class _UUIDText(serializers.UUIDField):
    """A UUID written as text (DRF's field would also take a number as a UUID)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ReadInSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=_UUIDText(),
        required=False,
        allow_null=True,
        max_length=1000,
    )


@extend_schema(tags=TAGS, request=ReadInSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS})
class InboxReadView(ActorMixin, APIView):
    """Mark inbox items read (``ids``, or all when absent)."""

    def post(self, request: Request) -> Response:
        form = ReadInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ids = form.validated_data.get("ids")
        count = services.mark_read(actor=self.actor, notification_ids=ids)
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
    bilateral = serializers.BooleanField()


class ActivationInSerializer(StrictSerializer):
    callee = serializers.CharField(max_length=40)
    channel = serializers.ChoiceField(choices=ChannelChoices.values())
    subject = serializers.CharField(max_length=5_000)
    bilateral = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A private call between a party and the mediator: no one else sees it.",
    )


@extend_schema_serializer(component_name="HotlineAnswerIn")
class AnswerInSerializer(StrictSerializer):
    answer = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


# Its own name, kept: a subclass would take its base's component_name.
@extend_schema_serializer(component_name="ConvertIn")
class ConvertInSerializer(ReportInSerializer):
    respondent = serializers.CharField(
        max_length=40,
        help_text='A party code, or "mechanism" where the hotline protocol takes it.',
    )
    summary = serializers.CharField(max_length=10_000)
    precedence = serializers.CharField(
        max_length=40,
        required=False,
        default="",
        allow_blank=True,
        help_text="A precedence code of the protocol (e.g. flash, immediate, routine); by "
        "default its lowest. It sets the first-response and answer deadlines.",
    )


class ActivationFilter(django_filters.FilterSet):  # type: ignore[misc]
    answered = FlagFilter(
        field_name="answered_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="Yes: only answered activations; no: only those still waiting.",
    )
    channel = django_filters.ChoiceFilter(
        choices=ChannelChoices.choices(), help_text="Only this channel."
    )

    class Meta:
        model = Activation
        fields: list[str] = []


class _ActivationView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """``get_object()``: the activation of the URL, as the caller may see it."""

    def get_queryset(self) -> Any:
        return selectors.list_activations(self.actor)

    def get_object(self) -> Activation:
        return selectors.get_activation(self.actor, self.kwargs["id"])


@extend_schema(tags=["hotline"])
class ActivationListView(_ActivationView, generics.ListAPIView):  # type: ignore[type-arg]
    """Hotline activations the caller may see (caller, called party, mediator), newest
    first; log one."""

    serializer_class = ActivationSerializer
    filterset_class = ActivationFilter

    @extend_schema(responses={200: ActivationSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ActivationInSerializer, responses={201: ActivationSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = self.actor
        form = ActivationInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        activation = hotline.activate(
            actor=actor,
            callee=_party_or_invalid(actor, data["callee"], "callee"),
            channel=data["channel"],
            subject_text=data["subject"],
            version=agreements.get_version(actor, None, None),
            bilateral=data["bilateral"],
        )
        return Response(ActivationSerializer(activation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["hotline"], responses={200: ActivationSerializer, **ERRORS})
class ActivationDetailView(_ActivationView, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One hotline activation."""

    serializer_class = ActivationSerializer


@extend_schema(
    tags=["hotline"], request=AnswerInSerializer, responses={200: ActivationSerializer, **ERRORS}
)
class ActivationAnswerView(_ActivationView):
    """The called party answers (once); the time to answer is recorded."""

    serializer_class = AnswerInSerializer

    def post(self, request: Request, id: str) -> Response:
        activation = self.get_object()
        form = AnswerInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        activation = hotline.answer(
            actor=self.actor, activation=activation, text=form.validated_data["answer"]
        )
        return Response(ActivationSerializer(activation).data)


@extend_schema(
    tags=["hotline"], request=ConvertInSerializer, responses={201: CaseDetailSerializer, **ERRORS}
)
class ActivationConvertView(_ActivationView):
    """Turn an activation into an incident and a complaint in one step."""

    serializer_class = ConvertInSerializer

    def post(self, request: Request, id: str) -> Response:
        actor = self.actor
        activation = self.get_object()
        form = ConvertInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case = lodging.report_and_lodge(
            actor=actor,
            version=activation.version,
            incident=form.to_input(),
            respondent=form.validated_data["respondent"],
            summary=form.validated_data["summary"],
            activation=activation,
            precedence=form.validated_data["precedence"],
        )
        return _case_detail(actor, case.public_id, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"], responses={200: OpenApiTypes.OBJECT, **ERRORS})
class ScorecardView(ActorMixin, APIView):
    """The mechanism's scorecard: per party and month, counts and times of the cases and
    hotline calls the caller may see.

    One object (bounded by the parties and the months), not a list: it is not paged."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "window",
                str,
                enum=list(WINDOWS),
                description="Count by day, ISO week or month (UTC); default month.",
            )
        ]
    )
    def get(self, request: Request) -> Response:
        return Response(scorecard(self.actor, request.query_params.get("window") or "month"))


@extend_schema(tags=["cases"], request=None, responses={200: OpenApiTypes.OBJECT, **ERRORS})
class ScorecardReleaseView(ActorMixin, APIView):
    """Countersign the release of the scorecard beyond the parties, for one's party; the
    last party's countersignature releases it to donors and observers."""

    def post(self, request: Request) -> Response:
        release = releases.release_scorecard(actor=self.actor)
        return Response(
            {
                "signed_by": list(release.signed_by),
                "released_at": release.released_at,
            }
        )


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", CaseListView.as_view(), name="cases"),
    path("inquiries/", InquiryView.as_view(), name="inquiries"),
    path("cases/<str:id>/", CaseDetailView.as_view(), name="case"),
    path("cases/<str:id>/actions/", CaseActionView.as_view(), name="case-actions"),
    path("cases/<str:id>/extend/", CaseExtendView.as_view(), name="case-extend"),
    path(
        "cases/<str:id>/remedies/<str:remedy>/done/",
        RemedyDoneView.as_view(),
        name="case-remedy-done",
    ),
    path(
        "cases/<str:id>/remedies/<str:remedy>/verify/",
        RemedyVerifyView.as_view(),
        name="case-remedy-verify",
    ),
    path("cases/<str:id>/precedence/", CasePrecedenceView.as_view(), name="case-precedence"),
    path(
        "cases/<str:id>/extension/countersign/",
        CaseExtensionCountersignView.as_view(),
        name="case-extension-countersign",
    ),
    path(
        "cases/<str:id>/extension/refuse/",
        CaseExtensionRefuseView.as_view(),
        name="case-extension-refuse",
    ),
    path("cases/<str:id>/chain/", CaseChainView.as_view(), name="case-chain"),
    path("inbox/", InboxView.as_view(), name="inbox"),
    path("inbox/read/", InboxReadView.as_view(), name="inbox-read"),
    path("hotline/", ActivationListView.as_view(), name="hotline"),
    path("hotline/<str:id>/", ActivationDetailView.as_view(), name="activation"),
    path("hotline/<str:id>/answer/", ActivationAnswerView.as_view(), name="activation-answer"),
    path("hotline/<str:id>/convert/", ActivationConvertView.as_view(), name="activation-convert"),
    path("scorecard/", ScorecardView.as_view(), name="scorecard"),
    path("scorecard/release/", ScorecardReleaseView.as_view(), name="scorecard-release"),
]
