"""Response headers and a second-factor gate for every page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext

__all__ = [
    "CSP",
    "ContentSecurityPolicyMiddleware",
    "DomainErrorMiddleware",
    "RequireSecondFactorMiddleware",
]

#: Nothing may load from, or be sent to, any origin but the server's own: the cell may
#: run on a closed network, and a page that reached out would leak that it is in use.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send the Content Security Policy above with every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return response


#: Paths a signed-in person without a second factor may still reach: enrolling one,
#: logging out, switching language, static files.
_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/")


class RequireSecondFactorMiddleware:
    """With COORDCELL_REQUIRE_MFA on, send people without TOTP to enrol before anything else.

    This looks only at the session's user. API calls with a bearer token carry no
    session, so they pass here; the token authentication applies the same rule
    (``accounts.second_factor``), and no token is minted without the second factor.
    An API call riding on a password-only session is refused.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            from coordcell.accounts.second_factor import lacks_required_second_factor

            if lacks_required_second_factor(user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "error": {
                                "code": "second_factor_required",
                                "message": gettext("Set up a second factor first."),
                            }
                        },
                        status=403,
                    )
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class DomainErrorMiddleware:
    """Turn domain errors raised in views into the right HTTP answer.

    NotFound becomes Django's 404 (the same page for hidden and missing objects),
    PermissionDenied a 403; validation errors are handled by the views' forms.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404

        from coordcell.core.errors import NotFound, PermissionDenied

        if isinstance(exception, NotFound):
            raise Http404() from exception
        if isinstance(exception, PermissionDenied):
            # The domain's message is written for the person refused: the 403 page shows it.
            raise DjangoPermissionDenied(str(exception.message)) from exception
        return None
