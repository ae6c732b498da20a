"""Load a scenario's fictional demo data: donor party, delegations and people.

Everything goes through the ordinary services (so it is all in the record) and is
idempotent: running the demo again finds what exists and adds only what is missing.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from coordcell.accounts.models import ApiToken, User, hash_token_secret
from coordcell.accounts.services import create_api_token
from coordcell.core.actor import Actor
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.parties.services import (
    add_member,
    create_delegation,
    create_person,
    register_party,
)
from coordcell.rules.arrangement import DemoData

__all__ = ["DemoAccount", "load_demo_data"]


def _new_password() -> str:
    """Twelve letters and digits: easy to type from the printed table, hard to guess."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    party: str
    roles: tuple[str, ...]
    password: str
    token: str


def load_demo_data(
    *, actor: Actor, demo: DemoData, known: dict[str, dict[str, str]]
) -> list[DemoAccount]:
    """Create what the demo data describes; ``known`` holds passwords and tokens from before.

    An existing account keeps its known password; one whose password is not known gets a
    new one. A known token is kept if it still authenticates, otherwise a new one is made.

    Password hashing is slow by design (about a second each), so the hashes are made
    before the transaction opens: holding SQLite's write lock for ten of them would
    starve every other writer, the running worker included.
    """
    existing = set(
        User.objects.filter(username__in=[a.username for a in demo.accounts]).values_list(
            "username", flat=True
        )
    )
    passwords: dict[str, str] = {}
    to_hash: list[str] = []
    for a in demo.accounts:
        known_password = known.get(a.username, {}).get("password")
        passwords[a.username] = known_password or _new_password()
        if not (a.username in existing and known_password):
            to_hash.append(a.username)
    # PBKDF2 releases the GIL: hash on every core.
    with ThreadPoolExecutor() as pool:
        hashes = dict(
            zip(to_hash, pool.map(lambda u: make_password(passwords[u]), to_hash), strict=True)
        )
    return _load(actor=actor, demo=demo, known=known, passwords=passwords, hashes=hashes)


@transaction.atomic
def _load(
    *,
    actor: Actor,
    demo: DemoData,
    known: dict[str, dict[str, str]],
    passwords: dict[str, str],
    hashes: dict[str, str],
) -> list[DemoAccount]:
    for spec in demo.parties:
        register_party(actor=actor, code=spec.code, kind=spec.kind, names=spec.name, fictional=True)
    delegations: dict[str, Delegation] = {}
    for d in demo.delegations:
        party = Party.objects.get(code=d.party)
        existing = Delegation.objects.filter(party=party, names__en=d.name["en"]).first()
        delegations[d.party] = existing or create_delegation(
            actor=actor, party=party, names=d.name, fictional=True
        )
    accounts = []
    for a in demo.accounts:
        previous = known.get(a.username, {})
        password = passwords[a.username]
        delegation = (
            delegations.get(a.party) or Delegation.objects.filter(party__code=a.party).first()
        )
        if delegation is None:
            raise ValueError(f"demo account {a.username}: party {a.party} has no delegation")
        user = User.objects.filter(username=a.username).first()
        if user is None:
            user, _ = create_person(
                actor=actor,
                delegation=delegation,
                username=a.username,
                full_name=a.full_name,
                email="",
                role=a.roles[0],
                password_hash=hashes[a.username],
            )
        elif a.username in hashes:
            User.objects.filter(pk=user.pk).update(password=hashes[a.username])
        for role in a.roles:
            if not Membership.objects.filter(
                user=user, delegation=delegation, role=role, active=True
            ).exists():
                add_member(actor=actor, delegation=delegation, user=user, role=role)
        token = previous.get("token", "")
        prefix = token[3:].split("_", 1)[0] if token.startswith("cc_") else ""
        valid = (
            ApiToken.objects.filter(
                user=user, prefix=prefix, key_hash=hash_token_secret(token), revoked_at__isnull=True
            ).exists()
            if prefix
            else False
        )
        if not valid:
            _, token = create_api_token(actor=Actor.from_user(user), name="demo")
        accounts.append(DemoAccount(a.username, a.full_name, a.party, a.roles, password, token))
    return accounts
