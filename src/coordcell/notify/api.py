"""The API of webhooks: a party's cell administrators register and deactivate its own.

Reads come from ``notify.selectors`` (another party's webhook does not exist for the
caller); writes go through ``notify.services``. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.input import StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.notify import selectors, services
from coordcell.notify.models import Webhook

__all__ = ["WebhookDeactivateView", "WebhookListView", "urlpatterns"]

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


class _WebhookView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    def get_queryset(self) -> Any:
        return selectors.list_webhooks(self.actor)

    def get_object(self) -> Webhook:
        return selectors.get_webhook(self.actor, self.kwargs["id"])


@extend_schema(tags=TAGS)
class WebhookListView(_WebhookView, generics.ListAPIView):  # type: ignore[type-arg]
    """The webhooks of the caller's party (no secrets), active first; its cell
    administrators register one, and see its secret once."""

    serializer_class = WebhookSerializer

    @extend_schema(responses={200: WebhookSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=WebhookInSerializer, responses={201: WebhookCreatedSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        actor = self.actor
        form = WebhookInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        webhook, secret = services.register_webhook(actor=actor, url=form.validated_data["url"])
        data = dict(WebhookSerializer(selectors.get_webhook(actor, webhook.public_id)).data)
        data["secret"] = secret
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=None, responses={200: WebhookSerializer, **ERRORS})
class WebhookDeactivateView(_WebhookView):
    """Deactivate one of the party's webhooks (no body): nothing more is sent to it."""

    serializer_class = WebhookSerializer

    def post(self, request: Request, id: str) -> Response:
        services.deactivate_webhook(actor=self.actor, webhook=self.get_object())
        return Response(WebhookSerializer(self.get_object()).data)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/", WebhookListView.as_view(), name="webhooks"),
    path(
        "webhooks/<str:id>/deactivate",
        WebhookDeactivateView.as_view(),
        name="webhook-deactivate",
    ),
]
