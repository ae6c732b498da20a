"""Vocabularies of webhook deliveries, with translatable labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet


class DeliveryStateChoices(ChoiceSet):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"

    CHOICES = [
        (PENDING, _("waiting to be sent"), "blue"),
        (SENDING, _("being sent"), "orange"),
        (DELIVERED, _("delivered"), "green"),
        (FAILED, _("given up"), "red"),
        (CANCELLED, _("cancelled"), "grey"),
    ]
