"""Reads of parties, delegations and memberships, always restricted to the caller."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordcell.core import audience
from coordcell.core.actor import Actor
from coordcell.core.compiled import CompiledQuery
from coordcell.core.errors import DomainError, NotFound, ValidationFailed
from coordcell.core.roles import PartyKindChoices, RoleChoices
from coordcell.parties.models import Delegation, Invitation, Membership, Party

__all__ = [
    "InvitationUnusable",
    "access_delegation",
    "access_membership",
    "access_party",
    "active_call_signs",
    "actor_for_user",
    "awaiting_invitation",
    "call_sign_of",
    "call_signs_of",
    "concerned_audience",
    "find_invitation",
    "has_administrator",
    "invitation_token_hash",
    "list_delegations",
    "list_manageable_parties",
    "list_members",
    "list_memberships_of",
    "list_parties",
    "lodged_as_exercise",
    "may_know_names",
    "may_manage",
    "member_users",
    "neutral_codes",
    "own_call_signs",
    "parties_of_kinds",
    "party_of",
    "resolve_audience",
]


def list_parties(actor: Actor) -> QuerySet[Party]:
    return Party.objects.restrict(actor).order_by("code")


def access_party(actor: Actor, code: str) -> Party:
    """The party, or NotFound: a party the actor may not know of answers like a missing one."""
    party = list_parties(actor).filter(code=code).first()
    if party is None:
        raise NotFound()
    return party


def list_delegations(actor: Actor) -> QuerySet[Delegation]:
    return (
        Delegation.objects.restrict(actor)
        .select_related("party")
        .order_by("party__code", "created_at", "pk")
    )


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def access_delegation(actor: Actor, public_id: object) -> Delegation:
    key = _uuid(public_id)
    delegation = list_delegations(actor).filter(public_id=key).first() if key else None
    if delegation is None:
        raise NotFound()
    return delegation


def list_members(actor: Actor, delegation: Delegation) -> QuerySet[Membership]:
    return (
        Membership.objects.restrict(actor)
        .filter(delegation=delegation)
        .select_related("user", "delegation__party")
        .order_by("-active", "call_sign", "pk")
    )


def access_membership(actor: Actor, public_id: object) -> Membership:
    key = _uuid(public_id)
    membership: Membership | None = (
        Membership.objects.restrict(actor)
        .select_related("user", "delegation__party")
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if membership is None:
        raise NotFound()
    return membership


def may_know_names(actor: Actor, party_id: int | None) -> bool:
    """Whether the actor may read the real names and user names of ``party_id``'s people:
    only that party's own members (and the console). Everyone else, the mediator
    included, knows them by their call signs."""
    return actor.system or (actor.party_id is not None and actor.party_id == party_id)


def call_signs_of(user_ids: Iterable[int | None]) -> dict[int, str]:
    """The call sign each person acts under (their first active role, else their first
    role): what shared pages show for a person instead of their name."""
    wanted = {u for u in user_ids if u is not None}
    found: dict[int, str] = {}
    rows = (
        Membership.objects.filter(user_id__in=wanted)
        .order_by("-active", "started_at", "pk")
        .values_list("user_id", "call_sign")
    )
    for user_id, call_sign in rows:
        found.setdefault(user_id, call_sign)
    return found


def call_sign_of(user: Any) -> str:
    """One person's call sign (see ``call_signs_of``), or "" for someone with no role."""
    if user is None:
        return ""
    return call_signs_of([user.pk]).get(user.pk, "")


def may_manage(actor: Actor, delegation: Delegation) -> bool:
    """Whether the actor may change this (visible) delegation and its members."""
    return Delegation.objects.restrict(actor, "manage").filter(pk=delegation.pk).exists()


def list_manageable_parties(actor: Actor) -> QuerySet[Party]:
    """Parties whose delegations the actor may create and change."""
    return Party.objects.restrict(actor, "manage").order_by("code")


def list_memberships_of(actor: Actor, user: object) -> QuerySet[Membership]:
    """A person's active memberships, as far as the actor may see them."""
    return (
        Membership.objects.restrict(actor)
        .filter(user=user, active=True)
        .select_related("delegation__party")
        .order_by("delegation__party__code", "role")
    )


#: The reader's active memberships (the few columns an ``Actor`` needs, not three
#: models), compiled once: every request resolves its actor.
_MEMBERSHIPS = CompiledQuery(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id, active=True, delegation__active=True)
        .order_by("started_at", "pk")
        .values_list(
            "call_sign",
            "role",
            "delegation_id",
            "delegation__party_id",
            "delegation__party__code",
            "delegation__party__kind",
        )
    ),
    -7_340_813,
)


def actor_for_user(user: Any) -> Actor:
    """The ``Actor`` of an active, signed-in user, from their active memberships.

    Registered with ``core.actor`` when the app starts; callers use ``Actor.from_user``.
    """
    memberships = _MEMBERSHIPS.rows(user.pk)
    if not memberships:
        # Someone of no party: only the console reads the events they write.
        return Actor(user=user, name=user.display_name)
    # A person belongs to one party (services enforce it); their roles may span
    # several delegations of that party. What they do is recorded under the call sign of
    # their first role: never their name (docs/security.md).
    call_sign, _role, _delegation, party_id, party_code, party_kind = memberships[0]
    return Actor(
        user=user,
        name=call_sign,
        party_id=party_id,
        party_code=party_code,
        party_kind=party_kind,
        roles=frozenset(m[1] for m in memberships),
        delegation_ids=frozenset(m[2] for m in memberships),
    )


# --- audiences: one policy for every service that shares something ----------------------


