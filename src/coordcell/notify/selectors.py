"""Reads of webhooks, restricted to the caller's own party."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.notify.choices import DeliveryStateChoices as S
from coordcell.notify.models import Webhook

__all__ = ["get_webhook", "list_webhooks"]


def list_webhooks(actor: Actor) -> QuerySet[Webhook]:
    """The webhooks of the actor's party (none for the console's view of no party)."""
    webhooks: QuerySet[Webhook] = (
        Webhook.objects.restrict(actor)
        .select_related("party")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__state__in=[S.PENDING, S.SENDING])),
            delivered=Count("deliveries", filter=Q(deliveries__state=S.DELIVERED)),
            failed=Count("deliveries", filter=Q(deliveries__state=S.FAILED)),
            last_delivered_at=Max("deliveries__delivered_at"),
        )
        # Explicit: a query with an aggregate drops the model's default ordering.
        .order_by("-active", "-created_at", "-pk")
    )
    return webhooks


def get_webhook(actor: Actor, public_id: Any) -> Webhook:
    """One webhook of the actor's party; NotFound for any other (or none)."""
    try:
        webhook: Webhook | None = list_webhooks(actor).filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        webhook = None
    if webhook is None:
        raise NotFound()
    return webhook
