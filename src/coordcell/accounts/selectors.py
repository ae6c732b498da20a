"""Reads of API tokens, always restricted to the caller (a person sees only their own)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from coordcell.accounts.models import ApiToken, User
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound

__all__ = ["access_token", "find_active_user", "list_tokens"]


def list_tokens(actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.restrict(actor).order_by("-created_at")


def access_token(actor: Actor, public_id: object) -> ApiToken:
    """One of the actor's tokens; anyone else's answers like a missing one."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    token: ApiToken | None = list_tokens(actor).filter(public_id=key).first()
    if token is None:
        raise NotFound()
    return token


def find_active_user(username: str) -> User | None:
    """The active account with this user name (case-insensitive), if any.

    For a caller who already may manage a delegation: it tells existing names from others.
    """
    user: User | None = User.objects.filter(username__iexact=username, is_active=True).first()
    return user
