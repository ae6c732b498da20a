"""API authentication by bearer token (``Authorization: Bearer cc_…`` or ``Token cc_…``)."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from coordcell.accounts.models import ApiToken, hash_token_secret
from coordcell.accounts.services import TOKEN_PREFIX
from coordcell.core.compiled import CompiledQuery, first

__all__ = ["ApiTokenAuthentication", "ApiTokenScheme", "SecondFactorRequired"]


def _tokens(prefix: str, *, with_totp: bool) -> QuerySet[ApiToken]:
    """The token of this prefix with its owner (and, with ``with_totp``, whether the owner
    has a TOTP authenticator: ``owner_has_totp``)."""
    tokens = ApiToken.objects.select_related("user").filter(prefix=prefix)
    if with_totp:
        from allauth.mfa.models import Authenticator

        tokens = tokens.annotate(
            owner_has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
            )
        )
    return first(tokens)


#: Every API call looks its token up: compiled once, with and without the second factor's
#: check (``COORDCELL_REQUIRE_MFA`` adds it to the query).
_PLACEHOLDER = "\x00prefix\x00"
_BY_PREFIX = {
    with_totp: CompiledQuery(lambda prefix, w=with_totp: _tokens(prefix, with_totp=w), _PLACEHOLDER)
    for with_totp in (False, True)
}


def _token(prefix: str) -> Any:
    found = _BY_PREFIX[bool(settings.REQUIRE_MFA)].rows(prefix)
    return found[0] if found else None


class SecondFactorRequired(exceptions.PermissionDenied):
    """The token is valid, but its owner lacks the second factor the cell requires."""

    default_detail = _("Set up a second factor first.")
    default_code = "second_factor_required"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Find the token by its public prefix, then compare hashes in constant time.

    ``last_used_at`` is operational bookkeeping, not a change of the cell's state, so
    it is updated directly and not recorded (at most once a minute per token).

    With ``COORDCELL_REQUIRE_MFA`` on, the token of someone without a TOTP authenticator
    is refused (403 ``second_factor_required``): tokens minted before the rule, or before
    the person removed their authenticator, do not bypass it.
    """

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        clear = header[1]
        # The idempotency middleware identifies the caller before the view does: the
        # second look at the same header in the same request takes the first's answer
        # (the token, checked and its use stamped), instead of reading it again.
        raw: Any = getattr(request, "_request", request)
        known: tuple[str, tuple[Any, ApiToken]] | None = getattr(raw, "_coordcell_token", None)
        if known is not None and known[0] == clear:
            return known[1]
        prefix = (
            clear[len(TOKEN_PREFIX) :].split("_", 1)[0] if clear.startswith(TOKEN_PREFIX) else ""
        )
        token = _token(prefix) if prefix else None
        if token is None or not hmac.compare_digest(token.key_hash, hash_token_secret(clear)):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if settings.REQUIRE_MFA and not token.owner_has_totp:
            raise SecondFactorRequired()
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        raw._coordcell_token = (clear, (token.user, token))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Declares the bearer token in the OpenAPI schema, so clients know how to authenticate."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "cc_<prefix>_<secret>"}
