"""The only writers of parties, delegations and memberships.

Each function checks the actor's permission, validates, changes the data and appends
its record event, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordcell.accounts import events as account_events
from coordcell.accounts import totp
from coordcell.accounts.models import User
from coordcell.core import audience
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties import events
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.parties.models import (
    CALL_SIGN_MAX_CHARS,
    Delegation,
    Invitation,
    Membership,
    Party,
    next_call_sign,
)
from coordcell.parties.selectors import (
    InvitationUnusable,
    actor_for_user,
    find_invitation,
    has_administrator,
    invitation_token_hash,
)
from coordcell.record.services import append_event, subject
from coordcell.rules.vocabulary import LANGUAGES

__all__ = [
    "PartySetup",
    "accept_invitation",
    "add_member",
    "audience_for",
    "create_delegation",
    "create_person",
    "end_membership",
    "init_cell",
    "register_party",
    "set_call_sign",
    "update_delegation",
]

#: Longest user name (Django's ``username`` field) and full name a person may choose.
USERNAME_MAX_CHARS = 150
FULL_NAME_MAX_CHARS = 200


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
    if not active and delegation.active and delegation.pk in actor.delegation_ids:
        # Closing it would end the administrator's own roles, and nobody but the party's
        # own administrators may reopen it: refuse rather than lock the party out.
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


#: What a call sign may be written with: letters (any script), digits, spaces and - . /
_CALL_SIGN = re.compile(r"[^\W_](?:[\w .\-/]*[^\W_])?")


def _clean_call_sign(
    value: str, party: Party, role: str, *, exclude: Membership | None = None
) -> str:
    """A chosen call sign, checked; or, when none is given, the generated one."""
    value = " ".join((value or "").split())
    if not value:
        return next_call_sign(party, role)
    if len(value) > CALL_SIGN_MAX_CHARS or not _CALL_SIGN.fullmatch(value) or "_" in value:
        raise ValidationFailed(
            {
                "call_sign": [
                    _(
                        "Use 1 to 40 letters, digits, spaces and the characters - . / "
                        "in a call sign."
                    )
                ]
            }
        )
    taken = Membership.objects.filter(call_sign__iexact=value)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationFailed({"call_sign": [_("This call sign is taken.")]})
    return value


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
def add_member(
    *, actor: Actor, delegation: Delegation, user: User, role: str, call_sign: str = ""
) -> Membership:
    """Give an existing person a role in a delegation (one party per person), under
    ``call_sign`` or, when none is given, the generated one (``SY LO-2``)."""
    _require_manage(actor, delegation.party)
    _check_role_and_party(user, delegation, role)
    call_sign = _clean_call_sign(call_sign, delegation.party, role)
    membership = Membership.objects.create(
        user=user, delegation=delegation, role=role, call_sign=call_sign
    )
    append_event(
        actor=actor,
        event_type=events.MEMBER_ADDED,
        # The call sign, never the person's name or user name: the record is read by
        # every member, for ever (docs/security.md).
        data={"party": delegation.party.code, "call_sign": call_sign, "role": role},
        subjects=[
            subject("parties.delegation", delegation.public_id),
            subject("parties.membership", membership.public_id, call_sign),
        ],
        audience=audience_for(delegation.party),
    )
    return membership


@transaction.atomic
def set_call_sign(*, actor: Actor, membership: Membership, call_sign: str) -> Membership:
    """Change the call sign of a role: only the party's own cell administrators may."""
    party = membership.delegation.party
    _require_manage(actor, party)
    if not (call_sign or "").strip():
        raise ValidationFailed({"call_sign": [_("Enter a call sign.")]})
    new = _clean_call_sign(call_sign, party, membership.role, exclude=membership)
    old = membership.call_sign
    if new == old:
        return membership
    Membership.objects.filter(pk=membership.pk).update(call_sign=new)
    membership.refresh_from_db()
    append_event(
        actor=actor,
        event_type=events.CALL_SIGN_CHANGED,
        data={"party": party.code, "role": membership.role, "from": old, "to": new},
        subjects=[
            subject("parties.delegation", membership.delegation.public_id),
            subject("parties.membership", membership.public_id, new),
        ],
        audience=audience_for(party),
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
    call_sign: str = "",
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
    try:
        call_sign = _clean_call_sign(call_sign, delegation.party, role)
    except ValidationFailed as exc:
        errors.update(exc.fields)
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
        # Who the person is stays with their party: the record says only the call sign.
        data={"party": delegation.party.code, "call_sign": call_sign},
        subjects=[subject("accounts.user", user.public_id, call_sign)],
        audience=audience_for(delegation.party),
    )
    membership = add_member(
        actor=actor, delegation=delegation, user=user, role=role, call_sign=call_sign
    )
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
            "call_sign": membership.call_sign,
            "role": membership.role,
        },
        subjects=[
            subject("parties.delegation", membership.delegation.public_id),
            subject("parties.membership", membership.public_id, membership.call_sign),
        ],
        audience=audience_for(membership.delegation.party),
    )
    return membership


# --- first run: the cell's delegations and first administrators --------------------------


@dataclass(frozen=True)
class PartySetup:
    """What ``init_cell`` found or did for one party.

    ``status`` is ``administered`` (someone administers it: nothing to do), ``pending``
    (an invitation not yet used is still valid) or ``invited`` (a new invitation, whose
    clear ``token`` is in hand only now: it is stored hashed and never shown again).
    """

    party: Party
    delegation: Delegation
    delegation_created: bool
    status: str
    invitation: Invitation | None = None
    token: str = ""


ADMINISTERED, PENDING, INVITED = "administered", "pending", "invited"


