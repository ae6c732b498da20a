"""The cell's second-factor rule, in one place for every door (pages, admin, API tokens).

With ``COORDCELL_REQUIRE_MFA`` on, a person without a TOTP authenticator may sign in
only to enrol one: they may not mint API tokens, their existing tokens are refused by
the API, and the admin stays closed to them. Someone who has TOTP must have used it in
the session that opens the admin.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

__all__ = ["has_second_factor", "lacks_required_second_factor", "passed_second_factor"]


def has_second_factor(user: Any) -> bool:
    """Whether the person has a TOTP authenticator (recovery codes alone do not count)."""
    from allauth.mfa.models import Authenticator

    return bool(
        user is not None
        and user.is_authenticated
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


def lacks_required_second_factor(user: Any) -> bool:
    """Whether the cell requires a second factor and this person has none."""
    return bool(settings.REQUIRE_MFA) and not has_second_factor(user)


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether the signed-in person's session satisfies the second-factor rule.

    Someone with TOTP must have used it in this session (allauth records each
    authentication step in the session); someone without it passes only while the cell
    does not require a second factor.
    """
    from allauth.account.authentication import get_authentication_records

    user = request.user
    if not user.is_authenticated:
        return False
    if has_second_factor(user):
        return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))
    return not settings.REQUIRE_MFA
