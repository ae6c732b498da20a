"""Request plumbing shared by every page and API view: the caller's actor, member-only pages.

One module for both doors: a Django ``HttpRequest`` and a DRF ``Request`` (whose user may
come from a bearer token rather than the session) resolve to the same cached ``Actor``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse

from coordcell.core.actor import Actor

__all__ = ["actor_for", "member_required"]


def actor_for(request: Any) -> Actor:
    """The request's actor, resolved once per request and user.

    A DRF request wraps the Django one (``_request``); the cache sits on the Django
    request and is checked against the user, because DRF authenticates a token's user
    after the middleware has seen the session's.
    """
    raw = getattr(request, "_request", request)
    user = getattr(request, "user", None)
    user = user if user is not None and user.is_authenticated else None
    actor: Actor | None = getattr(raw, "_coordcell_actor", None)
    if actor is None or actor.user != user:
        actor = Actor.from_user(user)
        raw._coordcell_actor = actor
    return actor


def member_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in and holding an active membership; otherwise a page that says so (403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not actor_for(request).is_member:
            return TemplateResponse(request, "ui/no_membership.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
