"""Webhooks: a party's own endpoints, told of what happens in the cell that it may read.

A :class:`Webhook` belongs to one party and is managed by that party's cell
administrators. Another app queues news (``queueing.queue_delivery``: a subject, an
event type, a payload and the parties it is for) in its own transaction, as a
:class:`Delivery` for each active webhook of those parties; today that is every case
step, queued by ``cases``. The worker claims deliveries with conditional updates and
POSTs them, signed with the webhook's secret (``dispatch``). Deliveries are operational
bookkeeping (like the inbox's read marks), not record events; registering and
deactivating a webhook are.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.models import PublicIdModel, RestrictedQuerySet
from coordcell.notify.choices import DeliveryStateChoices
from coordcell.parties.choices import RoleChoices

__all__ = ["Delivery", "Webhook"]


class Webhook(PublicIdModel):
    """An HTTP endpoint of a party. The secret signs each delivery; it is shown once."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="webhooks")
    url = models.CharField(_("URL"), max_length=500)
    # Kept in clear because the server signs with it (an HMAC key cannot be stored hashed).
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-active", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        """A party's members see its webhooks; its cell administrators manage them."""
        if getattr(actor, "system", False):
            return Q()
        party_id = getattr(actor, "party_id", None)
        if not party_id:
            return Q(pk__in=[])
        if action == "manage" and not actor.has_role(RoleChoices.CELL_ADMINISTRATOR):
            return Q(pk__in=[])
        return Q(party_id=party_id)


class Delivery(PublicIdModel):
    """One piece of news for one webhook: the exact body that is signed, and how sending
    went. The subject (e.g. ``cases.step`` and the step's id) is what the news is about;
    a webhook gets news of one subject once."""

    webhook = models.ForeignKey(Webhook, on_delete=models.PROTECT, related_name="deliveries")
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    event = models.CharField(max_length=60)
    body = models.TextField()
    state = models.CharField(
        max_length=12,
        choices=DeliveryStateChoices.choices(),
        default=DeliveryStateChoices.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "subject_type", "subject_id"],
                name="notify_one_delivery_per_subject",
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notify_delivery_due")]

    def __str__(self) -> str:
        return f"{self.webhook_id}:{self.subject_type}:{self.subject_id}:{self.state}"
