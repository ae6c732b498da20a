"""The API of the hotline's thread (messages, relay, commitments), of warnings and of the
warning-before-action ledger.

Reads come from ``cases.selectors`` and ``cases.exchange_selectors`` (hidden answers
404, like missing); writes go through ``cases.thread`` and ``cases.warnings``, the same
calls as the pages. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.agreements import selectors as agreements
from coordcell.cases import action_warnings, exchange_selectors, ledger, selectors, thread
from coordcell.cases.exchange_choices import (
    CommitmentKindChoices,
    ConfirmationChoices,
    OutcomeChoices,
)
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.input import OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.incidents import selectors as incident_selectors

__all__ = ["urlpatterns"]

HOTLINE = ["hotline"]
WARNINGS = ["warnings"]


@extend_schema_serializer(component_name="HotlineCommitment")
class CommitmentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    party = serializers.CharField(source="party.code")
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()
    state = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    text = serializers.CharField(source="closing_text")


class MessageSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    author = serializers.CharField(source="author_party.code")
    at = serializers.DateTimeField()
    text = serializers.CharField()
    relay_requested_at = serializers.DateTimeField(allow_null=True)
    relayed_at = serializers.DateTimeField(allow_null=True)
    relayed_by = serializers.CharField(
        source="relayed_by_party.code", allow_null=True, default=None
    )
    commitment = serializers.SerializerMethodField()

    def get_commitment(self, message: Any) -> dict[str, Any] | None:
        promise = getattr(message, "commitment", None)
        return CommitmentSerializer(promise).data if promise is not None else None


class MessageInSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5_000, allow_blank=True)
    commitment = serializers.ChoiceField(
        choices=CommitmentKindChoices.values(), required=False, allow_blank=True, default=""
    )
    due_at = OffsetDateTimeField(
        required=False, allow_null=True, default=None, help_text="With its time zone."
    )
    via_mediator = serializers.BooleanField(required=False, default=False)


class CloseInSerializer(StrictSerializer):
    kept = serializers.BooleanField(
        help_text="True: its own party reports it kept; false: the other side reports a breach."
    )
    text = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


@extend_schema(tags=HOTLINE)
class MessageListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The messages of a call the caller may see, oldest first; add one."""

    serializer_class = MessageSerializer

    def get_queryset(self) -> Any:
        activation = selectors.get_activation(self.actor, self.kwargs["id"])
        return exchange_selectors.list_messages(self.actor, activation)

    @extend_schema(responses={200: MessageSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=MessageInSerializer, responses={201: MessageSerializer, **ERRORS})
    def post(self, request: Request, id: str) -> Response:
        activation = selectors.get_activation(self.actor, id)
        form = MessageInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        message = thread.post_message(
            actor=self.actor,
            activation=activation,
            text=data["text"],
            commitment=data["commitment"],
            due_at=data["due_at"],
            via_mediator=data["via_mediator"],
        )
        message = exchange_selectors.get_message(self.actor, message.public_id)
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=HOTLINE, request=None, responses={200: MessageSerializer, **ERRORS})
class MessageRelayView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator passes a party's message on to the call (one record entry)."""

    serializer_class = MessageSerializer

    def post(self, request: Request, id: str) -> Response:
        message = exchange_selectors.get_message(self.actor, id)
        thread.relay_message(actor=self.actor, message=message)
        message = exchange_selectors.get_message(self.actor, id)
        return Response(MessageSerializer(message).data)


