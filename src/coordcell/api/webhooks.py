"""The API of webhooks: a party's cell administrators register and deactivate its own."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.api.input import StrictSerializer
from coordcell.api.views import ERRORS
from coordcell.core.http import actor_for
from coordcell.notify import selectors, services

__all__ = ["WebhookDeactivateView", "WebhookListView"]

TAGS = ["webhooks"]


class WebhookSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    party = serializers.CharField(source="party.code")
    url = serializers.CharField()
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    deactivated_at = serializers.DateTimeField(allow_null=True)
    deliveries = serializers.SerializerMethodField()

    def get_deliveries(self, webhook: Any) -> dict[str, Any]:
        last = getattr(webhook, "last_delivered_at", None)
        return {
            "pending": getattr(webhook, "pending", 0),
            "delivered": getattr(webhook, "delivered", 0),
            "failed": getattr(webhook, "failed", 0),
            "last_delivered_at": serializers.DateTimeField().to_representation(last)
            if last
            else None,
        }


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="The signing secret, shown this once: keep it where the receiver runs."
    )


class WebhookInSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500, help_text="An http:// or https:// URL.")


@extend_schema(tags=TAGS)
class WebhookListView(APIView):
    """The webhooks of the caller's party (no secrets); its cell administrators register
    one, and see its secret once."""

    @extend_schema(responses={200: WebhookSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        items = selectors.list_webhooks(actor_for(request))
        return Response(WebhookSerializer(items, many=True).data)

    @extend_schema(request=WebhookInSerializer, responses={201: WebhookCreatedSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = actor_for(request)
        form = WebhookInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        webhook, secret = services.register_webhook(actor=actor, url=form.validated_data["url"])
        data = dict(WebhookSerializer(selectors.get_webhook(actor, webhook.public_id)).data)
        data["secret"] = secret
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=None, responses={200: WebhookSerializer, **ERRORS})
class WebhookDeactivateView(APIView):
    """Deactivate one of the party's webhooks (no body): nothing more is sent to it."""

    def post(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        webhook = selectors.get_webhook(actor, id)
        services.deactivate_webhook(actor=actor, webhook=webhook)
        return Response(WebhookSerializer(selectors.get_webhook(actor, id)).data)
