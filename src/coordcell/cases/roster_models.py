"""The duty roster of each party's hotline desk (imported by ``cases.models``).

A shift names a call sign, its place in the contact tree (the order in which to reach
the next person) and the channel to reach it by. Only its own party reads its rows
(the audience is that party alone); what others see is the narrow "on duty now" view
of ``cases.roster.on_duty_now``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet

__all__ = ["CommsCheck", "DutyShift", "Handover"]


class DutyShift(AudienceMixin, PublicIdModel):
    """One person (by call sign) on a party's hotline desk from ``starts_at`` to ``ends_at``.

    ``tier``: the place in the contact tree (1 the duty officer, 2 the deputy, 3 the
    principal). ``contact`` (a phone number, a radio net) is shown to other parties only
    when ``shared``."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    call_sign = models.CharField(_("call sign"), max_length=40)
    tier = models.PositiveSmallIntegerField(_("contact order"))
    channel = models.CharField(_("channel"), max_length=20)
    contact = models.CharField(_("contact details"), max_length=200, blank=True)
    shared = models.BooleanField(_("contact details shared"), default=False)
    starts_at = models.DateTimeField(_("shift starts"))
    ends_at = models.DateTimeField(_("shift ends"), db_index=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at", "tier", "pk"]

    def __str__(self) -> str:
        return f"{self.call_sign}@{self.starts_at:%Y-%m-%d %H:%M}"


class Handover(AudienceMixin, PublicIdModel):
    """The outgoing duty officer's handover note to the incoming one, within one party.

    ``open_calls`` and ``open_commitments`` are what the thread held open when the note
    was written (prefilled, kept as written); ``text`` is the officer's own. Read by the
    party alone (and the console): anyone else finds nothing."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    outgoing = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    outgoing_call_sign = models.CharField(_("outgoing"), max_length=40)
    incoming_call_sign = models.CharField(_("incoming"), max_length=40)
    at = models.DateTimeField(_("handed over at"))
    text = models.TextField(_("handover note"), blank=True)
    open_calls = models.JSONField(default=list, blank=True)
    open_commitments = models.JSONField(default=list, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outgoing_call_sign}->{self.incoming_call_sign}@{self.at:%Y-%m-%d %H:%M}"


class CommsCheck(AudienceMixin, PublicIdModel):
    """A communications check of one link: ``from_party`` sends it, ``to_party`` answers
    by ``answer_due_at`` (the hotline protocol's minutes) or the worker marks it failed.

    Read by both ends of the link and the mediators."""

    from_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    to_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    answer_due_at = models.DateTimeField(_("answer due"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, default="sent")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("communications check")
        verbose_name_plural = _("communications checks")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["state", "answer_due_at"], name="cases_commscheck_due")]

    def __str__(self) -> str:
        return f"{self.from_party_id}->{self.to_party_id}@{self.sent_at:%Y-%m-%d %H:%M}"
