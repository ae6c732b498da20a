"""API permission: only members of the cell use the API at all."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from coordcell.core.actor import Actor

__all__ = ["IsCellMember", "actor_of"]


def actor_of(request: Any) -> Actor:
    """The request's actor, resolved once and cached on the underlying request."""
    raw = getattr(request, "_request", request)
    actor = getattr(raw, "_coordcell_actor", None)
    if actor is None or actor.user != (request.user if request.user.is_authenticated else None):
        actor = Actor.from_user(request.user)
        raw._coordcell_actor = actor
    return actor


class IsCellMember(BasePermission):
    """Authenticated, active, and holding an active membership in some delegation."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return actor_of(request).is_member
