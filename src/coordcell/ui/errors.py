"""The answers to requests that fail outside a view's own handling.

Pages get the app's templates (``400.html``, ``403.html``, ``404.html``, ``500.html`` in
``ui/templates``), translated and without any detail of the request or the failure; the
API gets its one error shape. DEBUG is never on where a user runs coordcell (the demo
included), so these are what every failure shows.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults

__all__ = ["bad_request", "server_error"]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    # The shape of coordcell.api.errors.error_body, without depending on the API package.
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the app's page, rendered without the request (nothing may fail in turn)."""
    if _is_api(request):
        return _api_error("server_error", gettext("Something went wrong on the server."), 500)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 (a refused host name, a malformed request): the app's page, no details."""
    if _is_api(request):
        return _api_error("bad_request", gettext("The server could not accept this request."), 400)
    return defaults.bad_request(request, exception)
