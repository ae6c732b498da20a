"""The hotline call as a thread: its messages, and the commitments a message carries.

Imported by ``cases.models`` (Django finds the models there). A message has its own
audience: the call's, except a request to relay that the mediator has not yet passed on,
which only its author's party and the mediators read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet

__all__ = ["CallMessage", "Commitment"]


class CallMessage(AudienceMixin, PublicIdModel):
    """One message of a hotline call, by the caller, the called party or the mediator.

    ``relay_requested_at`` set: the author's party asked the mediator to pass it on;
    ``relayed_at`` set: the mediator did (the message then reads as passed by
    ``relayed_by_party`` at ``relayed_at``, asked at ``relay_requested_at``)."""

    activation = models.ForeignKey(
        "cases.Activation", on_delete=models.PROTECT, related_name="messages"
    )
    author_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("posted at"))
    text = models.TextField(_("message"))
    relay_requested_at = models.DateTimeField(null=True, blank=True)
    relayed_at = models.DateTimeField(null=True, blank=True)
    relayed_by_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hotline message")
        verbose_name_plural = _("hotline messages")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.activation_id}:{self.pk}"

    @property
    def awaiting_relay(self) -> bool:
        return self.relay_requested_at is not None and self.relayed_at is None


class Commitment(AudienceMixin, PublicIdModel):
    """A typed commitment a message carries ("hold fire until T", …), with its deadline.

    The worker claims an open one at ``due_at`` with a conditional update (open → met for
    a commitment that lasts *until* T, open → lapsed for one to be done *by* T)."""

    message = models.OneToOneField(CallMessage, on_delete=models.PROTECT, related_name="commitment")
    activation = models.ForeignKey(
        "cases.Activation", on_delete=models.PROTECT, related_name="commitments"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("commitment"), max_length=30)
    due_at = models.DateTimeField(_("due"), db_index=True)
    state = models.CharField(_("state"), max_length=12, default="open")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_text = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="cases_commitment_due")]

    def __str__(self) -> str:
        return f"{self.kind}@{self.due_at:%Y-%m-%d %H:%M}"