def neutral_codes() -> list[str]:
    """The mediators and monitors, who handle and verify everything the parties raise."""
    return sorted(
        Party.objects.filter(
            kind__in=[PartyKindChoices.KIND_MEDIATOR, PartyKindChoices.KIND_MONITOR]
        ).values_list("code", flat=True)
    )


def concerned_audience(*codes: str) -> list[str]:
    """The default audience of an incident, complaint or call: the parties concerned, the
    mediators and the monitors — never donors or observers unless someone adds them."""
    return audience.normalise([*codes, *neutral_codes()])


def resolve_audience(actor: Actor, codes: Iterable[str], *, field: str = "audience") -> list[str]:
    """Check an audience a person chose and return it normalised (sorted, unique).

    Refused (``ValidationFailed`` on ``field``): an empty audience (audiences fail closed;
    say ``ALL_MEMBERS`` to mean every member), a code of a party the actor may not know
    of, and a donor — everyone in an audience reads the audience, and a donor's identity
    is confidential.
    """
    codes = [str(c).strip() for c in codes]
    if not any(codes):
        raise ValidationFailed({field: [_("Choose who may read this.")]})
    wanted = set(codes) - {audience.ALL_MEMBERS}
    known = set(
        Party.objects.restrict(actor)
        .filter(code__in=wanted)
        .exclude(kind=PartyKindChoices.KIND_DONOR)
        .values_list("code", flat=True)
    )
    if wanted - known:
        raise ValidationFailed({field: [_("Unknown party.")]})
    return audience.normalise(codes)


# --- first run: administrators and invitations -------------------------------------------


def has_administrator(party: Party) -> bool:
    """Whether someone active administers the party: an active cell administrator's role in
    an active delegation of it. A party without one can be given a first administrator by
    invitation (``coordcell cell init``); one with one adds its people itself."""
    return Membership.objects.filter(
        delegation__party=party,
        delegation__active=True,
        role=RoleChoices.CELL_ADMINISTRATOR,
        active=True,
        user__is_active=True,
    ).exists()


def awaiting_invitation(party_codes: Sequence[str]) -> list[str]:
    """The codes among ``party_codes`` of parties with no administrator and no invitation
    still pending: those ``cell init`` would invite now. (A console read.)"""
    now = timezone.now()
    waiting = []
    for party in Party.objects.filter(code__in=party_codes).order_by("code"):
        pending = Invitation.objects.filter(
            party=party, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).exists()
        if not pending and not has_administrator(party):
            waiting.append(party.code)
    return waiting


class InvitationUnusable(DomainError):
    """An invitation link that does not work; ``state`` says why, for the page to say so:
    ``unknown`` (no such link: mistyped or cut short), ``used``, or ``expired`` (its time
    ran out, or a newer link replaced it)."""

    code = "invitation_unusable"
    default_message = gettext_lazy("This invitation link does not work.")

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__()


#: A token as ``secrets.token_urlsafe`` writes it; anything else names no invitation.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256 (the token has 256 random bits)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def find_invitation(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link's token opens, or ``InvitationUnusable``.

    The token is the invited person's only credential, so this read is not restricted to
    an actor: it finds the row by the token's hash, and says no more than whether the link
    is unknown, used or expired.
    """
    if not _TOKEN.fullmatch(token or ""):
        raise InvitationUnusable("unknown")
    rows = Invitation.objects.select_related("party", "delegation")
    if for_update:
        rows = rows.select_for_update(of=("self",), no_key=True)
    invitation: Invitation | None = rows.filter(token_hash=invitation_token_hash(token)).first()
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.used_at is not None:
        raise InvitationUnusable("used")
    if invitation.revoked_at is not None or invitation.expires_at <= timezone.now():
        raise InvitationUnusable("expired")
    return invitation


# --- for the apps above: who belongs where, read here and nowhere else -------------------


def party_of(actor: Actor) -> Party | None:
    """The actor's own party (None for the console and for people with no membership)."""
    return Party.objects.filter(pk=actor.party_id).first() if actor.party_id else None


def parties_of_kinds(kinds: Iterable[str]) -> list[Party]:
    """Every party of these kinds, by kind and code."""
    return list(Party.objects.filter(kind__in=list(kinds)).order_by("kind", "code"))


def member_users(codes: Iterable[str], roles: Iterable[str]) -> list[Any]:
    """The active accounts holding one of ``roles`` in an active delegation of one of the
    parties ``codes``, each once, in account order."""
    memberships = (
        Membership.objects.filter(
            active=True,
            delegation__active=True,
            delegation__party__code__in=list(codes),
            role__in=list(roles),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    )
    users: dict[int, Any] = {}
    for membership in memberships:
        users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def lodged_as_exercise(user_id: int, party_id: int) -> bool:
    """Whether the person acted for the party from a fictional delegation (an exercise)."""
    return Membership.objects.filter(
        user_id=user_id, delegation__party_id=party_id, delegation__fictional=True
    ).exists()


def active_call_signs(party_id: int) -> list[str]:
    """The call signs of a party's active roles, for its own duty roster."""
    return list(
        Membership.objects.filter(active=True, delegation__party_id=party_id)
        .order_by("call_sign")
        .values_list("call_sign", flat=True)
    )


def own_call_signs(user: Any, party_id: int) -> list[str]:
    """The call signs a person holds in a party's active roles."""
    if user is None:
        return []
    return list(
        Membership.objects.filter(active=True, user=user, delegation__party_id=party_id)
        .order_by("started_at", "pk")
        .values_list("call_sign", flat=True)
    )
