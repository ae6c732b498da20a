"""``request.user`` from the session, as Django's ``AuthenticationMiddleware`` sets it,
with the one query it makes (the user by primary key) compiled once (``core.compiled``).

``get_user`` is ``django.contrib.auth.get_user`` line for line (the session's user id and
backend, the backend among ``AUTHENTICATION_BACKENDS``, the session's hash checked against
the user's, a fallback key's hash cycling the session, any other mismatch flushing it);
only a backend whose ``get_user`` is ``ModelBackend``'s own (both of ours) has its user
read by SQL compiled once per process rather than by ``objects.get(pk=…)`` compiled anew.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth import middleware as django_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from coordcell.accounts.models import User
from coordcell.core.compiled import CompiledQuery

__all__ = ["AuthenticationMiddleware", "get_user"]

#: ``User._default_manager.get(pk=…)``'s query.
_BY_PK = CompiledQuery(lambda pk: User._default_manager.filter(pk=pk).order_by()[:21], -7_340_814)


def _backend_user(backend: Any, user_id: Any) -> Any:
    """``backend.get_user(user_id)``; ``ModelBackend.get_user``'s query compiled once."""
    if type(backend).get_user is not ModelBackend.get_user or type(user_id) is not int:
        return backend.get_user(user_id)
    found = _BY_PK.rows(user_id)
    if len(found) > 1:  # as objects.get(): never, for a primary key
        raise User.MultipleObjectsReturned()
    if not found:
        return None
    user = found[0]
    return user if backend.user_can_authenticate(user) else None


def get_user(request: HttpRequest) -> Any:
    """``django.contrib.auth.get_user`` (Django 5.2), the backend's query compiled once."""
    user = None
    try:
        user_id = auth._get_user_session_key(request)  # type: ignore[attr-defined]
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _backend_user(backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the
                    # fallback secrets and stop when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_user(request: HttpRequest) -> Any:
    # django.contrib.auth.middleware.get_user, with the function above.
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(django_middleware.AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``; the lazy ``request.user`` uses ``get_user``
    above (``request.auser``, for async views, is Django's own)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))  # type: ignore[assignment]