def _delegation_names(party: Party) -> dict[str, str]:
    """A first delegation's names, "<party> delegation" in each of the cell's languages."""
    names = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            name = party.names.get(lang) or party.names["en"]
            names[lang] = _("%(party)s delegation") % {"party": name}
    return names


@transaction.atomic
def init_cell(
    *, actor: Actor, party_codes: Sequence[str], reissue: Collection[str] = ()
) -> list[PartySetup]:
    """Set up a fresh cell (``coordcell cell init``): for each party of ``party_codes``, a
    delegation if it has no active one, and — if nobody administers it yet — a one-time
    invitation for its first cell administrator.

    Idempotent: a party with an administrator, or with an invitation still pending, is left
    as it is; ``reissue`` names parties whose pending (or lost) invitation is replaced by a
    new one. An invitation that expired unused is replaced on the next run. Only the console
    runs it; after a party's first administrator joins, only that party's own
    administrators add its people.
    """
    if not actor.system:
        raise PermissionDenied()
    parties = {p.code: p for p in Party.objects.filter(code__in=party_codes)}
    errors = [_("Unknown party: %(code)s.") % {"code": c} for c in party_codes if c not in parties]
    for code in reissue:
        if code not in parties:
            errors.append(_("Unknown party: %(code)s.") % {"code": code})
        elif has_administrator(parties[code]):
            errors.append(
                _(
                    "%(code)s already has a cell administrator: only its own administrators "
                    "add people to its delegation."
                )
                % {"code": code}
            )
    if errors:
        raise ValidationFailed({"reissue": errors})

    now = timezone.now()
    results = []
    for code in party_codes:
        party = parties[code]
        delegation = party.delegations.filter(active=True).order_by("created_at").first()
        created = delegation is None
        if delegation is None:
            delegation = create_delegation(actor=actor, party=party, names=_delegation_names(party))
        if has_administrator(party):
            results.append(PartySetup(party, delegation, created, ADMINISTERED))
            continue
        open_ = Invitation.objects.filter(
            party=party, used_at__isnull=True, revoked_at__isnull=True
        )
        pending = open_.filter(expires_at__gt=now).order_by("-created_at").first()
        if pending is not None and code not in reissue:
            results.append(PartySetup(party, pending.delegation, created, PENDING, pending))
            continue
        replaced = [
            str(i) for i in open_.order_by("created_at").values_list("public_id", flat=True)
        ]
        open_.update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            party=party,
            delegation=delegation,
            role=RoleChoices.CELL_ADMINISTRATOR,
            token_hash=invitation_token_hash(token),
            issued_by=actor.name,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.INVITATION_HOURS),
        )
        append_event(
            actor=actor,
            event_type=events.INVITATION_ISSUED,
            data={
                "party": code,
                "role": invitation.role,
                "expires_at": invitation.expires_at,
                "replaces": replaced,
            },
            subjects=[
                subject("parties.invitation", invitation.public_id),
                subject("parties.delegation", delegation.public_id, delegation.names["en"]),
            ],
            # The party's own business: who it will be is for it to make known.
            audience=[party.code],
        )
        results.append(PartySetup(party, delegation, created, INVITED, invitation, token))
    return results


@transaction.atomic
def accept_invitation(
    *,
    token: str,
    username: str,
    full_name: str,
    password: str,
    totp_secret: str | None = None,
    totp_code: str = "",
) -> User:
    """Create the invited person's account and their role, in one step, from the link's
    token: the user name and password they chose and — when the cell requires a second
    factor (``COORDCELL_REQUIRE_MFA``) — the TOTP secret they scanned, proved by a current
    code. The account never exists without its second factor. Everything is checked before
    anything is written; the invitation then works no more.

    ``InvitationUnusable`` for a link that is unknown, used or expired.
    """
    invitation = find_invitation(token, for_update=True)
    username, full_name = username.strip(), full_name.strip()
    errors: dict[str, list[str]] = {}
    if not username or len(username) > USERNAME_MAX_CHARS:
        errors["username"] = [_("Enter a user name of 1 to 150 characters.")]
    else:
        try:
            User.username_validator(username)
        except DjangoValidationError:
            errors["username"] = [
                _("Use only letters, digits and the characters @ . + - _ in a user name.")
            ]
        else:
            if User.objects.filter(username__iexact=username).exists():
                errors["username"] = [_("This user name is taken.")]
    if len(full_name) > FULL_NAME_MAX_CHARS:
        errors["full_name"] = [_("At most 200 characters.")]
    try:
        validate_password(password, User(username=username, full_name=full_name))
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if (settings.REQUIRE_MFA or totp_secret) and not (
        totp_secret and totp.code_is_valid(totp_secret, totp_code)
    ):
        errors["code"] = [_("This code is not right: enter the code your app shows now.")]
    if not invitation.delegation.active:
        errors[""] = [_("This delegation has been closed. Ask for a new invitation.")]
    if errors:
        raise ValidationFailed(errors)

    user = User(username=username, full_name=full_name)
    user.set_password(password)
    user.save()
    membership = Membership.objects.create(
        user=user,
        delegation=invitation.delegation,
        role=invitation.role,
        call_sign=next_call_sign(invitation.party, invitation.role),
    )
    claimed = Invitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=timezone.now(), user=user)
    if not claimed:  # used or replaced a moment ago: undo everything
        raise InvitationUnusable("used")
    if totp_secret:
        totp.enrol(user, totp_secret)
    party = invitation.party
    append_event(
        actor=actor_for_user(user),
        event_type=events.INVITATION_ACCEPTED,
        data={"party": party.code, "call_sign": membership.call_sign, "role": invitation.role},
        subjects=[
            subject("parties.invitation", invitation.public_id),
            subject("parties.delegation", invitation.delegation.public_id),
            subject("accounts.user", user.public_id, membership.call_sign),
        ],
        audience=audience_for(party),
    )
    return user
