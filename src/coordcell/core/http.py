"""Request plumbing shared by every page and API view: the caller's actor, member-only
pages, and who the client is behind a reverse proxy.

One module for both doors: a Django ``HttpRequest`` and a DRF ``Request`` (whose user may
come from a bearer token rather than the session) resolve to the same cached ``Actor``.

Behind the documented reverse proxy every request arrives from the proxy's address; the
client's own address is the one the proxy appended to ``X-Forwarded-For``. That header is
believed only when the peer is one of the proxies the operator named
(``COORDCELL_TRUSTED_PROXIES``, setting ``TRUSTED_PROXIES``), and then only as far back
as the hops are themselves trusted proxies: anything further left was written by the
client and proves nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse

from coordcell.core.actor import Actor

__all__ = ["actor_for", "client_address", "client_ip", "member_required"]


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


# --- the client's address ------------------------------------------------------------

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _parse(text: str) -> _Address | None:
    """An address from a header or REMOTE_ADDR (``[v6]:port`` and ``v4:port`` allowed)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port; an IPv6 address has several colons
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(meta: Mapping[str, Any], trusted: Iterable[str]) -> str:
    """The client's address from a request's META, given the trusted proxies' networks."""
    remote = str(meta.get("REMOTE_ADDR") or "")
    current = _parse(remote)
    networks = _networks(tuple(trusted))
    if current is None or not networks:
        return remote
    hops = [h for h in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not any(current in network for network in networks):
            break
        previous = _parse(hop)
        if previous is None:
            break
        current = previous
    return str(current)


def client_ip(request: HttpRequest) -> str:
    """The real client address of ``request`` (for rate limits and logs)."""
    return client_address(request.META, settings.TRUSTED_PROXIES)
