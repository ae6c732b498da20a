"""The API of the hotline's thread (messages, relay, commitments), of warnings and of the
warning-before-action ledger.

Reads come from ``cases.selectors`` and ``cases.exchange_selectors`` (hidden answers
404, like missing); writes go through ``cases.thread`` and ``cases.warnings``, the same
calls as the pages. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.cases import exchange_selectors, selectors, thread
from coordcell.cases.exchange_choices import CommitmentKindChoices
from coordcell.core.input import StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin

__all__ = ["urlpatterns"]

HOTLINE = ["hotline"]


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
    due_at = serializers.DateTimeField(
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


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("hotline/<str:id>/messages/", MessageListView.as_view(), name="activation-messages"),
    path("hotline-messages/<str:id>/relay/", MessageRelayView.as_view(), name="message-relay"),
    path("commitments/<str:id>/close/", CommitmentCloseView.as_view(), name="commitment-close"),
]
