"""Parties, their delegations to the cell, and the people in them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordcell.core.models import LocalizedNamesMixin, PublicIdModel, RestrictedQuerySet
from coordcell.parties.choices import PartyKindChoices, RoleChoices

__all__ = ["Delegation", "Membership", "Party", "party_visibility"]


def party_visibility(actor: Any, prefix: str = "") -> Q:
    """Which parties an actor may know of.

    Every member of the cell knows every party, except donors: a donor's identity is
    confidential by default, known only to its own people and to the mediator who
    brokers the pledges. ``prefix`` lets related models reuse the rule
    (``"delegation__party__"``).
    """
    if getattr(actor, "system", False):
        return Q()
    party_id = getattr(actor, "party_id", None)
    if party_id is None:
        return Q(pk__in=[])
    if actor.party_kind == PartyKindChoices.KIND_MEDIATOR:
        return Q()
    return ~Q(**{f"{prefix}kind": PartyKindChoices.KIND_DONOR}) | Q(**{f"{prefix}pk": party_id})


def managed_by(actor: Any, prefix: str = "") -> Q:
    """Which parties' delegations an actor may manage.

    A cell administrator manages their own party's delegations; the mediator's cell
    administrators, who run the cell's secretariat, manage every delegation.
    """
    if getattr(actor, "system", False):
        return Q()
    if actor.party_id is None or not actor.has_role(RoleChoices.CELL_ADMINISTRATOR):
        return Q(pk__in=[])
    if actor.party_kind == PartyKindChoices.KIND_MEDIATOR:
        return Q()
    return Q(**{f"{prefix}pk": actor.party_id})


class Party(PublicIdModel, LocalizedNamesMixin):
    """A party to the arrangement, or the mediator, a monitor, a donor or an observer.

    Parties outlive arrangement versions; a scenario load creates the ones it names.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKindChoices.choices())
    fictional = models.BooleanField(_("fictional"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        if action == "manage":
            return party_visibility(actor) & managed_by(actor)
        return party_visibility(actor)


class Delegation(PublicIdModel, LocalizedNamesMixin):
    """A party's delegation to the cell (e.g. its hotline desk or its principals)."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="delegations")
    active = models.BooleanField(_("active"), default=True)
    fictional = models.BooleanField(_("fictional"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["party__code", "created_at"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        q = party_visibility(actor, "party__")
        if action == "manage":
            q &= managed_by(actor, "party__")
        return q


class Membership(PublicIdModel):
    """A person's role in a delegation. Ended memberships are kept, with their dates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=RoleChoices.choices())
    active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["delegation__party__code", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "delegation", "role"],
                condition=Q(active=True),
                name="one_active_membership_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        q = party_visibility(actor, "delegation__party__")
        if action == "manage":
            q &= managed_by(actor, "delegation__party__")
        return q
