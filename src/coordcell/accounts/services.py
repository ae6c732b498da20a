"""The only writers of API tokens."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.accounts import events
from coordcell.accounts.models import ApiToken, hash_token_secret
from coordcell.accounts.second_factor import lacks_required_second_factor
from coordcell.core import audience
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.record.services import append_event, subject

__all__ = ["TOKEN_PREFIX", "create_api_token", "revoke_api_token"]

#: Every token starts with this, so that secret scanners can recognise a leaked one.
TOKEN_PREFIX = "cc_"  # noqa: S105 (a public marker, not a secret)


@transaction.atomic
def create_api_token(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a token for the actor; return it with the clear text, shown only once."""
    if actor.user is None:
        raise PermissionDenied()
    if lacks_required_second_factor(actor.user):
        # A token is a door of its own: it must not open for someone the pages would
        # send to enrol a second factor first.
        raise PermissionDenied(_("Set up a second factor before you create an API token."))
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": [_("Enter a name of 1 to 100 characters.")]})
    if ApiToken.objects.filter(user=actor.user, revoked_at__isnull=True).count() >= 20:
        raise ValidationFailed({"": [_("You have 20 active tokens; revoke one first.")]})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    clear = f"{TOKEN_PREFIX}{prefix}_{secret}"
    token = ApiToken.objects.create(
        user=actor.user, name=name, prefix=prefix, key_hash=hash_token_secret(clear)
    )
    append_event(
        actor=actor,
        event_type=events.API_TOKEN_CREATED,
        data={"name": name, "prefix": prefix},
        subjects=[subject("accounts.api_token", token.public_id, prefix)],
        audience=[actor.party_code or audience.CONSOLE_ONLY],
    )
    return token, clear


@transaction.atomic
def revoke_api_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice is refused."""
    if not ApiToken.objects.restrict(actor).filter(pk=token.pk).exists():
        raise NotFound()
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise ValidationFailed({"": [_("This token is already revoked.")]})
    token.refresh_from_db()
    append_event(
        actor=actor,
        event_type=events.API_TOKEN_REVOKED,
        data={"name": token.name, "prefix": token.prefix},
        subjects=[subject("accounts.api_token", token.public_id, token.prefix)],
        audience=[actor.party_code or audience.CONSOLE_ONLY],
    )
    return token
