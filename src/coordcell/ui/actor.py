"""The actor of a web request, resolved once per request."""

from __future__ import annotations

from django.http import HttpRequest

from coordcell.core.actor import Actor


def actor_for(request: HttpRequest) -> Actor:
    actor = getattr(request, "_coordcell_actor", None)
    if actor is None:
        actor = Actor.from_user(getattr(request, "user", None))
        request._coordcell_actor = actor  # type: ignore[attr-defined]
    return actor
