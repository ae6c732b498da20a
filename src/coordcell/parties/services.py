"""The only writers of parties, delegations and memberships.

Each function checks the actor's permission, validates, changes the data and appends
its record event, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.accounts import events as account_events
from coordcell.accounts.models import User
from coordcell.core import audience
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties import events
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.record.services import append_event, subject
from coordcell.rules.vocabulary import LANGUAGES

__all__ = [
    "add_member",
    "audience_for",
    "create_delegation",
    "create_person",
    "end_membership",
    "register_party",
    "update_delegation",
]


def audience_for(party: Party) -> list[str]:
    """Who may read events about ``party``: everyone, except for a confidential donor."""
    if party.kind != PartyKindChoices.KIND_DONOR:
        return [audience.ALL_MEMBERS]
    mediators = Party.objects.filter(kind=PartyKindChoices.KIND_MEDIATOR).values_list(
        "code", flat=True
    )
    return [party.code, *mediators]


def _clean_names(names: Mapping[str, str]) -> dict[str, str]:
    cleaned = {lang: (names.get(lang) or "").strip() for lang in LANGUAGES}
    if not cleaned["en"]:
        raise ValidationFailed({"names.en": [_("An English name is required.")]})
    for lang, value in cleaned.items():
        if len(value) > 200:
            raise ValidationFailed({f"names.{lang}": [_("At most 200 characters.")]})
    return {lang: value for lang, value in cleaned.items() if value}


def _require_manage(actor: Actor, party: Party) -> None:
    """Raise NotFound if the actor may not see the party, PermissionDenied if not manage it."""
    if not Party.objects.restrict(actor).filter(pk=party.pk).exists():
        raise NotFound()
    if not Party.objects.restrict(actor, "manage").filter(pk=party.pk).exists():
        raise PermissionDenied()


@transaction.atomic
def register_party(
    *, actor: Actor, code: str, kind: str, names: Mapping[str, str], fictional: bool = False
) -> tuple[Party, bool]:
    """Add a party, or bring an existing one's names and kind up to date.

    Only the console (scenario loads) registers parties. Returns (party, changed).
    """
    if not actor.system:
        raise PermissionDenied()
    if kind not in PartyKindChoices.values():
        raise ValidationFailed({"kind": [_("Unknown party kind.")]})
    clean = _clean_names(names)
    party = Party.objects.filter(code=code).first()
    if party is None:
        party = Party.objects.create(code=code, kind=kind, names=clean, fictional=fictional)
        event = events.PARTY_REGISTERED
    elif party.names != clean or party.kind != kind or party.fictional != fictional:
        Party.objects.filter(pk=party.pk).update(kind=kind, names=clean, fictional=fictional)
        party.refresh_from_db()
        event = events.PARTY_RENAMED
    else:
        return party, False
    append_event(
        actor=actor,
        event_type=event,
        data={"code": code, "kind": kind, "names": clean, "fictional": fictional},
        subjects=[subject("parties.party", party.public_id, code)],
        audience=audience_for(party),
    )
    return party, True


@transaction.atomic
def create_delegation(
    *, actor: Actor, party: Party, names: Mapping[str, str], fictional: bool = False
) -> Delegation:
    """Set up a delegation of ``party``."""
    _require_manage(actor, party)
    clean = _clean_names(names)
    delegation = Delegation.objects.create(party=party, names=clean, fictional=fictional)
    append_event(
        actor=actor,
        event_type=events.DELEGATION_CREATED,
        data={"party": party.code, "names": clean, "fictional": fictional},
        subjects=[subject("parties.delegation", delegation.public_id, clean["en"])],
        audience=audience_for(party),
    )
    return delegation


@transaction.atomic
def update_delegation(
    *, actor: Actor, delegation: Delegation, names: Mapping[str, str], active: bool
) -> Delegation:
    """Rename a delegation, or close or reopen it."""
    _require_manage(actor, delegation.party)
    clean = _clean_names(names)
    if (
        not active
        and delegation.active
        and delegation.pk in actor.delegation_ids
        and actor.party_kind != PartyKindChoices.KIND_MEDIATOR
    ):
        # Closing it would end the administrator's own roles, and only the mediator's
        # administrators could reopen it: refuse rather than lock the party out.
        raise ValidationFailed(
            {"active": [_("You cannot close your own delegation; ask another administrator.")]}
        )
    if clean == delegation.names and active == delegation.active:
        return delegation
    Delegation.objects.filter(pk=delegation.pk).update(names=clean, active=active)
    delegation.refresh_from_db()
    append_event(
        actor=actor,
        event_type=events.DELEGATION_UPDATED,
        data={"party": delegation.party.code, "names": clean, "active": active},
        subjects=[subject("parties.delegation", delegation.public_id, clean["en"])],
        audience=audience_for(delegation.party),
    )
    return delegation


def _check_role_and_party(user: User, delegation: Delegation, role: str) -> None:
    if role not in RoleChoices.values():
        raise ValidationFailed({"role": [_("Unknown role.")]})
    if not delegation.active:
        raise ValidationFailed({"delegation": [_("This delegation is closed.")]})
    other_party = (
        Membership.objects.filter(user=user, active=True)
        .exclude(delegation__party=delegation.party)
        .exists()
    )
    if other_party:
        raise ValidationFailed(
            {"user": [_("This person already belongs to another party's delegation.")]}
        )
    if Membership.objects.filter(user=user, delegation=delegation, role=role, active=True).exists():
        raise ValidationFailed({"role": [_("This person already has this role here.")]})


@transaction.atomic
def add_member(*, actor: Actor, delegation: Delegation, user: User, role: str) -> Membership:
    """Give an existing person a role in a delegation (one party per person)."""
    _require_manage(actor, delegation.party)
    _check_role_and_party(user, delegation, role)
    membership = Membership.objects.create(user=user, delegation=delegation, role=role)
    append_event(
        actor=actor,
        event_type=events.MEMBER_ADDED,
        data={"party": delegation.party.code, "user": user.username, "role": role},
        subjects=[
            subject("parties.delegation", delegation.public_id),
            subject("accounts.user", user.public_id, user.username),
        ],
        audience=audience_for(delegation.party),
    )
    return membership


@transaction.atomic
def create_person(
    *,
    actor: Actor,
    delegation: Delegation,
    username: str,
    full_name: str,
    email: str,
    role: str,
    password_hash: str | None = None,
) -> tuple[User, Membership]:
    """Create a login for a new person and give them a role in ``delegation``.

    Without ``password_hash`` (a hash from ``make_password``, used by the demo) the
    account has no usable password: the administrator hands the person a one-time link
    to set it (see ``password_setup_token``).
    """
    _require_manage(actor, delegation.party)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username or len(username) > 150:
        errors["username"] = [_("Enter a user name of 1 to 150 characters.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    if len(full_name) > 200:
        errors["full_name"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    if password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    append_event(
        actor=actor,
        event_type=account_events.USER_CREATED,
        data={"user": username, "full_name": user.full_name},
        subjects=[subject("accounts.user", user.public_id, username)],
        audience=audience_for(delegation.party),
    )
    membership = add_member(actor=actor, delegation=delegation, user=user, role=role)
    return user, membership


def password_setup_token(user: User) -> str:
    """A one-time token for the person to set their password (expires per Django's setting)."""
    return default_token_generator.make_token(user)


@transaction.atomic
def end_membership(*, actor: Actor, membership: Membership) -> Membership:
    """End a person's role. The membership stays, with its end date, for the record."""
    _require_manage(actor, membership.delegation.party)
    if not membership.active:
        raise ValidationFailed({"": [_("This membership has already ended.")]})
    now = timezone.now()
    Membership.objects.filter(pk=membership.pk).update(active=False, ended_at=now)
    membership.refresh_from_db()
    append_event(
        actor=actor,
        event_type=events.MEMBERSHIP_ENDED,
        data={
            "party": membership.delegation.party.code,
            "user": membership.user.username,
            "role": membership.role,
        },
        subjects=[
            subject("parties.delegation", membership.delegation.public_id),
            subject("accounts.user", membership.user.public_id, membership.user.username),
        ],
        audience=audience_for(membership.delegation.party),
    )
    return membership
