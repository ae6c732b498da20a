"""Request bodies at the edge, before Django: how much a client may send, and how slowly.

``BoundedRequestBodies`` wraps the WSGI application (``core.server`` and ``wsgi.py``):
bodies too large for their sender are refused before a byte is read, and the others are
read in full before Django runs, so no view ever waits on a client. The server
(``core.server.BoundedThreadWorker``) bounds how long each read may wait.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

__all__ = ["BoundedRequestBodies", "request_is_signed_in"]

log = logging.getLogger("coordcell.http")

_Environ = dict[str, Any]
_StartResponse = Callable[..., Any]
_App = Callable[[_Environ, _StartResponse], Iterable[bytes]]

#: How much of a body is read per call while taking it in.
_CHUNK = 64 * 1024


class BoundedRequestBodies:
    """WSGI middleware: every request body is bounded before the application sees it.

    - A body without a ``Content-Length`` (``Transfer-Encoding: chunked``) is refused
      with 411: Django would not read it, and its size cannot be checked in advance.
    - A ``Content-Length`` above ``REQUEST_MAX_BYTES`` is refused with 413 before a byte
      of the body is read; so is one above ``ANONYMOUS_MAX_BYTES`` unless the request
      carries a valid session or API token (``signed_in``, asked only then).
    - Otherwise the whole body is read here, into memory up to 2.5 MB and a temporary
      file beyond, and handed on: the application never waits on the client. The server
      (``coordcell.core.server``) bounds each read by the request's deadline; a client that
      stalls gets 408, one that disconnects early nothing at all.

    A refusal asks the server not to read the rest of the body (``stop_reading`` on the
    gunicorn socket, see ``coordcell.core.server.BoundedSocket``), so the connection closes
    at once instead of being drained.
    """

    def __init__(self, app: _App, *, signed_in: Callable[[_Environ], bool] | None = None) -> None:
        self.app = app
        self.signed_in = signed_in or request_is_signed_in

    def __call__(self, environ: _Environ, start_response: _StartResponse) -> Iterable[bytes]:
        encoding = str(environ.get("HTTP_TRANSFER_ENCODING", "")).strip().lower()
        if encoding and encoding != "identity":
            return self._refuse(
                environ,
                start_response,
                411,
                "length_required",
                "A request body needs a Content-Length header.",
            )
        raw = str(environ.get("CONTENT_LENGTH") or "").strip()
        if not raw:
            return self.app(environ, start_response)
        if not raw.isdigit():
            return self._refuse(
                environ, start_response, 400, "bad_request", "The Content-Length is not a number."
            )
        length = int(raw)
        if length == 0:
            return self.app(environ, start_response)
        if length > settings.REQUEST_MAX_BYTES or (
            length > settings.ANONYMOUS_MAX_BYTES and not self._signed_in(environ)
        ):
            return self._refuse(
                environ, start_response, 413, "too_large", "The request is too large."
            )
        try:
            body = _take_in(environ["wsgi.input"], length)
        except TimeoutError:
            return self._refuse(
                environ, start_response, 408, "timeout", "The request body came too slowly."
            )
        except (OSError, EOFError):
            # The client went away (or sent less than it announced): nobody to answer.
            return self._refuse(
                environ, start_response, 400, "bad_request", "The request body is incomplete."
            )
        environ["wsgi.input"] = body
        return _closing(self.app(environ, start_response), body)

    def _signed_in(self, environ: _Environ) -> bool:
        if not environ.get("HTTP_AUTHORIZATION") and not environ.get("HTTP_COOKIE"):
            return False
        try:
            return self.signed_in(environ)
        except Exception:
            log.exception("could not tell whether a request is signed in; taken as anonymous")
            return False

    def _refuse(
        self,
        environ: _Environ,
        start_response: _StartResponse,
        status: int,
        code: str,
        message: str,
    ) -> list[bytes]:
        stop_reading = getattr(environ.get("gunicorn.socket"), "stop_reading", None)
        if callable(stop_reading):
            stop_reading()
        with translation.override(_language(environ)):
            text = gettext(message)
        if str(environ.get("PATH_INFO", "")).startswith("/api/"):
            payload = json.dumps({"error": {"code": code, "message": text}}).encode()
            content_type = "application/json"
        else:
            payload = text.encode()
            content_type = "text/plain; charset=utf-8"
        reasons = {
            400: "Bad Request",
            408: "Request Timeout",
            411: "Length Required",
            413: "Content Too Large",
        }
        start_response(
            f"{status} {reasons[status]}",
            [("Content-Type", content_type), ("Content-Length", str(len(payload)))],
        )
        return [payload]


def _take_in(stream: IO[bytes], length: int) -> IO[bytes]:
    """Read exactly ``length`` bytes of ``stream`` into a spooled temporary file."""
    body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    try:
        remaining = length
        while remaining:
            chunk = stream.read(min(_CHUNK, remaining))
            if not chunk:
                raise EOFError("the client sent less than it announced")
            body.write(chunk)
            remaining -= len(chunk)
        body.seek(0)
    except BaseException:
        body.close()
        raise
    return body


def _closing(result: Iterable[bytes], body: IO[bytes]) -> Iterator[bytes]:
    """Pass the application's answer through, and drop the taken-in body afterwards."""
    try:
        yield from result
    finally:
        close = getattr(result, "close", None)
        try:
            if callable(close):
                close()
        finally:
            body.close()


def _language(environ: _Environ) -> str:
    """The language the person asked for (cookie or Accept-Language), as pages use it."""
    from django.core.handlers.wsgi import WSGIRequest

    try:
        return translation.get_language_from_request(WSGIRequest(environ))
    except Exception:
        return settings.LANGUAGE_CODE


def request_is_signed_in(environ: _Environ) -> bool:
    """Whether a raw request carries a valid API token or a signed-in session.

    Asked only for a body larger than a stranger may send, so ordinary requests cost
    nothing. A token counts when the API's own authentication (its configured classes)
    takes it; a session when it belongs to an active account. Reads no body.
    """
    from django.contrib.auth import get_user
    from django.core.handlers.wsgi import WSGIRequest
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    request = WSGIRequest(environ)
    if environ.get("HTTP_AUTHORIZATION"):
        classes: list[Any] = list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
        for authentication in classes:
            try:
                if authentication().authenticate(Request(request)) is not None:
                    return True
            except APIException:
                return False
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(key)
    return bool(get_user(request).is_active)