@extend_schema(
    tags=HOTLINE, request=CloseInSerializer, responses={200: CommitmentSerializer, **ERRORS}
)
class CommitmentCloseView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Report a commitment kept (its party) or broken (the other side), before its time."""

    serializer_class = CloseInSerializer

    def post(self, request: Request, id: str) -> Response:
        commitment = exchange_selectors.get_commitment(self.actor, id)
        form = CloseInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        closed = thread.close_commitment(
            actor=self.actor,
            commitment=commitment,
            kept=form.validated_data["kept"],
            text=form.validated_data["text"],
        )
        return Response(CommitmentSerializer(closed).data)


# --- warnings ------------------------------------------------------------------------


class ConfirmationSerializer(serializers.Serializer[Any]):
    monitor = serializers.CharField(source="party.code")
    result = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class WarningSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    warner = serializers.CharField(source="warner.code")
    addressee = serializers.CharField(source="addressee.code")
    geometry = serializers.DictField()
    threat = serializers.CharField()
    act_kind = serializers.CharField()
    action_requested = serializers.CharField()
    window_hours = serializers.FloatField()
    monitors_included = serializers.BooleanField()
    passed_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    window_due_at = serializers.DateTimeField()
    window_state = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    action_text = serializers.CharField()
    acted_at = serializers.DateTimeField(allow_null=True)
    action_reported_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    outcome_at = serializers.DateTimeField(allow_null=True)
    outcome_text = serializers.CharField()
    audience = serializers.ListField(source="audience_codes", child=serializers.CharField())
    activation = serializers.SerializerMethodField()
    outcome_incident = serializers.SerializerMethodField()
    confirmations = serializers.SerializerMethodField()

    def get_activation(self, warning: Any) -> str | None:
        actor = self.context["actor"]
        if exchange_selectors.call_visible(actor, warning.activation):
            return str(warning.activation.public_id)
        return None

    def get_outcome_incident(self, warning: Any) -> str | None:
        incident = warning.outcome_incident
        if incident is None:
            return None
        visible = incident_selectors.list_incidents(self.context["actor"])
        return str(incident.public_id) if visible.filter(pk=incident.pk).exists() else None

    def get_confirmations(self, warning: Any) -> list[dict[str, Any]]:
        rows = exchange_selectors.list_confirmations(self.context["actor"], warning)
        return list(ConfirmationSerializer(rows, many=True).data)


class WarningInSerializer(StrictSerializer):
    addressee = serializers.CharField(max_length=40)
    geometry = serializers.DictField(help_text="A GeoJSON geometry, as an incident's.")
    threat = serializers.CharField(max_length=5_000)
    act_kind = serializers.CharField(max_length=60, help_text="An incident kind.")
    action_requested = serializers.CharField(max_length=5_000)
    window_hours = serializers.FloatField()
    include_monitors = serializers.BooleanField(required=False, default=False)
    passed_at = OffsetDateTimeField(
        required=False, allow_null=True, default=None, help_text="If given before now."
    )


@extend_schema_serializer(component_name="WarningActionIn")
class ActionInSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5_000)
    acted_at = OffsetDateTimeField(required=False, allow_null=True, default=None)


class ConfirmationInSerializer(StrictSerializer):
    result = serializers.ChoiceField(choices=ConfirmationChoices.values())
    reason = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="WarningOutcomeIn")
class OutcomeInSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=OutcomeChoices.values())
    text = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")
    incident = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="The unilateral action's."
    )


def _warning(actor: Actor, public_id: Any, **kwargs: Any) -> Response:
    warning = exchange_selectors.get_warning(actor, public_id)
    return Response(WarningSerializer(warning, context={"actor": actor}).data, **kwargs)


def _pass(actor: Actor, data: dict[str, Any], activation: Any = None) -> Response:
    warning = action_warnings.pass_warning(
        actor=actor,
        version=agreements.get_version(actor, None, None),
        addressee=data["addressee"],
        geometry=data["geometry"],
        threat=data["threat"],
        act_kind=data["act_kind"],
        action_requested=data["action_requested"],
        window_hours=data["window_hours"],
        include_monitors=data["include_monitors"],
        passed_at=data["passed_at"],
        activation=activation,
    )
    return _warning(actor, warning.public_id, status=status.HTTP_201_CREATED)


@extend_schema(tags=WARNINGS)
class WarningListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Warnings the caller may see, newest first; pass one."""

    serializer_class = WarningSerializer

    def get_queryset(self) -> Any:
        return exchange_selectors.list_warnings(self.actor)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}

    @extend_schema(responses={200: WarningSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=WarningInSerializer, responses={201: WarningSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = WarningInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return _pass(self.actor, form.validated_data)


@extend_schema(tags=WARNINGS, responses={200: WarningSerializer, **ERRORS})
class WarningDetailView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """One warning, with the monitors' findings."""

    serializer_class = WarningSerializer

    def get(self, request: Request, id: str) -> Response:
        return _warning(self.actor, id)


@extend_schema(
    tags=WARNINGS, request=WarningInSerializer, responses={201: WarningSerializer, **ERRORS}
)
class ActivationWarningView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Turn a hotline call into a warning (its caller or called party)."""

    serializer_class = WarningInSerializer

    def post(self, request: Request, id: str) -> Response:
        activation = selectors.get_activation(self.actor, id)
        form = WarningInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return _pass(self.actor, form.validated_data, activation)


@extend_schema(tags=WARNINGS, request=None, responses={200: WarningSerializer, **ERRORS})
class WarningAcknowledgeView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The party warned acknowledges."""

    serializer_class = WarningSerializer

    def post(self, request: Request, id: str) -> Response:
        warning = exchange_selectors.get_warning(self.actor, id)
        action_warnings.acknowledge(actor=self.actor, warning=warning)
        return _warning(self.actor, id)


@extend_schema(
    tags=WARNINGS, request=ActionInSerializer, responses={200: WarningSerializer, **ERRORS}
)
class WarningActionView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The party warned reports the action taken and when."""

    serializer_class = ActionInSerializer

    def post(self, request: Request, id: str) -> Response:
        warning = exchange_selectors.get_warning(self.actor, id)
        form = ActionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        action_warnings.report_action(
            actor=self.actor,
            warning=warning,
            text=form.validated_data["text"],
            acted_at=form.validated_data["acted_at"],
        )
        return _warning(self.actor, id)


@extend_schema(
    tags=WARNINGS, request=ConfirmationInSerializer, responses={200: WarningSerializer, **ERRORS}
)
class WarningConfirmationView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """A monitor confirms the action reported, or says why it could not."""

    serializer_class = ConfirmationInSerializer

    def post(self, request: Request, id: str) -> Response:
        warning = exchange_selectors.get_warning(self.actor, id)
        form = ConfirmationInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        action_warnings.confirm_action(
            actor=self.actor,
            warning=warning,
            result=form.validated_data["result"],
            reason=form.validated_data["reason"],
        )
        return _warning(self.actor, id)


@extend_schema(
    tags=WARNINGS, request=OutcomeInSerializer, responses={200: WarningSerializer, **ERRORS}
)
class WarningOutcomeView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The warner records the outcome: acted_in_time, not_acted, unilateral_after_window."""

    serializer_class = OutcomeInSerializer

    def post(self, request: Request, id: str) -> Response:
        warning = exchange_selectors.get_warning(self.actor, id)
        form = OutcomeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        incident = None
        if data["incident"] is not None:
            try:
                incident = incident_selectors.get_incident(self.actor, data["incident"])
            except NotFound:
                raise ValidationFailed({"incident": [_("Unknown incident.")]}) from None
        action_warnings.record_outcome(
            actor=self.actor,
            warning=warning,
            outcome=data["outcome"],
            text=data["text"],
            incident=incident,
        )
        return _warning(self.actor, id)


# --- the warning-before-action ledger ----------------------------------------------------


class ClaimSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    party = serializers.CharField(source="party.code")
    incident = serializers.UUIDField(source="incident.public_id")
    warning = serializers.UUIDField(source="warning.public_id", allow_null=True, default=None)
    no_prior_warning = serializers.SerializerMethodField()
    statement = serializers.CharField()
    at = serializers.DateTimeField()

    def get_no_prior_warning(self, claim: Any) -> bool:
        return claim.warning_id is None


class ClaimInSerializer(StrictSerializer):
    incident = serializers.UUIDField()
    warning = serializers.UUIDField(required=False, allow_null=True, default=None)
    no_prior_warning = serializers.BooleanField(required=False, default=False)
    statement = serializers.CharField(
        max_length=5_000, required=False, allow_blank=True, default=""
    )


@extend_schema(tags=WARNINGS)
class ClaimListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Uses of force stated as self-defence, each with its prior warning or none; state one
    (the party that reported the incident)."""

    serializer_class = ClaimSerializer

    def get_queryset(self) -> Any:
        return exchange_selectors.list_force_claims(self.actor)

    @extend_schema(responses={200: ClaimSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ClaimInSerializer, responses={201: ClaimSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = ClaimInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            incident = incident_selectors.get_incident(self.actor, data["incident"])
        except NotFound:
            raise ValidationFailed({"incident": [_("Unknown incident.")]}) from None
        warning = None
        if data["warning"] is not None:
            try:
                warning = exchange_selectors.get_warning(self.actor, data["warning"])
            except NotFound:
                raise ValidationFailed(
                    {"warning": [_("Name a warning your party passed.")]}
                ) from None
        claim = ledger.claim_self_defence(
            actor=self.actor,
            incident=incident,
            warning=warning,
            no_prior_warning=data["no_prior_warning"],
            statement=data["statement"],
        )
        claim = exchange_selectors.get_force_claim(self.actor, claim.public_id)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=WARNINGS, responses={200: OpenApiTypes.OBJECT, **ERRORS})
class LedgerView(ActorMixin, APIView):
    """The warning-before-action ledger per party, counting what the caller may see.

    One object (bounded by the parties), not a list: it is not paged."""

    def get(self, request: Request) -> Response:
        return Response(ledger.ledger(self.actor))


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("hotline/<str:id>/messages/", MessageListView.as_view(), name="activation-messages"),
    path("hotline-messages/<str:id>/relay/", MessageRelayView.as_view(), name="message-relay"),
    path("commitments/<str:id>/close/", CommitmentCloseView.as_view(), name="commitment-close"),
    path("hotline/<str:id>/warning/", ActivationWarningView.as_view(), name="activation-warning"),
    path("warnings/", WarningListView.as_view(), name="warnings"),
    path("warnings/<str:id>/", WarningDetailView.as_view(), name="warning"),
    path("warnings/<str:id>/acknowledge/", WarningAcknowledgeView.as_view(), name="warning-ack"),
    path("warnings/<str:id>/action/", WarningActionView.as_view(), name="warning-action"),
    path(
        "warnings/<str:id>/confirmation/",
        WarningConfirmationView.as_view(),
        name="warning-confirmation",
    ),
    path("warnings/<str:id>/outcome/", WarningOutcomeView.as_view(), name="warning-outcome"),
    path("self-defence/", ClaimListView.as_view(), name="self-defence"),
    path("ledger/", LedgerView.as_view(), name="ledger"),
]
