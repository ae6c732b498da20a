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

__all__ = [
    "CALL_SIGN_MAX_CHARS",
    "ROLE_CALL_SIGNS",
    "Delegation",
    "Invitation",
    "Membership",
    "Party",
    "default_call_sign",
    "next_call_sign",
    "party_visibility",
]

#: The duty-position part of a generated call sign, per role (``SY LO-2``).
ROLE_CALL_SIGNS = {
    RoleChoices.PRINCIPAL: "PR",
    RoleChoices.LIAISON_OFFICER: "LO",
    RoleChoices.ANALYST: "AN",
    RoleChoices.MONITOR: "MON",
    RoleChoices.DONOR_REPRESENTATIVE: "DR",
    RoleChoices.OBSERVER: "OBS",
    RoleChoices.CELL_ADMINISTRATOR: "ADM",
}
CALL_SIGN_MAX_CHARS = 40


def default_call_sign(party_code: str, role: str, number: int) -> str:
    """A generated call sign: the party's code (data), the role's duty position and a
    number, e.g. ``SY LO-2``. Never a person's name."""
    code = party_code.upper().replace("_", "-")
    return f"{code} {ROLE_CALL_SIGNS.get(role, 'X')}-{number}"


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
    """Which parties' delegations an actor may manage: their own party's, nobody else's.

    Only a party's own cell administrators create, rename, close and reopen its
    delegations and add or remove its people — not the mediator's administrators: an
    account the mediator could place inside another party's delegation would read that
    party's private incidents. The console (``coordcell cell init``, the demo) sets the
    first delegations and administrators up.
    """
    if getattr(actor, "system", False):
        return Q()
    if actor.party_id is None or not actor.has_role(RoleChoices.CELL_ADMINISTRATOR):
        return Q(pk__in=[])
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
    """A person's role in a delegation. Ended memberships are kept, with their dates.

    ``call_sign`` is the duty position by which everyone outside the party knows the
    person in this role (``SY LO-2``): shared pages, API answers and record entries carry
    it, while the person's real name and user name stay in their own party's directory
    (``docs/security.md``). Unique in the cell; only the party's own administrators
    change it (``services.set_call_sign``, recorded).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=RoleChoices.choices())
    call_sign = models.CharField(_("call sign"), max_length=CALL_SIGN_MAX_CHARS, unique=True)
    active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["delegation__party__code", "call_sign"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "delegation", "role"],
                condition=Q(active=True),
                name="one_active_membership_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.call_sign} · {self.get_role_display()}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        q = party_visibility(actor, "delegation__party__")
        if action == "manage":
            q &= managed_by(actor, "delegation__party__")
        return q


def next_call_sign(party: Party, role: str) -> str:
    """The first generated call sign for ``role`` in ``party`` that nobody holds yet."""
    prefix = default_call_sign(party.code, role, 0).removesuffix("0")
    taken = {
        value.upper()
        for value in Membership.objects.filter(call_sign__istartswith=prefix).values_list(
            "call_sign", flat=True
        )
    }
    number = 1
    while default_call_sign(party.code, role, number).upper() in taken:
        number += 1
    return default_call_sign(party.code, role, number)


class Invitation(PublicIdModel):
    """A one-time link for the first cell administrator of a party (``coordcell cell init``).

    Only the SHA-256 of the link's token is kept: the link itself is printed once at the
    console and cannot be shown again. An invitation works once (``used_at``), until it
    expires (``expires_at``, ``COORDCELL_INVITATION_HOURS`` after it was issued) or a newer
    one replaces it (``revoked_at``). Accepting it creates the person's account with their
    own user name, password and second factor, as a cell administrator of ``delegation``.
    """

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="invitations")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(_("role"), max_length=30, choices=RoleChoices.choices())
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["party__code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.party.code} · {self.get_role_display()}"

    def is_pending(self, now: Any) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        """Invitations are the console's: no member lists or reads them (the token is the
        invited person's only credential, and its page reads it by the token's hash)."""
        if getattr(actor, "system", False):
            return Q()
        return Q(pk__in=[])
